from __future__ import annotations

from django.http import HttpRequest

from org.middleware import current_membership, load_memberships


def organization(request: HttpRequest) -> dict:
    """The current role and the user's other organizations, for the layout's navigation."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = current_membership(request)
    return {
        "membership": membership,
        "current_organization": membership.organization if membership else None,
        "user_memberships": load_memberships(request),
    }
