"""Writes to objectives, partnerships and relationships.

Each function is keyword-only and atomic, and raises ValidationError with a message fit to
show. Writes that depend on the organization's whole map (a direct line must not close a
loop; a quadrant move must not break a relationship) first lock the organization's row, so
that two concurrent writers on PostgreSQL take turns. SQLite serializes writers anyway
(transactions begin IMMEDIATE).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from org import dates
from org import services as org_services
from org.audit import audit_entry, audit_record, snapshot
from org.models import (
    AuditEntry,
    Member,
    Organization,
    OrgMembership,
    Quadrant,
    QuadrantMove,
    TeamMembership,
)
from partnerships import access, rules
from partnerships.corrections import removal_of
from partnerships.graph import closing_loop_over_time
from partnerships.models import (
    AcceptedRisk,
    Objective,
    Partnership,
    Relationship,
    RelationshipType,
    relationship_type_for,
    type_problem,
)


def _quadrant(code: str) -> str:
    return Quadrant(code).label


# The fields the audit trail keeps before and after each change.
OBJECTIVE_AUDIT_FIELDS = [
    "title",
    "description",
    "emphasis",
    "owner",
    "starts_on",
    "ends_on",
    "status",
    "target_value",
    "target_unit",
]
PARTNERSHIP_AUDIT_FIELDS = ["objective", "name", "purpose", "formed_on", "dissolved_on"]
RELATIONSHIP_AUDIT_FIELDS = [
    "partnership",
    "from_member",
    "to_member",
    "type",
    "carries",
    "starts_on",
    "ends_on",
]
# What a removal keeps, so that Undo can put the very same relationship back.
RELATIONSHIP_KEPT_FIELDS = [*RELATIONSHIP_AUDIT_FIELDS, "from_quadrant", "to_quadrant"]


def _audit_ended(
    relationships: Sequence[Relationship], on: datetime.date, by: AbstractBaseUser | None
) -> None:
    """One entry per relationship ended as of `on` (their members are loaded)."""
    AuditEntry.objects.bulk_create(
        [
            audit_entry(
                by=by,
                action="ended",
                obj=relationship,
                before=snapshot(relationship, ["ends_on"]),
                after={"ends_on": on.isoformat()},
            )
            for relationship in relationships
        ]
    )


class DirectLoopError(ValidationError):
    """Adding a direct line would close a loop; `loop` names the members in walking order."""

    def __init__(self, loop: Sequence[Member], day: datetime.date) -> None:
        self.loop = list(loop)
        self.day = day
        names = " → ".join(member.name for member in [*self.loop, self.loop[0]])
        super().__init__(
            "This direct line would close a loop on %(day)s: %(loop)s. Direct lines are the "
            "chain of command and never loop.",
            code="direct_loop",
            params={"loop": names, "day": dates.day(day)},
        )


class MoveBreaksRelationships(ValidationError):
    """A quadrant move would break relationships; `relationships` lists them for confirmation."""

    def __init__(self, member: Member, to_quadrant: str, relationships: list[Relationship]):
        self.relationships = relationships
        self.descriptions = [describe_break(r, member, to_quadrant) for r in relationships]
        listed = "; ".join(self.descriptions)
        super().__init__(
            "Moving %(name)s to %(quadrant)s would break %(count)s: %(listed)s. Confirm to end "
            "them as of the move date.",
            code="move_breaks_relationships",
            params={
                "name": member.name,
                "quadrant": _quadrant(to_quadrant),
                "count": f"{len(relationships)} relationship"
                + ("" if len(relationships) == 1 else "s"),
                "listed": listed,
            },
        )


# --- objectives ----------------------------------------------------------------------------


@transaction.atomic
def objective_create(
    *,
    organization: Organization,
    title: str,
    emphasis: str,
    starts_on: datetime.date,
    description: str = "",
    owner: Member | None = None,
    ends_on: datetime.date | None = None,
    status: str = Objective.Status.ACTIVE,
    target_value: Decimal | None = None,
    target_unit: str = "",
    by: AbstractBaseUser | None = None,
    restores: int | None = None,
) -> Objective:
    if owner is not None and owner.organization_id != organization.pk:
        raise ValidationError(
            {"owner": ValidationError("That member is not in this organization.", code="foreign")}
        )
    objective = Objective(
        organization=organization,
        title=title.strip(),
        description=description.strip(),
        emphasis=emphasis,
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        target_value=target_value,
        target_unit=target_unit.strip(),
    )
    objective.full_clean()
    objective.save()
    after = snapshot(objective, OBJECTIVE_AUDIT_FIELDS)
    if restores is not None:
        after["restored_from"] = restores
    audit_record(by=by, action="restored" if restores else "created", obj=objective, after=after)
    return objective


# --- partnerships --------------------------------------------------------------------------


@transaction.atomic
def partnership_form(
    *,
    organization: Organization,
    objective: Objective,
    name: str,
    formed_on: datetime.date,
    purpose: str = "",
    by: AbstractBaseUser | None = None,
) -> Partnership:
    """Form a partnership around one of the organization's objectives."""
    if objective.organization_id != organization.pk:
        raise ValidationError(
            {
                "objective": ValidationError(
                    "That objective is not in this organization.", code="foreign"
                )
            }
        )
    partnership = Partnership(
        organization=organization,
        objective=objective,
        name=name.strip(),
        purpose=purpose.strip(),
        formed_on=formed_on,
    )
    partnership.full_clean()
    partnership.save()
    audit_record(
        by=by,
        action="created",
        obj=partnership,
        after=snapshot(partnership, PARTNERSHIP_AUDIT_FIELDS),
    )
    return partnership


