"""Who may change a partnership: its relationships, its dissolution and its sessions.

The rule, written once (the README's "Who may do what" table says the same):

* **Reporting lines.** The "Chain of command" partnership (`rules.CHAIN_OF_COMMAND`) holds
  the organization's reporting lines. Only admins (and the HR import, which runs as the
  organization's admin or from the shell) add, end or dissolve anything in it.
* **Other partnerships.** Admins and leaders add and end any relationship of an active
  partnership, and dissolve it.
* **Managers** change a partnership only while they belong to it, on the organization's
  today (an end of one of its relationships active that day), and then only relationships
  they are one of the two ends of: never a relationship between two others. Facilitating a
  session gives no more: the facilitator is chosen from the partnership's members, and the
  role belongs to one session, not to the partnership.
* **Members** change no partnership.
* **Sessions** (scheduling, logging, cancelling) follow the same membership:
  `Partnership.objects.writable_by(membership)`. Who left a partnership keeps reading what
  they took part in (`visible_to`), nothing more.

Views use these functions to decide what to offer and to refuse (403); the services check
them again, under the organization's lock, when they are told who is acting.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from org.models import OrgMembership
from partnerships.models import Partnership, Relationship


def belongs_today(
    membership: OrgMembership,
    partnership: Partnership,
    *,
    loaded_today: Iterable[Relationship] | None = None,
) -> bool:
    """Whether the person is an end of one of the partnership's relationships active on the
    organization's today. Pass `loaded_today` (those relationships) to answer without a query."""
    if membership.member_id is None:
        return False
    if loaded_today is not None:
        return any(membership.member_id in (r.from_member_id, r.to_member_id) for r in loaded_today)
    today = membership.organization.today()
    relationships = partnership.relationships.filter(organization_id=partnership.organization_id)
    return relationships.active_on(today).involving(membership.member).exists()


def may_write(
    membership: OrgMembership,
    partnership: Partnership,
    *,
    loaded_today: Iterable[Relationship] | None = None,
) -> bool:
    """May schedule and log the partnership's sessions (the `writable_by` rule, for one)."""
    if membership.sees_whole_organization:
        return True
    return membership.is_manager and belongs_today(
        membership, partnership, loaded_today=loaded_today
    )


def may_change_relationships(
    membership: OrgMembership,
    partnership: Partnership,
    *,
    loaded_today: Iterable[Relationship] | None = None,
) -> bool:
    """May add (or end) at least some relationships of the partnership: it is still active,
    and the person is an admin, a leader outside the chain of command, or a manager who
    belongs to it today. Which relationships: `relationship_refusal`."""
    if partnership.is_dissolved_by(membership.organization.today()):
        return False
    if membership.is_admin:
        return True
    if partnership.is_chain_of_command:
        return False
    return may_write(membership, partnership, loaded_today=loaded_today)


def relationship_refusal(
    membership: OrgMembership,
    partnership: Partnership,
    from_member_id: int,
    to_member_id: int,
    *,
    loaded_today: Iterable[Relationship] | None = None,
) -> str:
    """Why the person may not add or end a relationship between these two members in the
    partnership ("" when they may)."""
    if partnership.is_chain_of_command and not membership.is_admin:
        return "Reporting lines change only through the organization's admins and the import."
    if not may_change_relationships(membership, partnership, loaded_today=loaded_today):
        return (
            "Leaders and admins, and managers who belong to this partnership today, change "
            "the relationships of an active partnership."
        )
    if membership.sees_whole_organization:
        return ""
    if membership.member_id not in (from_member_id, to_member_id):
        return "Managers change only relationships they are one of the ends of."
    return ""


def require_relationship_change(
    membership: OrgMembership, partnership: Partnership, from_member_id: int, to_member_id: int
) -> None:
    refusal = relationship_refusal(membership, partnership, from_member_id, to_member_id)
    if refusal:
        raise PermissionDenied(refusal)


def may_dissolve(membership: OrgMembership, partnership: Partnership) -> bool:
    """Leaders and admins dissolve a partnership; the chain of command only admins. (Whether
    it is still active is the service's to say, with a message.)"""
    if partnership.is_chain_of_command:
        return membership.is_admin
    return membership.sees_whole_organization


def require_dissolve(membership: OrgMembership, partnership: Partnership) -> None:
    if not may_dissolve(membership, partnership):
        raise PermissionDenied(
            "Only admins dissolve the chain of command; leaders and admins other partnerships."
        )
