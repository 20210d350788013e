"""The risks grouped into the few changes that matter, each with the relationships that would
close it: pure functions over the analysed graph (graph.py's), no ORM.

Risks of the same kind, in the same quadrant, reached by the same channels share one remedy
and form one group ("242 employees are reached only through the chain of command"). Groups
are ranked by the people they concern times their severity. Where the remedy is a set of
relationships the rule of types allows (an influential relationship from the manager who
guides an employee's team; an influential relationship from the leader above the manager who
guides a team), the group carries them as proposals; other groups name the form to use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from partnerships import graph
from partnerships.graph import MemberCoverage, Risk, RiskKind, Severity
from partnerships.rules import (
    CHAIN_OF_COMMAND,
    DIRECT,
    EMPLOYEES,
    GUIDANCE,
    INFLUENTIAL,
    LEADERSHIP,
    MANAGERS,
    QUADRANT_NOUNS,
    TEAM_STEWARDSHIP,
    TEAMS,
    type_for_quadrants,
)

# How many of the people or teams a group concerns its card names.
NAMED = 5

# Each kind of risk in a few words, for the trend table.
KIND_WORDS = {
    RiskKind.ORPHAN: "Never reached",
    RiskKind.SINGLE_POINT: "Carry every path to others",
    RiskKind.ONE_CHANNEL: "Reached through one channel only",
    RiskKind.NO_DIRECT_LINE: "Employees without a direct line",
    RiskKind.TEAM_NOT_INFLUENCED: "Teams no leader influences",
    RiskKind.MANAGER_GUIDES_NO_TEAM: "Managers who guide no team",
    RiskKind.PARTNERSHIP_MISSING_CHANNEL: "Partnerships lacking a channel",
}


@dataclass(frozen=True)
class RiskGroup:
    """Risks of one kind sharing one remedy, as one card."""

    key: str  # stable while the kind of problem lasts: "one_channel:E:direct"
    kind: RiskKind
    severity: Severity
    quadrant: str | None  # of the members at risk; None for partnerships
    count: int  # risks in the group
    affected: int  # members concerned, added up over its risks
    sentence: str
    next_step: str
    named: tuple[tuple[int, str], ...]  # (member or partnership id, name): the most affected
    # The relationships the remedy adds, as (from member, to member): plain tuples, cheap to
    # keep in the cache at 10,000 members; all of one type, which follows from the quadrants.
    proposals: tuple[tuple[int, int], ...] = ()
    proposal_type: str = ""
    remedy: str = ""  # the proposals in words ("" when the remedy is not relationships)
    # The add-relationship form to open, filled in: (partnership id, from name, to name).
    prefill: tuple[int, str, str] | None = None

    @property
    def score(self) -> int:
        return self.affected * int(self.severity)

    @property
    def names_partnerships(self) -> bool:
        return self.kind == RiskKind.PARTNERSHIP_MISSING_CHANNEL


def group_key(risk: Risk, quadrant: str | None, channels: Iterable[str] = ()) -> str:
    if risk.kind == RiskKind.ONE_CHANNEL:
        return f"{risk.kind}:{quadrant}:{'+'.join(sorted(channels))}"
    return f"{risk.kind}:{quadrant or '-'}"


def _plural(count: int, quadrant: str) -> str:
    return f"{count} {QUADRANT_NOUNS[quadrant]}{'s' if count != 1 else ''}"


def _sentence(kind: RiskKind, quadrant: str | None, risks: Sequence[Risk], channels) -> str:
    count = len(risks)
    if count == 1:
        return risks[0].sentence
    many = _plural(count, quadrant) if quadrant else ""
    match kind:
        case RiskKind.ONE_CHANNEL if set(channels) == {DIRECT}:
            return f"{many} are reached only through the chain of command (a direct line)."
        case RiskKind.ONE_CHANNEL:
            (channel,) = channels
            return f"{many} hear the objective through the {channel} channel only."
        case RiskKind.ORPHAN:
            return f"The objective never reaches {many}: no chain of relationships leads there."
        case RiskKind.SINGLE_POINT:
            most = max(risk.affected for risk in risks)
            return (
                f"{many} each carry every path from leadership to the members below them "
                f"(up to {most} members)."
            )
        case RiskKind.NO_DIRECT_LINE:
            return f"{many} have no direct line: nobody assigns their daily work."
        case RiskKind.TEAM_NOT_INFLUENCED:
            return f"No leader influences {many}."
        case RiskKind.MANAGER_GUIDES_NO_TEAM:
            return f"{many} guide no team."
        case _:
            return f"{count} partnerships lack a channel."


_NEXT_STEPS = {
    RiskKind.ORPHAN: "Connect each of them to someone the message reaches.",
    RiskKind.SINGLE_POINT: "Give the members below each of them a second way in.",
    RiskKind.NO_DIRECT_LINE: "Add a direct line from the team that assigns their work.",
    RiskKind.TEAM_NOT_INFLUENCED: "Add an influential relationship from a leader to each team.",
    RiskKind.MANAGER_GUIDES_NO_TEAM: "Add a guidance relationship from each to a team.",
    RiskKind.PARTNERSHIP_MISSING_CHANNEL: "Add the missing channel to each partnership.",
    RiskKind.ONE_CHANNEL: "Add a second channel to each of them.",
}


@dataclass(frozen=True)
class _Lines:
    """The analysed graph's relationships and quadrants as networkx keeps them, plain dicts:
    g.pred, g.succ and g.nodes build a view on every lookup, and proposing for thousands of
    members makes hundreds of thousands of them. Read once per grouping."""

    successors: dict[int, dict[int, dict]]
    senders: dict[int, dict[int, dict]]
    quadrant: dict[int, str]

    @classmethod
    def of(cls, g: nx.DiGraph) -> _Lines:
        return cls(
            dict(g.adjacency()),
            graph.senders_of(g),
            dict(g.nodes(data="quadrant")),
        )


def _first_of_type(lines: _Lines, member: int, kind: str, quadrant: str) -> list[int]:
    """The members of `quadrant` sending `member` a relationship of `kind`, by id."""
    quadrant_of = lines.quadrant
    return sorted(
        source
        for source, data in lines.senders[member].items()
        if data["type"] == kind and quadrant_of[source] == quadrant
    )


def steward_of_team(lines: _Lines, team: int) -> int | None:
    """The manager who guides a team (the lowest id when several do), or None."""
    found = _first_of_type(lines, team, GUIDANCE, MANAGERS)
    return found[0] if found else None


def _propose(
    lines: _Lines, kind: RiskKind, quadrant: str | None, channels, members: Sequence[int]
) -> tuple[tuple[int, int], ...]:
    """The influential relationships (from, to) that close the group, for the members a clear
    sender exists for."""
    found: list[tuple[int, int]] = []
    quadrant_of = lines.quadrant
    if kind == RiskKind.ONE_CHANNEL and quadrant == EMPLOYEES and set(channels) == {DIRECT}:
        # an influential relationship from the manager who guides the employee's team
        for employee in members:
            for team in _first_of_type(lines, employee, DIRECT, TEAMS):
                manager = steward_of_team(lines, team)
                if manager is not None:
                    found.append((manager, employee))
                    break
    elif quadrant == TEAMS and (
        kind == RiskKind.TEAM_NOT_INFLUENCED
        or (kind == RiskKind.ONE_CHANNEL and INFLUENTIAL not in channels)
    ):
        # an influential relationship from the leader who directs the team's steward
        for team in members:
            manager = steward_of_team(lines, team)
            leaders = _first_of_type(lines, manager, DIRECT, LEADERSHIP) if manager else []
            if leaders:
                found.append((leaders[0], team))
    elif kind == RiskKind.SINGLE_POINT and quadrant == TEAMS:
        # a second way in for the employees who hear only this team: an influential
        # relationship from the manager who guides it
        for team in members:
            manager = steward_of_team(lines, team)
            if manager is None:
                continue
            for employee, data in sorted(lines.successors[team].items()):  # by id, every time
                if (
                    data["type"] == DIRECT
                    and quadrant_of[employee] == EMPLOYEES
                    and lines.senders[employee].keys() == {team}
                ):
                    found.append((manager, employee))
    elif kind == RiskKind.SINGLE_POINT and quadrant == MANAGERS:
        # a second way in for the teams this manager alone reaches: an influential
        # relationship from the leader who directs the manager
        for manager in members:
            leaders = _first_of_type(lines, manager, DIRECT, LEADERSHIP)
            if not leaders:
                continue
            for team, data in sorted(lines.successors[manager].items()):  # by id, every time
                if (
                    data["type"] == GUIDANCE
                    and quadrant_of[team] == TEAMS
                    and not _first_of_type(lines, team, INFLUENTIAL, LEADERSHIP)
                ):
                    found.append((leaders[0], team))
    found = list(dict.fromkeys(pair for pair in found if pair[1] not in lines.successors[pair[0]]))
    assert all(type_for_quadrants(quadrant_of[a], quadrant_of[b]) == INFLUENTIAL for a, b in found)
    return tuple(found)


def _remedy_words(proposals: Sequence[tuple[int, int]], g: nx.DiGraph) -> str:
    if not proposals:
        return ""
    senders = {source for source, _target in proposals}
    sender_q = g.nodes[proposals[0][0]]["quadrant"]
    target_q = g.nodes[proposals[0][1]]["quadrant"]
    kind = INFLUENTIAL
    return (
        f"Add {kind} relationships from {_plural(len(senders), sender_q)} to their "
        f"{_plural(len(proposals), target_q)}"
        + (
            " (the manager who guides each employee's team)."
            if target_q == EMPLOYEES
            else " (the leader who directs the manager guiding each team)."
        )
    )


def _prefill(
    g: nx.DiGraph, risk: Risk, partnerships: Mapping[int, Iterable[tuple[int, int, str]]]
) -> tuple[int, str, str] | None:
    """For a partnership lacking a channel: the relationship completing one of its triads,
    as the add form's two names, when there is one."""
    edges = list(partnerships.get(risk.partnership_id, ()))
    if not edges or not all(m in g for m in risk.member_ids):
        return None
    quadrant_of = {m: g.nodes[m]["quadrant"] for m in risk.member_ids}
    found = graph.triad_completions(edges, quadrant_of, type_for_quadrants)
    if not found:
        return None
    first = found[0]
    return (
        risk.partnership_id,
        graph.member_label(g, first["from"]),
        graph.member_label(g, first["to"]),
    )


