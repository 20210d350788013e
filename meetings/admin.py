from django.contrib import admin

from meetings.models import (
    ActionItem,
    BlackoutDate,
    CalendarFeed,
    FeedbackItem,
    ObjectiveProgress,
    SentReminder,
    Session,
    SessionSuccess,
)


class SuccessInline(admin.TabularInline):
    model = SessionSuccess
    extra = 0
    raw_id_fields = ["shared_by"]
    exclude = ["organization", "version"]


class ProgressInline(admin.TabularInline):
    model = ObjectiveProgress
    extra = 0
    raw_id_fields = ["objective"]
    exclude = ["organization", "version"]


class FeedbackInline(admin.TabularInline):
    model = FeedbackItem
    extra = 0
    raw_id_fields = ["from_member"]
    exclude = ["organization", "version"]


class ActionInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    raw_id_fields = ["owner"]
    exclude = ["organization", "version"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "partnership",
        "quarter_start",
        "starts_at",
        "status",
        "facilitator",
        "organization",
    ]
    list_filter = ["status", "organization", "quarter_start"]
    search_fields = ["partnership__name", "facilitator__name"]
    raw_id_fields = ["partnership", "facilitator", "attendees"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [SuccessInline, ProgressInline, FeedbackInline, ActionInline]


@admin.register(BlackoutDate)
class BlackoutDateAdmin(admin.ModelAdmin):
    list_display = ["date", "reason", "organization"]
    list_filter = ["organization"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["text", "owner", "due_on", "done_on", "organization"]
    list_filter = ["organization"]
    raw_id_fields = ["session", "owner"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["membership", "created_at", "reset_at"]
    exclude = ["token"]


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "partnership", "sent_on", "organization"]
    list_filter = ["kind", "organization", "sent_on"]
