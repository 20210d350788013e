"""Attach the signed-in user's current organization and role to every request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from org.models import OrgMembership

SESSION_KEY = "current_organization_id"


def load_memberships(request: HttpRequest) -> list[OrgMembership]:
    """All of the user's roles, one query; cached on the request."""
    if not hasattr(request, "_org_memberships"):
        if request.user.is_authenticated:
            request._org_memberships = list(
                OrgMembership.objects.filter(user=request.user)
                .select_related("organization", "member")
                .order_by("organization__name", "organization_id")
            )
        else:
            request._org_memberships = []
    return request._org_memberships


def current_membership(request: HttpRequest) -> OrgMembership | None:
    memberships = load_memberships(request)
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.organization_id == wanted:
            return membership
    return memberships[0]


class CurrentOrganizationMiddleware:
    """Sets request.membership (OrgMembership or None) and request.organization lazily."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = SimpleLazyObject(lambda: current_membership(request))
        request.organization = SimpleLazyObject(
            lambda: request.membership.organization if request.membership else None
        )
        return self.get_response(request)