def group_risks(
    g: nx.DiGraph,
    risks: Sequence[Risk],
    members: Mapping[int, MemberCoverage],
    partnership_names: Mapping[int, str],
    partnerships: Mapping[int, Iterable[tuple[int, int, str]]] | None = None,
) -> list[RiskGroup]:
    """Every risk in exactly one group; groups ranked by people concerned × severity."""
    lines = _Lines.of(g)
    buckets: dict[str, list[Risk]] = defaultdict(list)
    about: dict[str, tuple[RiskKind, str | None, tuple[str, ...]]] = {}
    for risk in risks:
        if risk.kind == RiskKind.PARTNERSHIP_MISSING_CHANNEL:
            quadrant, channels = None, ()
        else:
            member = members[risk.member_ids[0]]
            quadrant = member.quadrant
            channels = tuple(sorted(member.channels)) if risk.kind == RiskKind.ONE_CHANNEL else ()
        key = group_key(risk, quadrant, channels)
        buckets[key].append(risk)
        about[key] = (risk.kind, quadrant, channels)
    groups = []
    for key, found in buckets.items():
        kind, quadrant, channels = about[key]
        found.sort(key=lambda risk: (-risk.affected, risk.member_ids, risk.partnership_id or 0))
        if kind == RiskKind.PARTNERSHIP_MISSING_CHANNEL:
            named = tuple(
                (r.partnership_id, partnership_names.get(r.partnership_id, "")) for r in found
            )
        else:
            named = tuple(  # a label only for those the card names
                (r.member_ids[0], graph.member_label(g, r.member_ids[0])) for r in found[:NAMED]
            )
        proposals = _propose(lines, kind, quadrant, channels, [r.member_ids[0] for r in found])
        prefill = None
        if kind == RiskKind.MANAGER_GUIDES_NO_TEAM:
            # the team stewardship partnership's form, from the first of them: a team to choose
            prefill = next(
                (
                    (pk, named[0][1], "")
                    for pk, name in partnership_names.items()
                    if name == TEAM_STEWARDSHIP
                ),
                None,
            )
        if kind == RiskKind.PARTNERSHIP_MISSING_CHANNEL:
            # never the chain of command: only its admins and the import change it
            open_to_leaders = [
                r for r in found if partnership_names.get(r.partnership_id) != CHAIN_OF_COMMAND
            ]
            prefill = next(
                (p for p in (_prefill(g, r, partnerships or {}) for r in open_to_leaders) if p),
                None,
            )
        groups.append(
            RiskGroup(
                key=key,
                kind=kind,
                severity=max(r.severity for r in found),
                quadrant=quadrant,
                count=len(found),
                affected=sum(r.affected for r in found),
                sentence=_sentence(kind, quadrant, found, channels),
                next_step=found[0].next_step[:1].upper() + found[0].next_step[1:] + "."
                if len(found) == 1
                else _NEXT_STEPS[kind],
                named=named[:NAMED],
                proposals=proposals,
                proposal_type=INFLUENTIAL if proposals else "",
                remedy=_remedy_words(proposals, g),
                prefill=prefill,
            )
        )
    groups.sort(key=lambda group: (-group.score, -group.severity, group.key))
    return groups
