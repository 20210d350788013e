"""Writes to scenarios: drafting a step. (Applying one is scenarios/apply.py.)

A step is checked against the scenario as drafted so far (its earlier steps laid over the
live data, scenarios/state.py) with the rules the live services use, and against who may
make that change (partnerships/access.py); its label is written in words and the live facts
it relies on are recorded for the apply's conflict check. Only scenario rows are written.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from org.audit import audit_record
from org.models import OrgMembership
from partnerships import access, rules
from partnerships.models import Partnership
from scenarios import compare
from scenarios.facts import live_facts
from scenarios.models import Scenario, ScenarioStep, StepKind
from scenarios.state import World


def require_draft(scenario: Scenario) -> None:
    if not scenario.is_draft:
        raise PermissionDenied("This scenario was applied; it is read-only.")


def label(step: ScenarioStep, world: World) -> str:
    """The step in words, with the names as the scenario has them before it."""
    name = world.name
    if step.kind == StepKind.MOVE:
        person = world.members.get(step.member_id)
        if person is None:
            raise ValidationError(
                {"member": "That member is not active on the effective day in this scenario."}
            )
        return (
            f"Move {person.name} from {rules.QUADRANT_NAMES[person.quadrant]} to "
            f"{rules.QUADRANT_NAMES[step.to_quadrant]}"
        )
    if step.kind == StepKind.ARCHIVE:
        return f"Archive {name(step.member_id)}"
    if step.kind == StepKind.ADD_RELATIONSHIP:
        return (
            f"Add {name(step.member_id)} → {name(step.other_id)} in "
            f"{world.partnerships.get(step.partnership_id, ('a partnership',))[0]}"
        )
    if step.kind == StepKind.END_RELATIONSHIP:
        line = world.lines.get(step.relationship_id)
        if line is None:
            raise ValidationError(
                "That relationship is not active on the effective day in this scenario."
            )
        return f"End {world.line_words(line)}"
    if step.kind == StepKind.SEAT:
        return f"Seat {name(step.other_id)} on {name(step.member_id)}"
    if step.kind == StepKind.MERGE_TEAMS:
        return f"Merge {name(step.member_id)} into {name(step.other_id)}"
    return f"Take {name(step.other_id)} off {name(step.member_id)}"


def _refusal(step: ScenarioStep, world: World, membership: OrgMembership) -> str:
    """Why the person may not draft this change of a relationship ("" when they may)."""
    if step.kind == StepKind.ADD_RELATIONSHIP:
        partnership_pk, ends = step.partnership_id, (step.member_id, step.other_id)
    elif step.kind == StepKind.END_RELATIONSHIP:
        line = world.lines.get(step.relationship_id)
        if line is None:
            return ""  # the world says it is not active (World.apply)
        partnership_pk, ends = line.partnership, (line.from_member, line.to_member)
    else:
        return ""
    partnership = Partnership.objects.filter(
        organization=membership.organization, pk=partnership_pk
    ).first()
    if partnership is None:
        return "That partnership is not in this organization."
    return access.relationship_refusal(membership, partnership, *ends)


def step_draft(
    *,
    scenario: Scenario,
    step: ScenarioStep,
    membership: OrgMembership,
    world: World | None = None,
) -> ScenarioStep:
    """Add `step` (unsaved, its kind and fields set) at the end of the scenario, or raise
    ValidationError keyed as scenarios/state.py keys it. `world`: the scenario as drafted so
    far, when the caller holds it (it is updated with the step)."""
    require_draft(scenario)
    if world is None:
        world = compare.after_world(scenario)
    step.organization_id = scenario.organization_id
    step.scenario = scenario
    step.position = (scenario.steps.aggregate(n=Max("position"))["n"] or 0) + 1
    refusal = _refusal(step, world, membership)
    if refusal:
        raise ValidationError(refusal, code="not_allowed")
    words = label(step, world)
    also = world.apply(step)
    if also and step.kind == StepKind.SEAT:
        words += f" ({also[0]})"
    elif also:
        words += f" (also ends {len(also)} relationship{'s' if len(also) > 1 else ''})"
    step.label = words[:400]
    step.recorded = live_facts(step, scenario.effective_on)
    with transaction.atomic():
        step.save()
        audit_record(
            by=membership.user,
            action="step added",
            obj=scenario,
            after={"step": step.position, "label": step.label},
        )
    return step
