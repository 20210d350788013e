"""Applying an import: one transaction that makes the organization what the file says.

The plan (transfer.imports.plan_import) says what the file holds; the preview, computed again
here under a lock on the organization's row, says what must change. Applying writes exactly
that, in bulk, or nothing at all.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from org.audit import audit_entry, json_value, snapshot
from org.models import AuditEntry, Member, Organization, Quadrant, QuadrantMove, TeamMembership
from org.services import MEMBER_AUDIT_FIELDS
from partnerships import services as partnership_services
from partnerships.models import Objective, Relationship
from transfer.imports import (
    CHAIN_OF_COMMAND,
    TEAM_STEWARDSHIP,
    ImportPlan,
    Preview,
    organization_titles,
    preview_import,
)

BATCH = 500  # ids per `IN (...)`: well inside SQLite's limit on query parameters
BULK = 2000  # rows per INSERT or UPDATE (Django lowers it further where SQLite needs it)


class ImportRefused(ValidationError):
    """The file has errors; `preview` lists them by line and column."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        errors = preview.errors
        first = "; ".join(str(p) for p in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(
            "The import was refused and nothing was changed: %(first)s%(more)s",
            code="import_refused",
            params={"first": first, "more": more},
        )


class ArchiveNotConfirmed(ValidationError):
    """The import archives more than a tenth of the active people and nobody confirmed it."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        super().__init__(
            "This import archives %(archived)s of the %(active)s active people. Nothing was "
            "changed: confirm the number of people it archives to apply it, or import the file "
            "as part of the organization, which archives nobody.",
            code="archive_not_confirmed",
            params={"archived": preview.people.archived, "active": preview.people_active},
        )


class StalePreview(ValidationError):
    """The organization changed since the preview was shown; `preview` is the new one."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview
        super().__init__(
            "The organization changed since this preview was made. Review the new preview and "
            "apply again.",
            code="stale_preview",
        )


def _chunks(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(model: type[Model], objs: Iterable[Model]) -> None:
    """Save new rows whose ids nobody reads back: with COPY on PostgreSQL, bulk_create
    elsewhere. A first import of 100,000 people writes some 300,000 relationships, seats and
    audit entries; COPY takes them several times faster than INSERTs of a few thousand rows,
    whose values Django sends as arrays. The table's constraints and triggers apply to COPY
    as to an INSERT, and each field gives its value as bulk_create would (pre_save fills
    `auto_now_add`). The statement is logged as a query when queries are (DEBUG, tests)."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BULK)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    started = time.monotonic()
    rows = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
            rows += 1
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {rows} rows", "time": f"{time.monotonic() - started:.3f}"}
        )


@transaction.atomic
def organization_import(
    *,
    organization: Organization,
    plan: ImportPlan,
    by: AbstractBaseUser | None = None,
    fingerprint: str | None = None,
    archive_missing: bool = False,
    archive_count: int | None = None,
) -> Preview:
    """Apply a plan: create, update and archive members, seat people on teams, keep the
    reporting lines in the Chain of command partnership and the teams' lines in Team
    stewardship. Returns the preview it applied.

    Raises ImportRefused when the file has errors, StalePreview when `fingerprint` (the
    preview the user saw) no longer matches, and ArchiveNotConfirmed when it would archive
    more than a tenth of the active people unless `archive_missing` is set or `archive_count`
    is that number; in each case nothing is written. Archiving a person takes them off their
    teams and ends their relationships, as of today, in this same transaction.

    The audit trail gets one entry per member it creates, changes or archives, written in
    bulk; a person's team seats and reporting line are part of their entry (joined teams,
    left teams, reports to), which keeps a first import of thousands of people fast.
    Relationships it ends in other partnerships get entries of their own.
    """
    organization = Organization.lock(organization.pk)
    preview = preview_import(organization, plan)
    if not preview.ok:
        raise ImportRefused(preview)
    if fingerprint is not None and fingerprint != preview.fingerprint():
        raise StalePreview(preview)
    if preview.archives_many and not (archive_missing or archive_count == preview.people.archived):
        raise ArchiveNotConfirmed(preview)
    _keep_titles(organization, plan)
    if not preview.has_changes:
        return preview
    audit = _Audit(organization=organization, by=by, at=timezone.now())
    _write_members(organization, preview, by, audit)
    ids = dict(
        Member.objects.for_org(organization)
        .exclude(external_id="")
        .values_list("external_id", "id")
    )
    _write_seats(organization, preview, ids, audit)
    _write_relationships(organization, preview, ids, audit)
    _insert(AuditEntry, audit.entries())
    return preview


@dataclass
class _MemberChange:
    action: str
    name: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


class _Audit:
    """The import's audit entries, gathered while it writes and saved in bulk at the end:
    one per member, whatever happened to them, and one per relationship ended elsewhere."""

    def __init__(
        self, *, organization: Organization, by: AbstractBaseUser | None, at: datetime.datetime
    ) -> None:
        self.organization, self.by, self.at = organization, by, at
        self.members: dict[int, _MemberChange] = {}
        self.others: list[AuditEntry] = []

    def member(
        self,
        member_id: int,
        name: str,
        action: str = "changed",
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> _MemberChange:
        change = self.members.setdefault(member_id, _MemberChange(action, name))
        if action != "changed":
            change.action = action
        change.before.update(before or {})
        change.after.update(after or {})
        return change

    def team_seat(self, person_id: int, person: str, team: dict, *, joined: bool) -> None:
        change = self.member(person_id, person)
        side, key = (change.after, "joined_teams") if joined else (change.before, "left_teams")
        side.setdefault(key, []).append(team)

    def relationship(self, action: str, obj: Relationship, name: str, before, after) -> None:
        self.others.append(self._entry(action, obj, name, before, after))

    def _entry(self, action: str, obj, name: str, before, after) -> AuditEntry:
        return audit_entry(
            by=self.by,
            action=action,
            obj=obj,
            before=before,
            after=after,
            object_repr=name,
            at=self.at,
        )

    def entries(self) -> Iterator[AuditEntry]:
        """The entries that record a change, made one at a time as they are saved (a first
        import of 100,000 people need not hold them all at once)."""
        for pk, change in self.members.items():
            entry = self._entry(
                change.action,
                Member(id=pk, organization_id=self.organization.pk),
                change.name,
                change.before,
                change.after,
            )
            if entry.changes:
                yield entry
        yield from (entry for entry in self.others if entry.changes)


def _related(pk: int, name: str) -> dict:
    return {"id": pk, "repr": name}


def _write_members(
    organization: Organization, preview: Preview, by: AbstractBaseUser | None, audit: _Audit
) -> None:
    plan, today, now = preview.plan, preview.today, timezone.now()
    rows = {person.external_id: person for person in plan.people}
    created = []
    for ext in preview.to_create:
        if ext in plan.teams:
            created.append(
                Member(
                    organization_id=organization.pk,
                    kind=Member.Kind.TEAM,
                    quadrant=Quadrant.TEAMS,
                    name=plan.teams[ext],
                    external_id=ext,
                    active_from=today,
                )
            )
        else:
            person = rows[ext]
            created.append(
                Member(
                    organization_id=organization.pk,
                    kind=Member.Kind.PERSON,
                    quadrant=plan.quadrants[ext],
                    name=person.name,
                    title=person.title,
                    email=person.email,
                    external_id=ext,
                    active_from=today,
                )
            )
    Member.objects.bulk_create(created, batch_size=BULK)
    for member in created:
        audit.member(member.pk, member.name, "created", after=snapshot(member, MEMBER_AUDIT_FIELDS))

    updated = []
    for ext in preview.to_update:
        current = preview.current[ext]
        active_until = current.active_until
        if active_until is not None and active_until <= today:
            active_until = None  # back from the archive
        member = Member(
            id=current.id,
            organization_id=organization.pk,
            kind=current.kind,
            active_from=current.active_from,
            active_until=active_until,
            updated_at=now,
        )
        if ext in plan.teams:
            member.name, member.title, member.email = plan.teams[ext], "", current.email
            member.quadrant = Quadrant.TEAMS
        else:
            person = rows[ext]
            member.name, member.title, member.email = person.name, person.title, person.email
            member.quadrant = plan.quadrants[ext]
        updated.append(member)
        audit.member(
            member.pk,
            member.name,
            before={
                "quadrant": current.quadrant,
                "name": current.name,
                "title": current.title,
                "email": current.email,
                "active_until": json_value(current.active_until),
            },
            after=snapshot(member, ["quadrant", "name", "title", "email", "active_until"]),
        )
    Member.objects.bulk_update(
        updated,
        ["name", "title", "email", "quadrant", "active_until", "updated_at"],
        batch_size=BULK,
    )
    QuadrantMove.objects.bulk_create(
        [
            QuadrantMove(
                organization_id=organization.pk,
                member_id=member_id,
                from_quadrant=before,
                to_quadrant=after,
                moved_on=today,
                moved_by=by,
            )
            for member_id, before, after in preview.moves
        ],
        batch_size=BULK,
    )

    # Leavers are archived as of today; one who only started today stays active for that day,
    # since an end date must come after the start.
    leavers = Member.objects.filter(organization=organization)
    archived = set(preview.to_archive)
    for current in preview.current.values():
        if current.id in archived:
            until = max(today, current.active_from + datetime.timedelta(days=1))
            audit.member(
                current.id,
                current.name,
                "archived",
                before={"active_until": json_value(current.active_until)},
                after={"active_until": until.isoformat()},
            )
    for chunk in _chunks(preview.to_archive):
        leavers.filter(pk__in=chunk, active_from__lt=today).update(
            active_until=today, updated_at=now
        )
        for member in leavers.filter(pk__in=chunk, active_from__gte=today):
            member.active_until = member.active_from + datetime.timedelta(days=1)
            member.save(update_fields=["active_until", "updated_at"])


def _write_seats(
    organization: Organization, preview: Preview, ids: dict[str, int], audit: _Audit
) -> None:
    seat_fields = ["team_id", "team__name", "person_id", "person__name"]
    for chunk in _chunks(preview.seats_to_remove):
        seats = TeamMembership.objects.filter(organization=organization, pk__in=chunk)
        for team_id, team, person_id, person in seats.values_list(*seat_fields):
            audit.team_seat(person_id, person, _related(team_id, team), joined=False)
        seats.delete()
    _insert(
        TeamMembership,
        [
            TeamMembership(
                organization_id=organization.pk, team_id=ids[team], person_id=ids[person]
            )
            for team, person in sorted(preview.seats_to_add)
        ],
    )
    names = _names(preview)
    for team, person in sorted(preview.seats_to_add):
        team_ref = _related(ids[team], names[team])
        audit.team_seat(ids[person], names[person], team_ref, joined=True)


def _names(preview: Preview) -> dict[str, str]:
    """Member names by external id, as they are once the import is applied."""
    return (
        {ext: current.name for ext, current in preview.current.items()}
        | preview.plan.teams
        | {person.external_id: person.name for person in preview.plan.people}
    )


def _keep_titles(organization: Organization, plan: ImportPlan) -> None:
    """The leadership titles the proposal used become the organization's own list."""
    titles = plan.rules.leadership_titles
    if titles != organization_titles(organization):
        organization.leadership_titles = "\n".join(titles)
        organization.save(update_fields=["leadership_titles"])


def _write_relationships(
    organization: Organization, preview: Preview, ids: dict[str, int], audit: _Audit
) -> None:
    today = preview.today
    relationships = Relationship.objects.filter(organization=organization)
    for chunk in _chunks(preview.relationships_to_delete):
        _audit_relationships(audit, preview, relationships.filter(pk__in=chunk), None)
        relationships.filter(pk__in=chunk).delete()
    for chunk in _chunks(preview.relationships_to_end):
        _audit_relationships(audit, preview, relationships.filter(pk__in=chunk), today)
        relationships.filter(pk__in=chunk).update(ends_on=today)
    # Both quadrants in one statement per row, so that a row never breaks the rule in between.
    Relationship.objects.bulk_update(
        [
            Relationship(id=pk, from_quadrant=from_q, to_quadrant=to_q)
            for pk, from_q, to_q in preview.relationships_to_requadrant
        ],
        ["from_quadrant", "to_quadrant"],
        batch_size=BULK,
    )
    plan = preview.plan
    names = _names(preview)
    chain_id, objective_id = preview.chain_id, preview.chain_objective_id
    if preview.lines_to_add and chain_id is None:
        chain = _form_kept_partnership(organization, today, audit.by, CHAIN_OF_COMMAND, None)
        chain_id, objective_id = chain.pk, chain.objective_id
    if preview.team_lines_to_add and preview.stewardship_id is None:
        stewardship = _form_kept_partnership(
            organization, today, audit.by, TEAM_STEWARDSHIP, objective_id
        )
        preview.stewardship_id = stewardship.pk
    rows = (  # made as they are saved
        Relationship(
            organization_id=organization.pk,
            partnership_id=partnership_id,
            from_member_id=ids[source],
            to_member_id=ids[target],
            from_quadrant=plan.quadrant_of(source),
            to_quadrant=plan.quadrant_of(target),
            type=kind,
            starts_on=today,
        )
        for partnership_id, lines in (
            (chain_id, preview.lines_to_add),
            (preview.stewardship_id, preview.team_lines_to_add),
        )
        for source, target, kind in lines
    )
    _insert(Relationship, rows)
    for manager, report, _ in preview.lines_to_add:
        audit.member(
            ids[report], names[report], after={"reports_to": _related(ids[manager], names[manager])}
        )
    # A team's entry says what its lines became; one entry per team, not one per line.
    for source, target, kind in preview.team_lines_to_add:
        team, other = (source, target) if source in plan.teams else (target, source)
        key = "led_by" if team == target else "directs"
        change = audit.member(ids[team], names[team])
        change.after.setdefault(key, []).append(
            {**_related(ids[other], names[other]), "type": kind}
        )


def _audit_relationships(
    audit: _Audit,
    preview: Preview,
    relationships: QuerySet[Relationship],
    ends_on: datetime.date | None,
) -> None:
    """Entries for relationships about to end on `ends_on`, or to be deleted (None).

    A reporting line of the Chain of command is the report's "reports to", in their entry.
    """
    rows = relationships.values_list(
        "pk",
        "partnership_id",
        "partnership__name",
        "from_member_id",
        "from_member__name",
        "to_member_id",
        "to_member__name",
        "type",
        "starts_on",
        "ends_on",
    )
    for pk, p_id, p_name, from_id, from_name, to_id, to_name, type_, starts, ends in rows:
        if p_id == preview.chain_id:
            audit.member(to_id, to_name, before={"reports_to": _related(from_id, from_name)})
            continue
        obj = Relationship(id=pk, organization_id=audit.organization.pk)
        name = f"{from_name} → {to_name} ({type_})"
        if ends_on is not None:
            before, after = {"ends_on": json_value(ends)}, {"ends_on": ends_on.isoformat()}
            audit.relationship("ended", obj, name, before, after)
        else:
            before = {
                "partnership": _related(p_id, p_name),
                "from_member": _related(from_id, from_name),
                "to_member": _related(to_id, to_name),
                "type": type_,
                "starts_on": starts.isoformat(),
                "ends_on": json_value(ends),
            }
            audit.relationship("deleted", obj, name, before, None)


def _form_kept_partnership(
    organization: Organization,
    today: datetime.date,
    by: AbstractBaseUser | None,
    name: str,
    objective_id: int | None,
):
    """The Chain of command (with its objective) or Team stewardship (under the same
    objective, as the demo has them), formed by the first import that needs it."""
    if objective_id is None:
        objective = partnership_services.objective_create(
            organization=organization,
            title=CHAIN_OF_COMMAND,
            emphasis=Objective.Emphasis.OPERATING_PHILOSOPHY,
            starts_on=today,
            description="The reporting lines from the HR system: who assigns whose daily "
            "work, and which teams people work in. Kept by the HR import.",
            by=by,
        )
    else:
        objective = Objective.objects.get(organization=organization, pk=objective_id)
    purposes = {
        CHAIN_OF_COMMAND: "Reporting lines, as the HR system has them; each import brings "
        "them up to date.",
        TEAM_STEWARDSHIP: "Each team directs the employees on it; the manager above the team "
        "guides it and the leader above it influences it. Kept by the HR import.",
    }
    return partnership_services.partnership_form(
        organization=organization,
        objective=objective,
        name=name,
        formed_on=max(today, objective.starts_on),
        purpose=purposes[name],
        by=by,
    )
