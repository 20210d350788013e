from django.contrib import admin

from meetings.models import (
    Action,
    ActionItem,
    BlackoutDate,
    CalendarFeed,
    Checklist,
    ChecklistItem,
    FeedbackItem,
    MeasurementChange,
    ObjectiveMeasurement,
    ObjectiveProgress,
    SatisfactionScore,
    SentReminder,
    Session,
    SessionSuccess,
)


class SuccessInline(admin.TabularInline):
    model = SessionSuccess
    extra = 0
    raw_id_fields = ["shared_by", "partnership", "objective", "author"]
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


# --- the 13 actions, checklists, measurements, pulse (issue 7) --------------------------------


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    """The 13 actions arrive by data migration: their words may be edited, but none is added
    here and none can be deleted."""

    list_display = ["number", "principle", "label", "explanation"]
    list_filter = ["principle"]
    readonly_fields = ["number", "principle"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    exclude = ["organization", "version"]
    readonly_fields = ["action"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["membership", "quarter_start", "organization"]
    list_filter = ["organization", "quarter_start"]
    raw_id_fields = ["membership"]
    inlines = [ChecklistItemInline]


@admin.register(SatisfactionScore)
class SatisfactionScoreAdmin(admin.ModelAdmin):
    list_display = ["kind", "quarter_start", "value", "organization"]
    list_filter = ["organization", "kind"]
    readonly_fields = ["version"]


@admin.register(ObjectiveMeasurement)
class ObjectiveMeasurementAdmin(admin.ModelAdmin):
    list_display = ["objective", "quarter_start", "value", "unit", "organization"]
    list_filter = ["organization"]
    raw_id_fields = ["objective"]
    readonly_fields = ["version"]


@admin.register(MeasurementChange)
class MeasurementChangeAdmin(admin.ModelAdmin):
    """The record of who changed what: read-only. Never a pulse rating's: nobody sees an
    individual's answer (issue 21); such rows are no longer written."""

    list_display = ["changed_at", "field", "old_value", "new_value", "changed_by", "organization"]
    list_filter = ["organization"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pulse__isnull=True)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
