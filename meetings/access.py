"""Who may do what with sessions, and loaders that authorise.

* Leaders and admins see and log every session of their organization, and plan quarters.
* Managers see and log the sessions of partnerships they belong to (or attend).
* Members see the sessions of their own partnerships, read-only.
* Another organization's session is a 404, never its data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from meetings.models import Session
from meetings.selectors import session_queryset, with_log
from org.access import require_membership
from org.middleware import current_membership
from org.models import OrgMembership, Role

LOGGING_ROLES = (Role.ADMIN, Role.LEADER, Role.MANAGER)


def can_log(membership: OrgMembership) -> bool:
    """Whether the person may log the sessions they can see (visibility is checked by the
    queryset: managers only ever load sessions of their own partnerships)."""
    return membership.role in LOGGING_ROLES


def require_logging(membership: OrgMembership) -> None:
    if not can_log(membership):
        raise PermissionDenied(
            "Only the partnership's managers and the organization's leaders log sessions."
        )


def require_planner(request: HttpRequest) -> OrgMembership:
    membership = require_membership(request)
    if not membership.sees_whole_organization:
        raise PermissionDenied("Only leaders and admins plan the quarter's sessions.")
    return membership


def load_session(
    request: HttpRequest, pk: int, *, log: bool = True
) -> tuple[OrgMembership, Session]:
    """A session the user may see, with its log prefetched when ``log``; 404 otherwise."""
    membership = require_membership(request)
    sessions = session_queryset(membership)
    if log:
        sessions = with_log(sessions)
    return membership, get_object_or_404(sessions, pk=pk)


def in_org_timezone(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render dates and times in the organization's time zone, for this request only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        membership = current_membership(request)
        if membership is None:
            return view(request, *args, **kwargs)
        with timezone.override(membership.organization.tz):
            return view(request, *args, **kwargs)

    return wrapper
