"""Objectives, partnerships and relationships in the Django admin, for staff.

Relationships are only read here (and their message edited): their type, quadrants and
dates go through partnerships.services, which keep the rule of types and refuse loops.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from partnerships.models import Objective, Partnership, Relationship


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["title", "emphasis", "status", "owner", "starts_on", "ends_on", "organization"]
    list_filter = ["organization", "emphasis", "status"]
    search_fields = ["title", "description"]
    list_select_related = ["organization", "owner"]
    raw_id_fields = ["owner"]


class RelationshipInline(admin.TabularInline):
    model = Relationship
    fields = ["from_member", "to_member", "type", "carries", "starts_on", "ends_on"]
    readonly_fields = ["from_member", "to_member", "type", "starts_on", "ends_on"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "objective", "formed_on", "dissolved_on", "organization"]
    list_filter = ["organization", "dissolved_on"]
    search_fields = ["name", "purpose"]
    list_select_related = ["organization", "objective"]
    readonly_fields = ["dissolved_on"]
    raw_id_fields = ["objective"]
    inlines = [RelationshipInline]


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = [
        "from_member",
        "to_member",
        "type",
        "partnership",
        "starts_on",
        "ends_on",
        "organization",
    ]
    list_filter = ["organization", "type", "from_quadrant", "to_quadrant"]
    search_fields = ["from_member__name", "to_member__name", "partnership__name", "carries"]
    list_select_related = ["organization", "partnership", "from_member", "to_member"]
    readonly_fields = [
        "organization",
        "partnership",
        "from_member",
        "to_member",
        "from_quadrant",
        "to_quadrant",
        "type",
        "starts_on",
        "ends_on",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
