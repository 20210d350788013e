"""Applying a scenario: every step's recorded live facts checked again, then the steps
replayed through the services that the live pages use, in one transaction, audited as one
change set (an entry for the scenario listing the entries its steps wrote)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from org import dates
from org import services as org_services
from org.audit import audit_record
from org.models import AuditEntry, Member, Organization, OrgMembership, TeamMembership
from partnerships import services
from partnerships.models import Relationship
from scenarios.facts import conflicts
from scenarios.models import Scenario, ScenarioStep, StepKind

# The kinds of step that change the organization's structure: only admins apply them, as
# only admins make those changes on the live pages.
STRUCTURE_KINDS = {
    StepKind.MOVE,
    StepKind.ARCHIVE,
    StepKind.SEAT,
    StepKind.UNSEAT,
    StepKind.MERGE_TEAMS,
}


@dataclass(frozen=True)
class Conflict:
    step: ScenarioStep
    reasons: tuple[str, ...]

    @property
    def words(self) -> str:
        return f"Step {self.step.position} ({self.step.label}): " + " ".join(self.reasons)


class ApplyRefused(Exception):
    def __init__(self, found: list[Conflict]) -> None:
        super().__init__("; ".join(conflict.words for conflict in found))
        self.conflicts = found


def too_late(scenario: Scenario) -> str:
    """Why the scenario cannot be applied on its effective date any more ("" when it can)."""
    if scenario.effective_on < scenario.organization.today():
        return (
            f"Its effective date, {dates.day(scenario.effective_on)}, has passed: give it "
            "today's date or a later one (Rename or re-date) before applying it."
        )
    return ""


def who_may_apply(scenario: Scenario, steps: list[ScenarioStep], membership: OrgMembership) -> str:
    """Why this person may not apply the scenario ("" when they may)."""
    if not scenario.is_draft:
        return "This scenario was applied already; it is read-only."
    if membership.is_admin:
        return ""
    if not membership.is_leader:
        return "Only the organization's admins and leaders apply scenarios."
    structural = [step.position for step in steps if step.kind in STRUCTURE_KINDS]
    if structural:
        listed = ", ".join(str(p) for p in structural)
        return (
            f"Step{'s' if len(structural) > 1 else ''} {listed} change the organization's "
            "structure (quadrants, archives, team seats), which only admins change: ask an "
            "admin to apply this scenario."
        )
    return ""


def find_conflicts(scenario: Scenario, steps: list[ScenarioStep]) -> list[Conflict]:
    found = []
    for step in steps:
        reasons = conflicts(step, scenario.effective_on)
        if reasons:
            found.append(Conflict(step, tuple(reasons)))
    return found


def _replay(
    step: ScenarioStep, scenario: Scenario, by: AbstractBaseUser | None, acting: OrgMembership
) -> None:
    day = scenario.effective_on
    organization_id = scenario.organization_id
    members = Member.objects.filter(organization_id=organization_id)
    if step.kind == StepKind.MOVE:
        services.member_move_checked(
            member=members.get(pk=step.member_id),
            to_quadrant=step.to_quadrant,
            on=day,
            by=by,
            end_conflicting=True,
        )
    elif step.kind == StepKind.ARCHIVE:
        services.member_archive(member=members.get(pk=step.member_id), on=day, by=by)
    elif step.kind == StepKind.ADD_RELATIONSHIP:
        partnership = step.partnership
        assert partnership is not None
        services.relationship_add(
            partnership=partnership,
            from_member=members.get(pk=step.member_id),
            to_member=members.get(pk=step.other_id),
            starts_on=day,
            carries=step.carries,
            by=by,
            acting=acting,
        )
    elif step.kind == StepKind.END_RELATIONSHIP:
        relationship = Relationship.objects.get(
            organization_id=organization_id, pk=step.relationship_id
        )
        services.relationship_end(relationship=relationship, on=day, by=by, acting=acting)
    elif step.kind == StepKind.SEAT:
        team, person = members.get(pk=step.member_id), members.get(pk=step.other_id)
        org_services.team_add_person(team=team, person=person, by=by)
        services.team_seat_line_add(team=team, person=person, on=day, by=by)
    elif step.kind == StepKind.UNSEAT:
        team, person = members.get(pk=step.member_id), members.get(pk=step.other_id)
        org_services.team_remove_person(team=team, person=person, by=by)
        services.team_seat_line_end(team=team, person=person, on=day, by=by)
    elif step.kind == StepKind.MERGE_TEAMS:
        merged, into = members.get(pk=step.member_id), members.get(pk=step.other_id)
        for seat in TeamMembership.objects.filter(team=merged).select_related("person"):
            person = seat.person
            org_services.team_remove_person(team=merged, person=person, by=by)
            services.team_seat_line_end(team=merged, person=person, on=day, by=by)
            if person.is_active_on(day) and not into.team_seats.filter(person=person).exists():
                org_services.team_add_person(team=into, person=person, by=by)
                services.team_seat_line_add(team=into, person=person, on=day, by=by)
        services.member_archive(member=merged, on=day, by=by)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


@transaction.atomic
def scenario_apply(*, scenario: Scenario, membership: OrgMembership) -> AuditEntry:
    """Apply the scenario as of its effective date, or raise ApplyRefused listing, step by
    step, what changed in the live data under it (or what the services refused); nothing is
    written then. PermissionDenied when the person may not apply it."""
    Organization.lock(scenario.organization_id)
    scenario = Scenario.objects.select_for_update().get(
        organization_id=scenario.organization_id, pk=scenario.pk
    )
    steps = list(scenario.steps.select_related("partnership").order_by("position"))
    refusal = who_may_apply(scenario, steps, membership)
    if refusal:
        raise PermissionDenied(refusal)
    late = too_late(scenario)
    if late:
        raise ValidationError(late, code="too_late")
    found = find_conflicts(scenario, steps)
    if found:
        raise ApplyRefused(found)
    by = membership.user
    first_entry = (
        AuditEntry.objects.filter(organization_id=scenario.organization_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )
    for step in steps:
        try:
            with transaction.atomic():
                _replay(step, scenario, by, membership)
        except (ValidationError, PermissionDenied, Member.DoesNotExist) as error:
            reason = _messages(error) if isinstance(error, ValidationError) else str(error)
            transaction.set_rollback(True)
            raise ApplyRefused(
                [Conflict(step, (reason or "The step no longer applies.",))]
            ) from error
    written = list(
        AuditEntry.objects.filter(organization_id=scenario.organization_id, pk__gt=first_entry)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    scenario.status = Scenario.Status.APPLIED
    scenario.applied_at = timezone.now()
    scenario.applied_by = by
    scenario.save(update_fields=["status", "applied_at", "applied_by"])
    return audit_record(
        by=by,
        action="applied",
        obj=scenario,
        after={
            "effective_on": scenario.effective_on.isoformat(),
            "steps": [step.label for step in steps],
            "entries": written,
        },
    )
