"""The organization's tables in the Django admin, for staff."""

from __future__ import annotations

from django.contrib import admin

from org.models import (
    AuditEntry,
    Member,
    Organization,
    OrgMembership,
    QuadrantMove,
    TeamMembership,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "fiscal_year_start_month", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class TeamPeopleInline(admin.TabularInline):
    model = TeamMembership
    fk_name = "team"
    fields = ["person", "added_at"]
    readonly_fields = ["added_at"]
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "quadrant",
        "title",
        "external_id",
        "organization",
        "active_from",
        "active_until",
    ]
    list_filter = ["organization", "kind", "quadrant", "active_until"]
    search_fields = ["name", "title", "email", "external_id"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]
    readonly_fields = ["updated_at"]
    date_hierarchy = "active_from"
    inlines = [TeamPeopleInline]

    def save_formset(self, request, form, formset, change) -> None:
        # A team's seats belong to the team's organization.
        for seat in formset.save(commit=False):
            seat.organization_id = form.instance.organization_id
            seat.save()
        for seat in formset.deleted_objects:
            seat.delete()


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    list_display = ["team", "person", "organization", "added_at"]
    list_filter = ["organization"]
    search_fields = ["team__name", "person__name"]
    list_select_related = ["team", "person", "organization"]
    raw_id_fields = ["organization", "team", "person"]


@admin.register(OrgMembership)
class OrgMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "member"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "member__name"]
    list_select_related = ["user", "organization", "member"]
    raw_id_fields = ["user", "organization", "member"]


@admin.register(QuadrantMove)
class QuadrantMoveAdmin(admin.ModelAdmin):
    list_display = [
        "member",
        "from_quadrant",
        "to_quadrant",
        "moved_on",
        "moved_by",
        "organization",
    ]
    list_filter = ["organization", "from_quadrant", "to_quadrant"]
    search_fields = ["member__name"]
    list_select_related = ["member", "moved_by", "organization"]
    raw_id_fields = ["organization", "member", "moved_by"]
    date_hierarchy = "moved_on"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, for reading: nobody adds, changes or deletes an entry here."""

    list_display = ["at", "organization", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["organization", "object_type", "action"]
    search_fields = ["object_repr", "actor_label"]
    list_select_related = ["organization"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