@transaction.atomic
def partnership_dissolve(
    *,
    partnership: Partnership,
    on: datetime.date,
    by: AbstractBaseUser | None = None,
    acting: OrgMembership | None = None,
) -> int:
    """Dissolve the partnership on `on`: it and its open relationships end that day.

    History is kept: the rows stay, with their end dates. Returns how many relationships
    were ended. With `acting` (the signed-in role), refused (PermissionDenied) unless
    partnerships/access.py allows that role to dissolve it.
    """
    Organization.lock(partnership.organization_id)
    current = Partnership.objects.select_for_update().get(
        organization_id=partnership.organization_id, pk=partnership.pk
    )
    if acting is not None:
        access.require_dissolve(acting, current)
    if current.dissolved_on is not None:
        raise ValidationError(
            {
                "on": ValidationError(
                    "%(name)s was already dissolved on %(day)s.",
                    code="already_dissolved",
                    params={"name": current.name, "day": dates.day(current.dissolved_on)},
                )
            }
        )
    if on == current.formed_on:
        raise ValidationError(
            {
                "on": ValidationError(
                    "%(name)s was formed on %(day)s: dissolved the same day, it never was. "
                    "Remove it instead (“Remove: it never happened”).",
                    code="dissolved_on_formed_day",
                    params={"name": current.name, "day": dates.day(current.formed_on)},
                )
            }
        )
    if on < current.formed_on:
        raise ValidationError(
            {
                "on": ValidationError(
                    "%(name)s was formed on %(day)s; it can only be dissolved after that.",
                    code="before_formed",
                    params={"name": current.name, "day": dates.day(current.formed_on)},
                )
            }
        )
    starting_later = list(
        current.relationships.filter(starts_on__gte=on).with_members().order_by("starts_on", "id")
    )
    if starting_later:
        raise ValidationError(
            {
                "on": ValidationError(
                    "%(count)s of its relationships start on or after that day (%(listed)s); "
                    "dissolve it after they start.",
                    code="relationships_start_later",
                    params={
                        "count": len(starting_later),
                        "listed": "; ".join(
                            f"{r.from_member} → {r.to_member} from {dates.day(r.starts_on)}"
                            for r in starting_later
                        ),
                    },
                )
            }
        )
    ending = list(current.relationships.not_ended_by(on).with_members())
    ended = current.relationships.not_ended_by(on).update(ends_on=on)
    current.dissolved_on = on
    current.save(update_fields=["dissolved_on"])
    audit_record(
        by=by,
        action="dissolved",
        obj=current,
        before={"dissolved_on": None},
        after={"dissolved_on": on.isoformat()},
    )
    _audit_ended(ending, on, by)
    partnership.dissolved_on = on
    return ended


# --- relationships -------------------------------------------------------------------------


def _refuse(field: str | None, message: str, code: str, **params) -> ValidationError:
    error = ValidationError(message, code=code, params=params)
    return ValidationError({field: error}) if field else error


