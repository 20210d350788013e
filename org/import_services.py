"""Applying an import: one transaction that makes the organization what the file says.

The plan (org.imports.plan_import) says what the file holds; the preview, computed again
here under a lock on the organization's row, says what must change. Applying writes exactly
that, in bulk, or nothing at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from org.imports import CHAIN_OF_COMMAND, ImportPlan, Preview, preview_import
from org.models import Member, Organization, Quadrant, QuadrantMove, TeamMembership
from partnerships import services as partnership_services
from partnerships.models import Objective, Relationship

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


@transaction.atomic
def organization_import(
    *,
    organization: Organization,
    plan: ImportPlan,
    by: AbstractBaseUser | None = None,
    fingerprint: str | None = None,
) -> Preview:
    """Apply a plan: create, update and archive members, seat people on teams, and keep the
    reporting lines in the Chain of command partnership. Returns the preview it applied.

    Raises ImportRefused when the file has errors and StalePreview when `fingerprint` (the
    preview the user saw) no longer matches; in both cases nothing is written.
    """
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    preview = preview_import(organization, plan)
    if not preview.ok:
        raise ImportRefused(preview)
    if fingerprint is not None and fingerprint != preview.fingerprint():
        raise StalePreview(preview)
    if not preview.has_changes:
        return preview
    _write_members(organization, preview, by)
    ids = dict(
        Member.objects.for_org(organization)
        .exclude(external_id="")
        .values_list("external_id", "id")
    )
    _write_seats(organization, preview, ids)
    _write_relationships(organization, preview, ids)
    return preview


def _write_members(
    organization: Organization, preview: Preview, by: AbstractBaseUser | None
) -> None:
    plan, today, now = preview.plan, preview.today, timezone.now()
    rows = {person.external_id: person for person in plan.people}
    created = []
    for ext in preview.to_create:
        if ext in plan.teams:
            created.append(
                Member(
                    organization=organization,
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
                    organization=organization,
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

    updated = []
    for ext in preview.to_update:
        current = preview.current[ext]
        active_until = current.active_until
        if active_until is not None and active_until <= today:
            active_until = None  # back from the archive
        member = Member(
            id=current.id,
            organization=organization,
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
    Member.objects.bulk_update(
        updated,
        ["name", "title", "email", "quadrant", "active_until", "updated_at"],
        batch_size=BULK,
    )
    QuadrantMove.objects.bulk_create(
        [
            QuadrantMove(
                organization=organization,
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
    for chunk in _chunks(preview.to_archive):
        leavers.filter(pk__in=chunk, active_from__lt=today).update(
            active_until=today, updated_at=now
        )
        for member in leavers.filter(pk__in=chunk, active_from__gte=today):
            member.active_until = member.active_from + datetime.timedelta(days=1)
            member.save(update_fields=["active_until", "updated_at"])


def _write_seats(organization: Organization, preview: Preview, ids: dict[str, int]) -> None:
    for chunk in _chunks(preview.seats_to_remove):
        TeamMembership.objects.filter(organization=organization, pk__in=chunk).delete()
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(organization=organization, team_id=ids[team], person_id=ids[person])
            for team, person in sorted(preview.seats_to_add)
        ],
        batch_size=BULK,
    )


def _write_relationships(organization: Organization, preview: Preview, ids: dict[str, int]) -> None:
    today = preview.today
    relationships = Relationship.objects.filter(organization=organization)
    for chunk in _chunks(preview.relationships_to_delete):
        relationships.filter(pk__in=chunk).delete()
    for chunk in _chunks(preview.relationships_to_end):
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
    if not preview.lines_to_add:
        return
    chain_id = preview.chain_id or _form_chain_of_command(organization, today).pk
    quadrants = preview.plan.quadrants
    Relationship.objects.bulk_create(
        [
            Relationship(
                organization=organization,
                partnership_id=chain_id,
                from_member_id=ids[manager],
                to_member_id=ids[report],
                from_quadrant=quadrants[manager],
                to_quadrant=quadrants[report],
                type=kind,
                starts_on=today,
            )
            for manager, report, kind in preview.lines_to_add
        ],
        batch_size=BULK,
    )


def _form_chain_of_command(organization: Organization, today: datetime.date):
    objective = partnership_services.objective_create(
        organization=organization,
        title=CHAIN_OF_COMMAND,
        emphasis=Objective.Emphasis.OPERATING_PHILOSOPHY,
        starts_on=today,
        description="The reporting lines from the HR system: who assigns whose daily work. "
        "Kept by the CSV import.",
    )
    return partnership_services.partnership_form(
        organization=organization,
        objective=objective,
        name=CHAIN_OF_COMMAND,
        formed_on=today,
        purpose="Reporting lines, as the HR system has them; each import brings them up to date.",
    )
