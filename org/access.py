"""Loaders that authorise: every tenant object is fetched through the user's organization,
and every role check is one call to `require_role`.

What each role may do (README, "Who may do what"):

* admin: everything in the organization, and the only role that edits its structure
  (people, teams, the reporting lines of the "Chain of command", the import, backups);
* leader: sees everything in the organization, forms and dissolves partnerships, changes
  their relationships (not the reporting lines), plans and logs every session, keeps a
  checklist and the measurements;
* manager: sees the partnerships they belong to or belonged to, and while they belong to
  one (on the organization's today) logs its sessions and changes the relationships they
  are one of the ends of (partnerships/access.py);
* member: sees their own partnerships and what is shared with the organization; changes
  nothing but their own login and the pulse of the sessions they attended.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from org.middleware import current_membership
from org.models import Member, OrgMembership, Role

# The roles that see the whole organization, and those that log sessions.
WHOLE_ORGANIZATION = (Role.ADMIN, Role.LEADER)
LOGGING_ROLES = (Role.ADMIN, Role.LEADER, Role.MANAGER)


def require_membership(request: HttpRequest) -> OrgMembership:
    """The signed-in user's role in the current organization; 403 when they have none."""
    membership = current_membership(request)
    if membership is None:
        raise PermissionDenied("You do not belong to any organization yet.")
    return membership


def _only(roles: tuple[str, ...]) -> str:
    names = [f"{Role(role).label.lower()}s" for role in roles]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Only the organization's {listed} can do this."


def require_role(request: HttpRequest, *roles: str, message: str = "") -> OrgMembership:
    """The signed-in user's role in the current organization, when it is one of ``roles``;
    403 otherwise. Call it after looking an object up when another organization's object
    must stay a 404 (the role is read once per request, so the order costs nothing)."""
    membership = require_membership(request)
    if membership.role not in roles:
        raise PermissionDenied(message or _only(roles))
    return membership


def require_admin(request: HttpRequest) -> OrgMembership:
    return require_role(
        request, Role.ADMIN, message="Only the organization's admins can change its structure."
    )


def get_member(request: HttpRequest, pk: int) -> Member:
    """A member of the current organization, or 404 (also for other organizations' members)."""
    membership = require_membership(request)
    return get_object_or_404(Member, organization=membership.organization, pk=pk)
