"""What a step relies on in the live data, recorded when it is drafted and read again when
the scenario is applied: any difference is a conflict, said in words, step by step.

Facts are plain JSON: {key: value}. Keys name one live row ("member:12", "relationship:40",
"partnership:3", "seat:7:12") or the open relationships of one pair in one partnership
("pair:3:12:40").
"""

from __future__ import annotations

import datetime

from org.models import Member, TeamMembership
from partnerships.models import Partnership, Relationship
from partnerships.rules import QUADRANT_NAMES
from scenarios.models import ScenarioStep, StepKind

GONE = "gone"


def _member(pk: int | None) -> tuple[str, object]:
    member = Member.objects.filter(pk=pk).values("quadrant", "active_until").first()
    if member is None:
        return f"member:{pk}", GONE
    until = member["active_until"]
    return f"member:{pk}", {
        "quadrant": member["quadrant"],
        "active_until": until.isoformat() if until else None,
    }


def live_facts(step: ScenarioStep, day: datetime.date) -> dict[str, object]:
    """The live facts `step` relies on, read now (a few small queries)."""
    kind = step.kind
    facts: dict[str, object] = {}
    if kind in (StepKind.MOVE, StepKind.ARCHIVE):
        facts.update([_member(step.member_id)])
    elif kind == StepKind.ADD_RELATIONSHIP:
        facts.update([_member(step.member_id), _member(step.other_id)])
        partnership = (
            Partnership.objects.filter(pk=step.partnership_id).values("dissolved_on").first()
        )
        dissolved = partnership and partnership["dissolved_on"]
        facts[f"partnership:{step.partnership_id}"] = (
            GONE if partnership is None else {"dissolved_on": dissolved and dissolved.isoformat()}
        )
        facts[f"pair:{step.partnership_id}:{step.member_id}:{step.other_id}"] = (
            Relationship.objects.filter(
                partnership_id=step.partnership_id,
                from_member_id=step.member_id,
                to_member_id=step.other_id,
            )
            .not_ended_by(day)
            .count()
        )
    elif kind == StepKind.END_RELATIONSHIP:
        relationship = (
            Relationship.objects.filter(pk=step.relationship_id)
            .values("ends_on", "from_quadrant", "to_quadrant")
            .first()
        )
        if relationship is None:
            facts[f"relationship:{step.relationship_id}"] = GONE
        else:
            ends = relationship["ends_on"]
            facts[f"relationship:{step.relationship_id}"] = {
                "ends_on": ends.isoformat() if ends else None,
                "from_quadrant": relationship["from_quadrant"],
                "to_quadrant": relationship["to_quadrant"],
            }
    elif kind == StepKind.MERGE_TEAMS:
        facts.update([_member(step.member_id), _member(step.other_id)])
        for team in (step.member_id, step.other_id):
            facts[f"seats:{team}"] = sorted(
                TeamMembership.objects.filter(team_id=team).values_list("person_id", flat=True)
            )
    elif kind in (StepKind.SEAT, StepKind.UNSEAT):
        facts.update([_member(step.member_id), _member(step.other_id)])
        facts[f"seat:{step.member_id}:{step.other_id}"] = TeamMembership.objects.filter(
            team_id=step.member_id, person_id=step.other_id
        ).exists()
    return facts


def _words(key: str, before: object, now: object, names: dict[int, str]) -> str:
    kind, _, rest = key.partition(":")
    if kind == "member":
        name = names.get(int(rest), "A member")
        if now == GONE or before == GONE:
            return f"{name} was removed."
        assert isinstance(before, dict) and isinstance(now, dict)
        if before["quadrant"] != now["quadrant"]:
            return (
                f"{name} moved from {QUADRANT_NAMES[before['quadrant']]} to "
                f"{QUADRANT_NAMES[now['quadrant']]}."
            )
        if now["active_until"]:
            return f"{name} was archived (not active from {now['active_until']})."
        return f"{name}'s archive date changed."
    if kind == "partnership":
        if now == GONE:
            return "The partnership was removed."
        return (
            "The partnership was dissolved."
            if now and now.get("dissolved_on")
            else ("The partnership's dissolution changed.")
        )
    if kind == "pair":
        return "These two members now have a relationship in this partnership already."
    if kind == "relationship":
        if now == GONE:
            return "The relationship was removed."
        assert isinstance(now, dict)
        if now["ends_on"]:
            return f"The relationship already ends on {now['ends_on']}."
        return "The relationship changed."
    if kind == "seat":
        return "The team seat changed (someone added or removed it)."
    if kind == "seats":
        return "The team's people changed (someone was seated on it or taken off)."
    return "Something it relies on changed."


def conflicts(step: ScenarioStep, day: datetime.date) -> list[str]:
    """What changed in the live data under `step` since it was drafted, in words."""
    now = live_facts(step, day)
    changed = [key for key in step.recorded if step.recorded[key] != now.get(key, GONE)]
    if not changed:
        return []
    ids = [int(key.split(":")[1]) for key in changed if key.startswith("member:")]
    names = dict(Member.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [_words(key, step.recorded[key], now.get(key, GONE), names) for key in changed]