@transaction.atomic
def relationship_add(
    *,
    partnership: Partnership,
    from_member: Member,
    to_member: Member,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    carries: str = "",
    by: AbstractBaseUser | None = None,
    acting: OrgMembership | None = None,
    restores: int | None = None,
) -> Relationship:
    """Join two members inside a partnership; the type follows from their quadrants.

    Refused when the quadrants allow no relationship, when either member or the partnership
    is not active on the start day, when the pair already has a relationship then, and when
    a direct line would close a loop among the organization's direct lines. With `acting`
    (the signed-in role), refused first (PermissionDenied) unless partnerships/access.py
    allows that role this relationship; without it (a command, the import) it is not asked.
    `restores` is the audit entry of a removal this undoes (relationship_restore).
    """
    organization_id = partnership.organization_id
    Organization.lock(organization_id)
    # Read the members again under the lock: a concurrent quadrant move has finished by now.
    members = Member.objects.filter(organization_id=organization_id).in_bulk(
        [from_member.pk, to_member.pk]
    )
    if from_member.pk not in members:
        raise _refuse("from_member", "That member is not in this organization.", "foreign")
    if to_member.pk not in members:
        raise _refuse("to_member", "That member is not in this organization.", "foreign")
    from_member, to_member = members[from_member.pk], members[to_member.pk]
    if from_member.pk == to_member.pk:
        raise _refuse(
            "to_member",
            "%(name)s cannot have a relationship with themselves.",
            "self",
            name=from_member.name,
        )
    type_ = relationship_type_for(from_member.quadrant, to_member.quadrant)
    if type_ is None:
        raise _refuse(
            "to_member", "%(problem)s", "no_type", problem=type_problem(from_member, to_member)
        )

    partnership = Partnership.objects.get(pk=partnership.pk)
    if acting is not None:
        access.require_relationship_change(acting, partnership, from_member.pk, to_member.pk)
    if starts_on < partnership.formed_on:
        raise _refuse(
            "starts_on",
            "%(name)s was formed on %(day)s; its relationships start on or after that day.",
            "before_formed",
            name=partnership.name,
            day=dates.day(partnership.formed_on),
        )
    if partnership.dissolved_on is not None:
        if starts_on >= partnership.dissolved_on:
            raise _refuse(
                "starts_on",
                "%(name)s was dissolved on %(day)s; nothing can start in it from then on.",
                "dissolved",
                name=partnership.name,
                day=dates.day(partnership.dissolved_on),
            )
        if ends_on is None or ends_on > partnership.dissolved_on:
            ends_on = partnership.dissolved_on
    if ends_on is not None and ends_on <= starts_on:
        raise _refuse("ends_on", "A relationship ends after it starts.", "ends_before_start")
    for member in (from_member, to_member):
        if not member.is_active_on(starts_on):
            raise _refuse(
                "starts_on",
                "%(name)s is not active on %(day)s.",
                "member_inactive",
                name=member.name,
                day=dates.day(starts_on),
            )

    same_pair = (
        Relationship.objects.filter(
            partnership=partnership, from_member=from_member, to_member=to_member
        )
        .overlapping(starts_on, ends_on)
        .first()
    )
    if same_pair is not None:
        raise _refuse(
            None,
            "%(from)s and %(to)s already have a relationship in this partnership from %(day)s.",
            "duplicate",
            **{
                "from": from_member.name,
                "to": to_member.name,
                "day": dates.day(same_pair.starts_on),
            },
        )

    if type_ == RelationshipType.DIRECT:
        direct_lines = (
            Relationship.objects.filter(organization_id=organization_id)
            .direct()
            .overlapping(starts_on, ends_on)
            .values_list("from_member_id", "to_member_id", "starts_on", "ends_on")
        )
        found = closing_loop_over_time(
            direct_lines, (from_member.pk, to_member.pk, starts_on, ends_on)
        )
        if found is not None:
            day, loop = found
            names = Member.objects.in_bulk(loop)
            raise DirectLoopError([names[pk] for pk in loop], day)

    relationship = Relationship(
        organization_id=organization_id,
        partnership=partnership,
        from_member=from_member,
        to_member=to_member,
        from_quadrant=from_member.quadrant,
        to_quadrant=to_member.quadrant,
        type=type_,
        carries=carries.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    relationship.save()
    after = snapshot(relationship, RELATIONSHIP_AUDIT_FIELDS)
    if restores is not None:
        after["restored_from"] = restores
    audit_record(by=by, action="restored" if restores else "added", obj=relationship, after=after)
    return relationship


@transaction.atomic
def relationship_end(
    *,
    relationship: Relationship,
    on: datetime.date,
    by: AbstractBaseUser | None = None,
    acting: OrgMembership | None = None,
) -> Relationship:
    """End a relationship: from `on` it is no longer active. The row stays as history.

    Ending it on the day it started means it never was: it is removed (relationship_remove),
    and the returned relationship has no pk any more.
    With `acting` (the signed-in role), refused (PermissionDenied) unless
    partnerships/access.py allows that role to change this relationship."""
    # The organization first, as every writer of the map takes it: a removal needs it too.
    Organization.lock(relationship.organization_id)
    current = Relationship.objects.select_for_update().get(
        organization_id=relationship.organization_id, pk=relationship.pk
    )
    if acting is not None:
        partnership = Partnership.objects.get(pk=current.partnership_id)
        access.require_relationship_change(
            acting, partnership, current.from_member_id, current.to_member_id
        )
    if on == current.starts_on:
        relationship_remove(relationship=current, by=by, acting=acting)
        relationship.pk = None
        return relationship
    if current.ends_on is not None and current.ends_on <= on:
        raise _refuse(
            "on",
            "This relationship already ended on %(day)s.",
            "already_ended",
            day=dates.day(current.ends_on),
        )
    if on <= current.starts_on:
        raise _refuse(
            "on",
            "This relationship started on %(day)s; it can only end after that.",
            "before_start",
            day=dates.day(current.starts_on),
        )
    before = snapshot(current, ["ends_on"])
    current.ends_on = on
    current.save(update_fields=["ends_on"])
    relationship.ends_on = on
    audit_record(
        by=by,
        action="ended",
        obj=relationship,
        before=before,
        after=snapshot(relationship, ["ends_on"]),
    )
    return relationship


# --- several relationships as one change (a remedy from the health page) ---------------------

# How many of the relationships the audit entry of a bulk addition names one by one.
AUDIT_NAMES_SHOWN = 100


@transaction.atomic
def relationships_add_many(
    *,
    partnership: Partnership,
    pairs: Sequence[tuple[int, int]],
    starts_on: datetime.date,
    by: AbstractBaseUser | None = None,
    acting: OrgMembership | None = None,
    reason: str = "",
) -> list[Relationship]:
    """Add several relationships to one partnership at once: all or nothing, audited as one
    entry on the partnership ("added relationships", naming them).

    `pairs` are (from member id, to member id); each type follows from the quadrants. Refused
    (ValidationError, nothing written) when a pair is not of this organization, not active on
    the day, joins a member to themselves, has no type by the rule, is a direct line (loops
    are checked one line at a time: relationship_add), or already has a relationship in the
    partnership then; when the partnership is not active on the day. With `acting`, the role
    must be allowed every pair (partnerships/access.py). A constant number of queries,
    whatever the number of pairs."""
    organization_id = partnership.organization_id
    Organization.lock(organization_id)
    partnership = Partnership.objects.get(pk=partnership.pk)
    if not pairs:
        raise _refuse(None, "There is nothing to add.", "empty")
    if len(set(pairs)) != len(pairs):
        raise _refuse(None, "The same two members are listed twice.", "repeated")
    if acting is not None:
        for source, target in pairs:
            access.require_relationship_change(acting, partnership, source, target)
    if not partnership.is_active_on(starts_on):
        raise _refuse(
            "partnership",
            "%(name)s is not active on %(day)s.",
            "partnership_inactive",
            name=partnership.name,
            day=dates.day(starts_on),
        )
    members = Member.objects.filter(organization_id=organization_id).in_bulk(
        {pk for pair in pairs for pk in pair}
    )
    relationships = []
    for source, target in pairs:
        if source not in members or target not in members:
            raise _refuse(None, "That member is not in this organization.", "foreign")
        from_member, to_member = members[source], members[target]
        if source == target:
            raise _refuse(
                None,
                "%(name)s cannot have a relationship with themselves.",
                "self",
                name=from_member.name,
            )
        type_ = relationship_type_for(from_member.quadrant, to_member.quadrant)
        if type_ is None:
            raise _refuse(
                None, "%(problem)s", "no_type", problem=type_problem(from_member, to_member)
            )
        if type_ == RelationshipType.DIRECT:
            raise _refuse(
                None,
                "Direct lines are added one at a time (%(from)s to %(to)s).",
                "direct_in_bulk",
                **{"from": from_member.name, "to": to_member.name},
            )
        for member in (from_member, to_member):
            if not member.is_active_on(starts_on):
                raise _refuse(
                    None,
                    "%(name)s is not active on %(day)s.",
                    "member_inactive",
                    name=member.name,
                    day=dates.day(starts_on),
                )
        relationships.append(
            Relationship(
                organization_id=organization_id,
                partnership=partnership,
                from_member=from_member,
                to_member=to_member,
                from_quadrant=from_member.quadrant,
                to_quadrant=to_member.quadrant,
                type=type_,
                starts_on=starts_on,
                ends_on=partnership.dissolved_on,
            )
        )
    wanted = set(pairs)
    taken = [
        pair
        for pair in Relationship.objects.filter(partnership=partnership)
        .overlapping(starts_on, partnership.dissolved_on)
        .values_list("from_member_id", "to_member_id")
        if pair in wanted
    ]
    if taken:
        source, target = taken[0]
        raise _refuse(
            None,
            "%(from)s and %(to)s already have a relationship in %(name)s.",
            "duplicate",
            **{"from": members[source].name, "to": members[target].name, "name": partnership.name},
        )
    created = Relationship.objects.bulk_create(relationships)
    described = [f"{r.from_member.name} → {r.to_member.name} ({r.type})" for r in created]
    if len(described) > AUDIT_NAMES_SHOWN:
        more = len(described) - AUDIT_NAMES_SHOWN
        described = [*described[:AUDIT_NAMES_SHOWN], f"and {more} more"]
    changes = {"relationships added": [None, described]}
    if reason:
        changes["reason"] = [None, reason]
    entry = audit_entry(
        by=by,
        action="added relationships",
        obj=partnership,
        object_repr=f"{partnership.name}: {len(created)} relationships",
    )
    entry.changes = changes  # one entry for the whole change, not a field diff
    entry.save()
    return created


@transaction.atomic
def risk_accept(
    *,
    organization: Organization,
    key: str,
    label: str,
    reason: str,
    review_on: datetime.date,
    by: AbstractBaseUser | None = None,
) -> AcceptedRisk:
    """Live with a kind of risk until a review date, for a reason (audited). Refused when the
    review date is not after today or the reason is empty."""
    today = organization.today()
    if not reason.strip():
        raise _refuse("reason", "Say why this risk is accepted.", "no_reason")
    if review_on <= today:
        raise _refuse(
            "review_on",
            "The review date comes after today (%(day)s).",
            "review_not_after_today",
            day=dates.day(today),
        )
    accepted = AcceptedRisk.objects.create(
        organization=organization,
        key=key,
        label=label[:300],
        reason=reason.strip(),
        accepted_on=today,
        review_on=review_on,
        accepted_by=by if by is not None and by.is_authenticated else None,
    )
    audit_record(
        by=by,
        action="accepted",
        obj=accepted,
        after=snapshot(accepted, ["label", "reason", "accepted_on", "review_on"]),
    )
    return accepted


# --- team seats and their direct lines -------------------------------------------------------


def _stewardship_line(team: Member, person: Member, on: datetime.date) -> Relationship | None:
    return (
        Relationship.objects.filter(
            organization_id=team.organization_id,
            partnership__name=rules.TEAM_STEWARDSHIP,
            from_member=team,
            to_member=person,
        )
        .overlapping(on, None)
        .order_by("starts_on", "pk")
        .first()
    )


def team_seat_line_add(
    *, team: Member, person: Member, on: datetime.date, by: AbstractBaseUser | None = None
) -> Relationship | None:
    """The team's direct line to an employee it seats, in the Team stewardship partnership,
    from `on`: what makes the seat reach them. None (nothing added) when the person is not an
    employee (a team directs employees only), the organization has no active Team stewardship
    partnership, or the line is there already."""
    if person.quadrant != Quadrant.EMPLOYEES:
        return None
    partnership = (
        Partnership.objects.filter(
            organization_id=team.organization_id, name=rules.TEAM_STEWARDSHIP
        )
        .active_on(on)
        .order_by("pk")
        .first()
    )
    if partnership is None or _stewardship_line(team, person, on) is not None:
        return None
    return relationship_add(
        partnership=partnership, from_member=team, to_member=person, starts_on=on, by=by
    )


def team_seat_line_end(
    *, team: Member, person: Member, on: datetime.date, by: AbstractBaseUser | None = None
) -> Relationship | None:
    """End the team's line to a person taken off it, from `on` (None when there is no line
    active then, or it starts that very day)."""
    line = _stewardship_line(team, person, on)
    if line is None or line.starts_on > on:
        return None
    relationship_end(relationship=line, on=on, by=by)  # on its first day: removed
    return line


@transaction.atomic
def team_seat(
    *, team: Member, person: Member, with_line: bool = True, by: AbstractBaseUser | None = None
) -> Relationship | None:
    """Seat a person on a team (org's rules) and, when asked, give the team its direct line
    to them (team_seat_line_add); the line made, if any."""
    seat = org_services.team_add_person(team=team, person=person, by=by)
    if not with_line:
        return None
    return team_seat_line_add(team=team, person=seat.person, on=team.organization.today(), by=by)


@transaction.atomic
def team_unseat(
    *, team: Member, person: Member, by: AbstractBaseUser | None = None
) -> Relationship | None:
    """Take a person off a team (org's rules) and end the team's direct line to them
    (team_seat_line_end); the line ended, if any."""
    org_services.team_remove_person(team=team, person=person, by=by)
    return team_seat_line_end(team=team, person=person, on=team.organization.today(), by=by)


# --- quadrant moves ------------------------------------------------------------------------


def describe_break(relationship: Relationship, member: Member, to_quadrant: str) -> str:
    """One line saying what a move would do to a relationship, for the conflict list."""
    from_q = to_quadrant if relationship.from_member_id == member.pk else relationship.from_quadrant
    to_q = to_quadrant if relationship.to_member_id == member.pk else relationship.to_quadrant
    new_type = relationship_type_for(from_q, to_q)
    became = f"it would become {new_type}" if new_type else "no relationship is allowed that way"
    return (
        f"{relationship.from_member.name} → {relationship.to_member.name} "
        f"({relationship.get_type_display().lower()} in {relationship.partnership.name}; "
        f"{_quadrant(from_q)} → {_quadrant(to_q)}: {became})"
    )


def relationships_broken_by_move(
    member: Member, to_quadrant: str, on: datetime.date
) -> list[Relationship]:
    """The member's relationships in force on or after `on` whose type the move would change.

    A relationship whose pair of quadrants allows no type is broken; so is one whose type
    would differ, because nothing is silently retyped.
    """
    relationships = (
        Relationship.objects.filter(organization_id=member.organization_id)
        .involving(member)
        .not_ended_by(on)
        .select_related("from_member", "to_member", "partnership")
        .order_by("starts_on", "id")
    )
    broken = []
    for relationship in relationships:
        from_q = (
            to_quadrant if relationship.from_member_id == member.pk else relationship.from_quadrant
        )
        to_q = to_quadrant if relationship.to_member_id == member.pk else relationship.to_quadrant
        if relationship_type_for(from_q, to_q) != relationship.type:
            broken.append(relationship)
    return broken


@transaction.atomic
def member_move_checked(
    *,
    member: Member,
    to_quadrant: str,
    on: datetime.date,
    by: AbstractBaseUser | None,
    end_conflicting: bool,
    confirmed: Collection[int] | None = None,
) -> QuadrantMove:
    """Move a member to another quadrant without breaking the rule of types.

    The relationships the move would break are refused (MoveBreaksRelationships lists them)
    or, when end_conflicting is confirmed, ended as of the move date. `confirmed` is the ids
    of the relationships the admin saw listed: when the list has changed since, the move is
    refused again with the new list rather than ending what nobody confirmed. The member's
    other relationships in force from that day keep their type and take the new quadrant.
    """
    Organization.lock(member.organization_id)
    broken = relationships_broken_by_move(member, to_quadrant, on)
    quadrant_before = member.quadrant
    try:
        # Its own refusals (a team, the same quadrant, an inactive member) come first.
        move = org_services.member_move(member=member, to_quadrant=to_quadrant, on=on, by=by)
        unconfirmed = confirmed is not None and set(confirmed) != {r.pk for r in broken}
        if broken and (not end_conflicting or unconfirmed):
            raise MoveBreaksRelationships(member, to_quadrant, broken)
    except ValidationError:
        member.quadrant = quadrant_before  # the transaction rolls the move back
        raise
    starting_later = [r for r in broken if r.starts_on >= on]
    if starting_later:
        raise ValidationError(
            {
                "on": ValidationError(
                    "%(listed)s would only start on or after the move, so it cannot be ended "
                    "as of the move date; move %(name)s after it starts, or end it first.",
                    code="broken_relationship_starts_later",
                    params={
                        "name": member.name,
                        "listed": "; ".join(
                            f"{r.from_member.name} → {r.to_member.name} (from {dates.day(r.starts_on)})"
                            for r in starting_later
                        ),
                    },
                )
            }
        )
    Relationship.objects.filter(pk__in=[r.pk for r in broken]).update(ends_on=on)
    _audit_ended(broken, on, by)
    in_force = Relationship.objects.filter(organization_id=member.organization_id).not_ended_by(on)
    in_force.filter(from_member=member).update(from_quadrant=to_quadrant)
    in_force.filter(to_member=member).update(to_quadrant=to_quadrant)
    return move


# --- archiving ------------------------------------------------------------------------------


@transaction.atomic
def member_archive(
    *, member: Member, on: datetime.date, by: AbstractBaseUser | None = None
) -> Member:
    """Archive a member as of `on` (org.services.member_archive) and end what they were part
    of, in the same transaction: a person leaves their teams, and every relationship of the
    member still open on that day ends on it. A relationship that only starts on or after
    `on` cannot end then: the archive is refused, naming it, until it is ended or removed.

    It lives here, not in org, because org knows nothing of relationships (the layers).
    """
    Organization.lock(member.organization_id)
    open_ones = list(
        Relationship.objects.filter(organization_id=member.organization_id)
        .not_ended_by(on)
        .filter(Q(from_member=member) | Q(to_member=member))
        .select_related("from_member", "to_member", "partnership")
        .order_by("starts_on", "pk")
    )
    org_services.member_archive(member=member, on=on, by=by)  # its own refusals first
    starting_later = [r for r in open_ones if r.starts_on >= on]
    if starting_later:
        raise ValidationError(
            {
                "on": ValidationError(
                    "%(listed)s only start%(s)s on or after that day, so %(name)s cannot be "
                    "archived then; end or remove %(them)s first, or archive %(name)s later.",
                    code="relationship_starts_later",
                    params={
                        "name": member.name,
                        "listed": "; ".join(
                            f"{r.from_member.name} → {r.to_member.name} in {r.partnership.name} "
                            f"(from {dates.day(r.starts_on)})"
                            for r in starting_later
                        ),
                        "s": "" if len(starting_later) > 1 else "s",
                        "them": "them" if len(starting_later) > 1 else "it",
                    },
                )
            }
        )
    if not member.is_team:
        for seat in TeamMembership.objects.filter(person=member).select_related("team"):
            org_services.team_remove_person(team=seat.team, person=member, by=by)
    Relationship.objects.filter(pk__in=[r.pk for r in open_ones]).update(ends_on=on)
    _audit_ended(open_ones, on, by)
    return member


# --- corrections: removing what never happened ---------------------------------------------
#
# "Remove" is not "end": what is removed is gone, as if it had never been added, and the audit
# trail keeps its values (Undo restores from them). A removal that would take logged history
# with it is refused: that is to be ended instead (partnerships/corrections.py).


def _refuse_removal(obj, instead: str) -> None:
    refusal = removal_of(obj).refusal(instead)
    if refusal:
        raise ValidationError(refusal, code="history")


def _removed(obj, before: dict, by: AbstractBaseUser | None) -> AuditEntry:
    """Delete `obj` and save an entry that keeps its values (written before the row goes, so
    that it names the object's id)."""
    entry = audit_entry(by=by, action="removed", obj=obj, before=before)
    obj.delete()
    entry.save()
    return entry


@transaction.atomic
def relationship_remove(
    *,
    relationship: Relationship,
    by: AbstractBaseUser | None = None,
    acting: OrgMembership | None = None,
) -> AuditEntry:
    """Remove a relationship added by mistake: it never was. Who may end it may remove it
    (partnerships/access.py). Returns the audit entry that keeps its values."""
    Organization.lock(relationship.organization_id)
    current = (
        Relationship.objects.with_members()
        .select_related("partnership")
        .select_for_update(of=("self",))
        .get(organization_id=relationship.organization_id, pk=relationship.pk)
    )
    if acting is not None:
        access.require_relationship_change(
            acting, current.partnership, current.from_member_id, current.to_member_id
        )
    _refuse_removal(current, "End it instead: its history stays.")
    return _removed(current, snapshot(current, RELATIONSHIP_KEPT_FIELDS), by)


def _kept(entry: AuditEntry) -> dict:
    """The values a removal entry kept: {field: value before}."""
    return {name: values[0] for name, values in entry.changes.items()}


def _refuse_undone_twice(entry: AuditEntry) -> None:
    undone = AuditEntry.objects.filter(
        organization_id=entry.organization_id,
        action="restored",
        object_type=entry.object_type,
        changes__restored_from__1=entry.pk,
    )
    if undone.exists():
        raise ValidationError("That removal was already undone.", code="already_restored")


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@transaction.atomic
def relationship_restore(
    *,
    entry: AuditEntry,
    by: AbstractBaseUser | None = None,
    acting: OrgMembership | None = None,
) -> Relationship:
    """Undo a relationship's removal: add it again from the values the entry kept, under
    every rule that holds today (a member moved since, a loop now closed: refused)."""
    if entry.action != "removed" or entry.object_type != "relationship":
        raise ValidationError(
            "Only a removed relationship can be put back here.", code="not_removal"
        )
    _refuse_undone_twice(entry)
    kept = _kept(entry)
    organization_id = entry.organization_id
    partnership = Partnership.objects.filter(
        organization_id=organization_id, pk=(kept.get("partnership") or {}).get("id")
    ).first()
    ids = [(kept.get(side) or {}).get("id") for side in ("from_member", "to_member")]
    members = Member.objects.filter(organization_id=organization_id).in_bulk(ids)
    if partnership is None or any(pk not in members for pk in ids):
        raise ValidationError(
            "Its partnership or one of its members no longer exists, so it cannot be put back.",
            code="gone",
        )
    return relationship_add(
        partnership=partnership,
        from_member=members[ids[0]],
        to_member=members[ids[1]],
        starts_on=_date(kept["starts_on"]),
        ends_on=_date(kept.get("ends_on")),
        carries=kept.get("carries") or "",
        by=by,
        acting=acting,
        restores=entry.pk,
    )


@transaction.atomic
def partnership_remove(
    *,
    partnership: Partnership,
    by: AbstractBaseUser | None = None,
    acting: OrgMembership | None = None,
) -> AuditEntry:
    """Remove a partnership formed by mistake, with its relationships and its planned
    sessions; refused when a session was held or anything was logged (dissolve it then).
    One entry keeps the partnership's values, one each relationship's."""
    Organization.lock(partnership.organization_id)
    current = Partnership.objects.select_related("objective").get(pk=partnership.pk)
    if acting is not None:
        access.require_dissolve(acting, current)
    removal = removal_of(current)
    refusal = removal.refusal("Dissolve it instead: it ends on a day and its history stays.")
    if refusal:
        raise ValidationError(refusal, code="history")
    relationships = list(current.relationships.with_members().order_by("starts_on", "id"))
    for relationship in relationships:
        relationship.partnership = current
    AuditEntry.objects.bulk_create(
        [
            audit_entry(
                by=by,
                action="removed",
                obj=relationship,
                before=snapshot(relationship, RELATIONSHIP_KEPT_FIELDS),
            )
            for relationship in relationships
        ]
    )
    before = snapshot(current, PARTNERSHIP_AUDIT_FIELDS) | {"removed_with": removal.goes_with}
    return _removed(current, before, by)


@transaction.atomic
def objective_remove(*, objective: Objective, by: AbstractBaseUser | None = None) -> AuditEntry:
    """Remove an objective created by mistake; refused while a partnership serves it or
    anything was measured or logged against it."""
    current = Objective.objects.select_related("owner").get(pk=objective.pk)
    _refuse_removal(
        current,
        "Remove those first, or mark the objective dropped (or achieved) instead.",
    )
    return _removed(current, snapshot(current, OBJECTIVE_AUDIT_FIELDS), by)


@transaction.atomic
def objective_restore(*, entry: AuditEntry, by: AbstractBaseUser | None = None) -> Objective:
    """Undo an objective's removal: create it again from the values its entry kept (its
    owner only if they are still a member; the title's uniqueness holds as for a new one)."""
    if entry.action != "removed" or entry.object_type != "objective":
        raise ValidationError("Only a removed objective can be put back here.", code="not_removal")
    Organization.lock(entry.organization_id)
    _refuse_undone_twice(entry)
    kept = _kept(entry)
    owner_id = (kept.get("owner") or {}).get("id")
    owner = Member.objects.filter(organization_id=entry.organization_id, pk=owner_id).first()
    target = kept.get("target_value")
    return objective_create(
        organization=Organization.objects.get(pk=entry.organization_id),
        title=kept["title"],
        description=kept.get("description") or "",
        emphasis=kept["emphasis"],
        owner=owner,
        starts_on=_date(kept["starts_on"]),
        ends_on=_date(kept.get("ends_on")),
        status=kept.get("status") or Objective.Status.ACTIVE,
        target_value=Decimal(str(target)) if target not in (None, "") else None,
        target_unit=kept.get("target_unit") or "",
        by=by,
        restores=entry.pk,
    )


def move_removal_problem(move: QuadrantMove, member: Member) -> ValidationError | None:
    """Why the move cannot be taken back (None when it can): only a member's latest move, and
    only while nothing depends on it."""
    latest = QuadrantMove.objects.filter(member=member).order_by("-moved_on", "-id").first()
    if latest is None or latest.pk != move.pk:
        return ValidationError(
            "Only %(name)s's latest move can be removed; remove the later ones first.",
            code="not_latest",
            params={"name": member.name},
        )
    if member.quadrant != move.to_quadrant:
        return ValidationError(
            "%(name)s is no longer in %(quadrant)s, so this move cannot be taken back.",
            code="moved_since",
            params={"name": member.name, "quadrant": _quadrant(move.to_quadrant)},
        )
    depending = relationships_broken_by_move(member, move.from_quadrant, move.moved_on)
    if depending:
        return ValidationError(
            "%(listed)s depend%(s)s on the move: end or remove %(them)s first.",
            code="relationships_depend",
            params={
                "listed": "; ".join(
                    f"{r.from_member.name} → {r.to_member.name} "
                    f"({r.get_type_display().lower()} in {r.partnership.name})"
                    for r in depending
                ),
                "s": "s" if len(depending) == 1 else "",
                "them": "it" if len(depending) == 1 else "them",
            },
        )
    return None


@transaction.atomic
def member_move_remove(*, move: QuadrantMove, by: AbstractBaseUser | None = None) -> Member:
    """Remove a quadrant move made by mistake: the member is back in the quadrant they came
    from, and their relationships in force from the move's day carry it again.

    Refused unless it is the member's latest move and no relationship in force from that day
    needs the new quadrant for its type (end or remove those first: move_removal_problem).
    Relationships the move ended stay ended: add them again if they should go on.
    """
    Organization.lock(move.organization_id)
    member = Member.objects.select_for_update().get(
        organization_id=move.organization_id, pk=move.member_id
    )
    problem = move_removal_problem(move, member)
    if problem is not None:
        raise problem
    member.quadrant = move.from_quadrant
    member.save(update_fields=["quadrant", "updated_at"])
    in_force = Relationship.objects.filter(organization_id=member.organization_id).not_ended_by(
        move.moved_on
    )
    in_force.filter(from_member=member).update(from_quadrant=move.from_quadrant)
    in_force.filter(to_member=member).update(to_quadrant=move.from_quadrant)
    audit_record(
        by=by,
        action="move removed",
        obj=member,
        before={"quadrant": move.to_quadrant, "moved_on": move.moved_on.isoformat()},
        after={"quadrant": move.from_quadrant},
    )
    move.delete()
    return member


@transaction.atomic
def member_remove(*, member: Member, by: AbstractBaseUser | None = None) -> AuditEntry:
    """Remove a person or team added by mistake, with their team seats and quadrant moves;
    refused while anything names them (a relationship, a session, a login, an objective...):
    archive them then. One entry keeps the member's values, one each seat's."""
    Organization.lock(member.organization_id)
    current = Member.objects.select_for_update().get(
        organization_id=member.organization_id, pk=member.pk
    )
    _refuse_removal(current, "Archive them instead: they stay in the history.")
    seats = TeamMembership.objects.filter(Q(team=current) | Q(person=current))
    AuditEntry.objects.bulk_create(
        [
            audit_entry(
                by=by, action="removed", obj=seat, before=snapshot(seat, ["team", "person"])
            )
            for seat in seats.select_related("team", "person")
        ]
    )
    return _removed(current, snapshot(current, org_services.MEMBER_AUDIT_FIELDS), by)
