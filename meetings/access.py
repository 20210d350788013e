"""Who may do what with sessions, and loaders that authorise.

* Leaders and admins see and log every session of their organization, and plan quarters.
* Managers see the sessions of partnerships they belong to or belonged to (or attend), and
  log those of partnerships they belong to today: who left keeps reading, nothing more
  (`Partnership.objects.writable_by`, partnerships/access.py).
* Members see the sessions of their own partnerships, read-only.
* Another organization's session is a 404, never its data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from meetings.models import Session
from meetings.selectors import SessionPage, session_page, session_queryset
from org.access import LOGGING_ROLES, require_membership
from org.middleware import current_membership
from org.models import OrgMembership
from partnerships import access as partnership_access
from partnerships.models import Partnership


def may_log_some(membership: OrgMembership) -> bool:
    """Whether the role logs sessions at all (which ones: `can_log`)."""
    return membership.role in LOGGING_ROLES


def can_log(membership: OrgMembership, partnership: Partnership) -> bool:
    """Whether the person may schedule and log this partnership's sessions today."""
    return partnership_access.may_write(membership, partnership)


def require_logging(membership: OrgMembership, partnership: Partnership) -> None:
    if not can_log(membership, partnership):
        raise PermissionDenied(
            "Only the partnership's current managers and the organization's leaders log its "
            "sessions."
        )


def load_session(request: HttpRequest, pk: int) -> tuple[OrgMembership, Session]:
    """A session the user may see; 404 otherwise. Its page loads its log
    (`meetings.selectors.session_log_and_since`)."""
    membership = require_membership(request)
    return membership, get_object_or_404(session_queryset(membership), pk=pk)


def load_session_page(
    request: HttpRequest, pk: int, *, agenda: Callable | None = None
) -> tuple[OrgMembership, SessionPage]:
    """`load_session` for the session's page: the session with ``logs`` (`can_log`), the
    previous one, the log and the ``agenda``, kept in the cache
    (`meetings.selectors.session_page`)."""
    membership = require_membership(request)
    page = session_page(membership, pk, agenda=agenda)
    if page is None:
        raise Http404("No session here.")
    return membership, page


def load_session_to_log(request: HttpRequest, pk: int) -> tuple[OrgMembership, Session]:
    """A session the user may see (404 otherwise) and log (403 otherwise)."""
    membership, session = load_session(request, pk)
    require_logging(membership, session.partnership)
    return membership, session


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


# --- what the people of a partnership add to its session (issue 20) --------------------------


def is_partnership_person(membership: OrgMembership, session: Session, members) -> bool:
    """The login's person belongs to the session's partnership this quarter, or is invited."""
    member_id = membership.member_id
    if member_id is None:
        return False
    return any(m.pk == member_id for m in members) or any(
        m.pk == member_id for m in session.attendees.all()
    )


def may_contribute(
    membership: OrgMembership, session: Session, members, *, logging: bool | None = None
) -> bool:
    """Whether the person may add agenda items, their successes and their feedback: who logs
    the session always; every other person of the partnership with a login (any role) while the
    session is still planned, that is before and during it, until it is marked held.
    ``logging``: `can_log` when the caller has it already (it costs a query)."""
    if logging is None:
        logging = can_log(membership, session.partnership)
    if logging:
        return True
    return session.is_planned and is_partnership_person(membership, session, members)


def may_change_contribution(membership: OrgMembership, item, session: Session, members) -> bool:
    """Who logs the session changes any entry; everyone else only what they added themselves,
    while they may still add."""
    if can_log(membership, session.partnership):
        return True
    own = item.author_id is not None and item.author_id == membership.user_id
    return own and may_contribute(membership, session, members)


def sees_feedback(membership: OrgMembership, item, session: Session) -> bool:
    """Feedback for the facilitator only is seen by its author and the facilitator alone."""
    if not item.for_facilitator_only:
        return True
    return item.author_id == membership.user_id or (
        membership.member_id is not None and membership.member_id == session.facilitator_id
    )
