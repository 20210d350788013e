"""Pure networkx functions over typed partnership graphs: no ORM here."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

import networkx as nx

from partnerships.rules import (
    CHANNELS,
    DIRECT,
    EMPLOYEES,
    GUIDANCE,
    INFLUENTIAL,
    LEADERSHIP,
    MANAGERS,
    POSSIBLE_CHANNELS,
    QUADRANT_NOUNS,
    QUADRANTS,
    TEAMS,
    article,
    flow_pairs,
    type_for_quadrants,
)

# --- analysis: channel coverage, risks, dominators, brokers ---
#
# The graph comes from build_graph(): nodes are member ids with a `quadrant` ("L", "M", "T",
# "E") and optionally a `name`; an edge u -> v has a `type` ("direct", "influential",
# "guidance") and a `count` of the relationships it stands for (two members may be joined in
# several partnerships, always with the same type, since the type follows from the quadrants).
# The message of an objective starts from every leadership member at once. Each measure below
# is one or two passes over the edges (one breadth-first search from all leaders, one
# topological pass over the direct lines, one dominator computation), so that an organization
# of 10,000 members and 50,000 relationships is analysed well within a second.

# Who may send a relationship of each type to a member of each quadrant (for next steps).
_SENDERS = {
    (LEADERSHIP, DIRECT): "another leader",
    (MANAGERS, DIRECT): "a leader or a senior manager",
    (TEAMS, DIRECT): "a parent team",
    (TEAMS, INFLUENTIAL): "a leader",
    (TEAMS, GUIDANCE): "a manager",
    (EMPLOYEES, DIRECT): "a team",
    (EMPLOYEES, INFLUENTIAL): "a manager",
    (EMPLOYEES, GUIDANCE): "a leader",
}


def build_graph(
    nodes: Iterable[tuple[int, str]],
    edges: Iterable[tuple[int, int, str]],
    *,
    names: Mapping[int, str] | None = None,
) -> nx.DiGraph:
    """The typed graph of an organization, or of one objective, from (member, quadrant) pairs
    and (from member, to member, type) relationships.

    Relationships joining the same two members in several partnerships become one edge with a
    `count`. Raises ValueError on an unknown quadrant or type, a relationship to a member not
    among `nodes`, a self-relationship, or two members joined with two different types.
    """
    # networkx keeps a DiGraph as plain dicts (node -> attributes, and node -> neighbour ->
    # edge attributes, forwards and backwards, the edge's dict shared by both); filled here
    # and handed over whole, as its data descriptors allow, since add_edges_from costs a few
    # microseconds an edge (over a second for the 430,000 relationships of 100,000 members).
    attributes: dict[int, dict] = {}
    successors: dict[int, dict[int, dict]] = {}
    predecessors: dict[int, dict[int, dict]] = {}
    for member, quadrant in nodes:
        if quadrant not in QUADRANTS:
            raise ValueError(f"member {member} has an unknown quadrant {quadrant!r}")
        if member in attributes:  # as add_node: the last quadrant given stands
            attributes[member]["quadrant"] = quadrant
            continue
        attributes[member] = {"quadrant": quadrant}
        successors[member] = {}
        predecessors[member] = {}
    for member, name in (names or {}).items():
        if member in attributes:
            attributes[member]["name"] = name
    nowhere: dict[int, dict] = {}
    for source, target, kind in edges:
        existing = successors.get(source, nowhere).get(target)
        if existing is None:
            if kind not in CHANNELS:
                raise ValueError(f"relationship {source} -> {target} has an unknown type {kind!r}")
            if source == target:
                raise ValueError(f"member {source} cannot have a relationship with themselves")
            if source not in attributes or target not in attributes:
                raise ValueError(f"relationship {source} -> {target} joins an unknown member")
            successors[source][target] = predecessors[target][source] = {"type": kind, "count": 1}
        elif existing["type"] != kind:
            raise ValueError(
                f"members {source} -> {target} are joined as both {existing['type']} and {kind}"
            )
        else:
            existing["count"] += 1
    graph = nx.DiGraph()
    graph._node, graph._adj, graph._pred = attributes, successors, predecessors
    return graph


def leadership(graph: nx.DiGraph) -> list[int]:
    """The leadership members, where every message starts."""
    return sorted(node for node, quadrant in graph.nodes(data="quadrant") if quadrant == LEADERSHIP)


def hops_from_leadership(graph: nx.DiGraph) -> tuple[dict[int, int], dict[int, int]]:
    """For every member the message reaches: the fewest hops from leadership, and one nearest
    leadership member. Leaders are 0 hops from themselves; members the message never reaches
    are absent. One breadth-first search from all leaders at once."""
    leaders = leadership(graph)
    hops = dict.fromkeys(leaders, 0)
    nearest = {leader: leader for leader in leaders}
    queue = deque(leaders)
    successors = dict(graph.adjacency())  # plain dicts: graph.succ makes a view per lookup
    while queue:
        node = queue.popleft()
        step, origin = hops[node] + 1, nearest[node]
        for target in successors[node]:
            if target not in hops:
                hops[target] = step
                nearest[target] = origin
                queue.append(target)
    return hops, nearest


def senders_of(graph: nx.DiGraph) -> dict[int, dict[int, dict]]:
    """Every member's senders with the attributes of each relationship: networkx's own dicts
    of predecessors, read through the reversed view (graph.pred would wrap each member's in
    a view of its own on every lookup, which costs more than reading it)."""
    return dict(graph.reverse(copy=False).adjacency())


def channels_reaching(graph: nx.DiGraph, reached: Container[int]) -> dict[int, frozenset[str]]:
    """For every member, the types of the relationships that arrive from a member the message
    already reaches. A member the message never reaches has none."""
    none: frozenset[str] = frozenset()
    senders = senders_of(graph)
    # Nearly every sender of a member the message reaches is reached too: each member's types
    # are read without asking, then those with a sender it never reaches are read again, asking.
    channels = {
        node: frozenset({data["type"] for data in sources.values()}) if node in reached else none
        for node, sources in senders.items()
    }
    for source, targets in graph.adjacency():
        if source not in reached:
            for target in targets:
                if target in reached:
                    channels[target] = frozenset(
                        {
                            data["type"]
                            for sender, data in senders[target].items()
                            if sender in reached
                        }
                    )
    return channels


def longest_direct_chain(graph: nx.DiGraph) -> dict[int, int]:
    """For every member, the length of the longest chain of direct lines ending at them: the
    chain of command above them, where translation errors grow.

    Direct lines never form a loop by rule; should one slip through anyway, the members of the
    loop are counted as one link of the chain instead of looping forever.
    """
    # One topological pass (Kahn's) over plain lists of the direct lines.
    reports = {
        node: [target for target, data in targets.items() if data["type"] == DIRECT]
        for node, targets in graph.adjacency()
    }
    waiting = dict.fromkeys(reports, 0)  # direct lines into each member not yet walked
    for targets in reports.values():
        for target in targets:
            waiting[target] += 1
    chain = dict.fromkeys(reports, 0)
    ready = [node for node, count in waiting.items() if not count]
    for boss in ready:  # the list grows while it is walked
        step = chain[boss] + 1
        for target in reports[boss]:
            if chain[target] < step:
                chain[target] = step
            waiting[target] -= 1
            if not waiting[target]:
                ready.append(target)
    if len(ready) < len(chain):
        return _longest_chain_through_loops(reports)
    return chain


def _longest_chain_through_loops(reports: dict[int, list[int]]) -> dict[int, int]:
    groups = nx.condensation(nx.DiGraph(reports))
    chain: dict[int, int] = {}
    for group in nx.topological_sort(groups):
        chain[group] = max((chain[boss] + 1 for boss in groups.pred[group]), default=0)
    return {node: chain[group] for node, group in groups.graph["mapping"].items()}


@dataclass(frozen=True, slots=True)
class MemberCoverage:
    """How the message of an objective reaches one member."""

    member: int
    quadrant: str
    channels: frozenset[str]
    hops: int | None  # None: no chain of relationships leads here from leadership
    direct_chain: int
    nearest_leader: int | None

    @property
    def reached(self) -> bool:
        return self.hops is not None

    @property
    def missing(self) -> frozenset[str]:
        """The channels that could reach this member's quadrant and do not."""
        return POSSIBLE_CHANNELS[self.quadrant] - self.channels


def coverage(graph: nx.DiGraph) -> dict[int, MemberCoverage]:
    """Channels, hops, longest direct chain and nearest leader of every member."""
    hops, nearest = hops_from_leadership(graph)
    channels = channels_reaching(graph, hops)
    chain = longest_direct_chain(graph)
    return {
        node: MemberCoverage(
            member=node,
            quadrant=quadrant,
            channels=channels[node],
            hops=hops.get(node),
            direct_chain=chain[node],
            nearest_leader=nearest.get(node),
        )
        for node, quadrant in graph.nodes(data="quadrant")
    }


@dataclass(frozen=True, slots=True)
class QuadrantCoverage:
    """How many members of one quadrant are reached by 0, 1, 2 and 3 channels."""

    quadrant: str
    members: int
    by_channel_count: tuple[int, int, int, int]

    @property
    def shares(self) -> tuple[float, float, float, float]:
        if not self.members:
            return (0.0, 0.0, 0.0, 0.0)
        zero, one, two, three = (count / self.members for count in self.by_channel_count)
        return (zero, one, two, three)


def quadrant_coverage(members: Mapping[int, MemberCoverage]) -> dict[str, QuadrantCoverage]:
    """Per quadrant, in the order L, M, T, E: members by the number of channels reaching them."""
    counts = {quadrant: [0, 0, 0, 0] for quadrant in QUADRANTS}
    for member in members.values():
        counts[member.quadrant][len(member.channels)] += 1
    return {
        quadrant: QuadrantCoverage(quadrant, sum(by_count), tuple(by_count))
        for quadrant, by_count in counts.items()
    }


@dataclass(frozen=True, slots=True)
class SinglePoint:
    """A member through whom every path from leadership to `dependents` other members runs."""

    member: int
    dependents: int


def single_points_of_failure(graph: nx.DiGraph) -> list[SinglePoint]:
    """The members who dominate the flow from a virtual source over all leadership members,
    with the size of the subtree each one dominates, most dependents first.

    Leaders are where the message starts, so they are never counted as single points.
    """
    leaders = leadership(graph)
    if not leaders:
        return []
    order, dominator = _dominator_tree(dict(graph.adjacency()), leaders)
    # A member's dominator comes later in the order, so each subtree is summed before its root.
    size = [1] * (len(order) + 1)  # the last one for the virtual source
    for position, parent in enumerate(dominator):
        size[parent] += size[position]
    quadrants = graph.nodes
    points = [
        SinglePoint(member, size[position] - 1)
        for position, member in enumerate(order)
        if size[position] > 1 and quadrants[member]["quadrant"] != LEADERSHIP
    ]
    points.sort(key=lambda point: (-point.dependents, point.member))
    return points


def _dominator_tree(
    successors: Mapping[int, Iterable[int]], leaders: list[int]
) -> tuple[list[int], list[int]]:
    """The members the message reaches, in the order a depth-first walk from all leaders
    finishes them (postorder), and for each the position of its immediate dominator in that
    list; len(list) stands for the virtual source above all leaders.

    The iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast Dominance
    Algorithm", 2001), on positions rather than members: plain lists of ints, a few times
    faster than networkx's immediate_dominators, which walks the graph through its views.
    The immediate dominator of each member is unique, so the answer is the same.
    """
    order: list[int] = []
    seen: set[int] = set()
    for leader in leaders:
        if leader in seen:
            continue
        seen.add(leader)
        stack = [(leader, iter(successors[leader]))]
        while stack:
            node, targets = stack[-1]
            for target in targets:
                if target not in seen:
                    seen.add(target)
                    stack.append((target, iter(successors[target])))
                    break
            else:
                stack.pop()
                order.append(node)
    position = {node: index for index, node in enumerate(order)}
    source = len(order)
    senders: list[list[int]] = [[] for _ in order]
    for node in order:
        index = position[node]
        for target in successors[node]:
            senders[position[target]].append(index)
    for leader in leaders:
        senders[position[leader]].append(source)
    dominator = [-1] * len(order) + [source]
    changed = True
    while changed:  # twice or three times, walking backwards: senders mostly come first
        changed = False
        for node in range(source - 1, -1, -1):
            found = -1
            for sender in senders[node]:
                if dominator[sender] < 0:
                    continue  # not reached yet in this walk
                if found < 0:
                    found = sender
                    continue
                while sender != found:  # up both dominator chains to where they meet
                    while sender < found:
                        sender = dominator[sender]
                    while found < sender:
                        found = dominator[found]
            if dominator[node] != found:
                dominator[node] = found
                changed = True
    return order, dominator[:-1]


# Brokers: betweenness is one breadth-first search per source member. Up to this many members
# it is computed exactly; above, from a fixed-seed sample of the members who have someone to
# pass the message to (the others start no path), scaled up to estimate the exact value.
EXACT_BETWEENNESS_UP_TO = 1_000
BROKER_SAMPLE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Brokers:
    """The members who carry the most shortest paths, highest first, and how that was measured."""

    ranked: tuple[tuple[int, float], ...]  # (member, betweenness normalised to 0..1)
    method: str  # "exact" or "sampled"
    sample_size: int | None  # source members sampled, when sampled
    senders: int  # members with at least one relationship to pass the message on


def brokers(
    graph: nx.DiGraph,
    *,
    top: int = 10,
    exact_up_to: int = EXACT_BETWEENNESS_UP_TO,
    sample_size: int = BROKER_SAMPLE_SIZE,
    seed: int = 0,
) -> Brokers:
    """Betweenness of every member, exact on small graphs and sampled on large ones."""
    senders = sorted(node for node in graph if graph.out_degree(node))
    count = graph.number_of_nodes()
    if count <= exact_up_to or len(senders) <= sample_size:
        method, sources, scale = "exact", senders, 1.0
    else:
        method = "sampled"
        sources = random.Random(seed).sample(senders, sample_size)
        scale = len(senders) / sample_size
    raw = nx.betweenness_centrality_subset(graph, sources=sources, targets=list(graph))
    norm = scale / ((count - 1) * (count - 2)) if count > 2 else 0.0
    ranked = sorted(
        ((node, value * norm) for node, value in raw.items() if value > 0),
        key=lambda pair: (-pair[1], pair[0]),
    )[:top]
    return Brokers(
        ranked=tuple(ranked),
        method=method,
        sample_size=sample_size if method == "sampled" else None,
        senders=len(senders),
    )


def path_shares(
    graph: nx.DiGraph, through: Iterable[int], *, to_quadrant: str = EMPLOYEES
) -> dict[int, float]:
    """For each member in `through`, the share (0..1) of the shortest paths from leadership
    (all leaders at once, as where the message starts) to the members of `to_quadrant` it
    reaches that run through that member (a leader: that start with them), averaged over
    those members. One breadth-first search and one pass back (Brandes' accumulation), so
    that it costs the same as the coverage itself at 10,000 members."""
    wanted = list(through)
    leaders = leadership(graph)
    distance = dict.fromkeys(leaders, 0)
    paths = dict.fromkeys(leaders, 1)  # shortest paths from leadership to each member
    before: dict[int, list[int]] = {leader: [] for leader in leaders}
    order: list[int] = []
    queue = deque(leaders)
    successors = graph.succ
    while queue:
        node = queue.popleft()
        order.append(node)
        step = distance[node] + 1
        for target in successors[node]:
            if target not in distance:
                distance[target] = step
                paths[target] = 0
                before[target] = []
                queue.append(target)
            if distance[target] == step:
                paths[target] += paths[node]
                before[target].append(node)
    quadrants = graph.nodes
    reached = sum(1 for node in order if quadrants[node]["quadrant"] == to_quadrant)
    if not reached:
        return dict.fromkeys(wanted, 0.0)
    carried = dict.fromkeys(order, 0.0)
    for node in reversed(order):
        ends_here = 1.0 if quadrants[node]["quadrant"] == to_quadrant else 0.0
        share = (ends_here + carried[node]) / paths[node]
        for previous in before[node]:
            carried[previous] += paths[previous] * share
    return {member: carried.get(member, 0.0) / reached for member in wanted}


def share_in_words(share: float) -> str:
    """A share of paths as a leader reads it: "every", "1 in 5", "3 in 10", "fewer than 1 in
    100"."""
    if share >= 0.995:
        return "every"
    if share >= 0.45:
        return f"{round(share * 10)} in 10"
    if share >= 0.01:
        return f"1 in {round(1 / share)}"
    return "fewer than 1 in 100" if share > 0 else "none of the"


def missing_channels(edges: Iterable[tuple[int, int, str]]) -> frozenset[str]:
    """The relationship types a partnership lacks, from its (from, to, type) relationships."""
    return frozenset(CHANNELS) - {kind for _source, _target, kind in edges}


class RiskKind(StrEnum):
    # In the order a leader should read them when severity and reach are equal.
    ORPHAN = "orphan"
    SINGLE_POINT = "single_point_of_failure"
    ONE_CHANNEL = "one_channel"
    NO_DIRECT_LINE = "no_direct_line"
    TEAM_NOT_INFLUENCED = "team_not_influenced"
    MANAGER_GUIDES_NO_TEAM = "manager_guides_no_team"
    PARTNERSHIP_MISSING_CHANNEL = "partnership_missing_channel"


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


_KIND_ORDER = {kind: index for index, kind in enumerate(RiskKind)}


@dataclass(frozen=True, slots=True)
class Risk:
    """One place where the message can be lost, with what to do about it."""

    kind: RiskKind
    member_ids: tuple[int, ...]
    severity: Severity
    affected: int  # members concerned: for a single point, all who depend on it
    sentence: str
    next_step: str
    partnership_id: int | None = None


def rank_risks(
    graph: nx.DiGraph,
    *,
    members: Mapping[int, MemberCoverage] | None = None,
    single_points: Sequence[SinglePoint] | None = None,
    partnerships: Mapping[int, Iterable[tuple[int, int, str]]] | None = None,
    partnership_names: Mapping[int, str] | None = None,
) -> list[Risk]:
    """Every risk of the graph, most severe and widest first.

    `members` and `single_points` are recomputed when not given; `partnerships` maps a
    partnership id to its relationships, to point out the ones lacking a channel.
    """
    if members is None:
        members = coverage(graph)
    if single_points is None:
        single_points = single_points_of_failure(graph)
    risks = [
        *_member_risks(graph, members),
        *(_single_point_risk(graph, point) for point in single_points),
        *_partnership_risks(graph, partnerships or {}, partnership_names or {}),
    ]
    risks.sort(
        key=lambda risk: (
            -risk.severity,
            -risk.affected,
            _KIND_ORDER[risk.kind],
            risk.member_ids,
            risk.partnership_id or 0,
        )
    )
    return risks


def member_label(graph: nx.DiGraph, member: int) -> str:
    """A member's name, or "Employee #12" when the graph has no name for them."""
    return _label(graph, member)


def _label(graph: nx.DiGraph, member: int) -> str:
    data = graph.nodes[member]
    return data.get("name") or f"{QUADRANT_NOUNS[data['quadrant']].capitalize()} #{member}"


def _relationship(kind: str) -> str:
    return "a direct line" if kind == DIRECT else f"{article(kind)} {kind} relationship"


def _member_risks(graph: nx.DiGraph, members: Mapping[int, MemberCoverage]) -> Iterator[Risk]:
    successors, senders = dict(graph.adjacency()), senders_of(graph)

    def lacks(kind: str, relationships: dict[int, dict]) -> bool:
        return all(data["type"] != kind for data in relationships.values())

    # A member's channels arrive from their senders: one among them says the type is there,
    # and only a member without it has their senders read again. Labels only for risks.
    for node, member in members.items():
        quadrant = member.quadrant
        if quadrant == MANAGERS and lacks(GUIDANCE, successors[node]):
            label = _label(graph, node)
            yield Risk(
                RiskKind.MANAGER_GUIDES_NO_TEAM,
                (node,),
                Severity.LOW,
                1,
                f"{label} guides no team.",
                f"add a guidance relationship from {label} to a team",
            )
        if quadrant == LEADERSHIP:
            continue
        if not member.reached:
            yield _orphan_risk(graph, node, _label(graph, node))
            continue  # the orphan's next step already names the missing line
        if (
            quadrant == TEAMS
            and INFLUENTIAL not in member.channels
            and lacks(INFLUENTIAL, senders[node])
        ):
            label = _label(graph, node)
            yield Risk(
                RiskKind.TEAM_NOT_INFLUENCED,
                (node,),
                Severity.MEDIUM,
                1,
                f"No leader influences {label}.",
                f"add an influential relationship from a leader to {label}",
            )
        if quadrant == EMPLOYEES and DIRECT not in member.channels and lacks(DIRECT, senders[node]):
            label = _label(graph, node)
            yield Risk(
                RiskKind.NO_DIRECT_LINE,
                (node,),
                Severity.MEDIUM,
                1,
                f"{label} has no direct line: nobody assigns their daily work.",
                f"add a direct line from a team to {label}",
            )
        if len(member.channels) == 1 and len(POSSIBLE_CHANNELS[quadrant]) > 1:
            (channel,) = member.channels
            label = _label(graph, node)
            options = " or ".join(
                f"{_relationship(kind)} from {_SENDERS[quadrant, kind]}"
                for kind in CHANNELS
                if kind in member.missing
            )
            yield Risk(
                RiskKind.ONE_CHANNEL,
                (node,),
                Severity.MEDIUM,
                1,
                f"{label} hears the objective through the {channel} channel only.",
                f"add {options} to {label}",
            )


def _orphan_risk(graph: nx.DiGraph, node: int, label: str) -> Risk:
    quadrant = graph.nodes[node]["quadrant"]
    first_line = DIRECT if quadrant in (MANAGERS, EMPLOYEES) else INFLUENTIAL
    next_step = f"add {_relationship(first_line)} from {_SENDERS[quadrant, first_line]} to {label}"
    senders = sorted(graph.pred[node])
    if senders:  # they are cut off too: reconnecting one of them reaches this member as well
        next_step = f"connect {_label(graph, senders[0])} to leadership, or {next_step}"
    return Risk(
        RiskKind.ORPHAN,
        (node,),
        Severity.HIGH,
        1,
        f"The objective never reaches {label}: no chain of relationships leads there from leadership.",
        next_step,
    )


def _single_point_risk(graph: nx.DiGraph, point: SinglePoint) -> Risk:
    label = _label(graph, point.member)
    quadrant = graph.nodes[point.member]["quadrant"]
    others = {
        MANAGERS: "a relationship from a leader or another manager",
        TEAMS: "an influential relationship from a leader or a guidance relationship from a manager",
        EMPLOYEES: "a direct line from a team",
    }[quadrant]
    members = "member" if point.dependents == 1 else "members"
    return Risk(
        RiskKind.SINGLE_POINT,
        (point.member,),
        Severity.HIGH,
        point.dependents,
        f"Every path from leadership to {point.dependents} {members} passes through {label}.",
        f"add {others} to the {members} who depend on {label}",
    )


def _partnership_risks(
    graph: nx.DiGraph,
    partnerships: Mapping[int, Iterable[tuple[int, int, str]]],
    names: Mapping[int, str],
) -> Iterator[Risk]:
    for partnership, relationships in partnerships.items():
        edges = list(relationships)
        missing = missing_channels(edges)
        if not missing:
            continue
        label = names.get(partnership) or f"Partnership #{partnership}"
        lacking = [kind for kind in CHANNELS if kind in missing]
        channels = "channel" if len(lacking) == 1 else "channels"
        members = tuple(sorted({member for edge in edges for member in edge[:2]}))
        completions: dict[str, str] = {}
        if all(member in graph for member in members):
            quadrant_of = {member: graph.nodes[member]["quadrant"] for member in members}
            for completion in triad_completions(edges, quadrant_of, type_for_quadrants):
                completions.setdefault(
                    completion["type"],
                    f"{_relationship(completion['type'])} from {_label(graph, completion['from'])}"
                    f" to {_label(graph, completion['to'])}, completing a triad",
                )
        yield Risk(
            RiskKind.PARTNERSHIP_MISSING_CHANNEL,
            members,
            Severity.LOW,
            len(members),
            f"{label} lacks the {' and '.join(lacking)} {channels}.",
            "; ".join(
                f"add {completions[kind]}"
                if kind in completions
                else f"add {_relationship(kind)} to {label} (from {flow_pairs(kind)})"
                for kind in lacking
            ),
            partnership_id=partnership,
        )


@dataclass(frozen=True, slots=True)
class Health:
    """The whole analysis of one organization or objective, ready to cache."""

    members: dict[int, MemberCoverage]
    summary: dict[str, QuadrantCoverage]
    single_points: list[SinglePoint]
    risks: list[Risk]


def health(
    graph: nx.DiGraph,
    *,
    partnerships: Mapping[int, Iterable[tuple[int, int, str]]] | None = None,
    partnership_names: Mapping[int, str] | None = None,
) -> Health:
    """Coverage, quadrant summary, single points of failure and ranked risks, in one call."""
    members = coverage(graph)
    points = single_points_of_failure(graph)
    return Health(
        members=members,
        summary=quadrant_coverage(members),
        single_points=points,
        risks=rank_risks(
            graph,
            members=members,
            single_points=points,
            partnerships=partnerships,
            partnership_names=partnership_names,
        ),
    )


# --- rules: direct-line loops and triads (partnerships) ---
#
# Nodes are any sortable, hashable ids (member primary keys in the app). Edges are plain
# tuples: (from, to) for loops over time with dates, (from, to, type) for triads.


def closing_loop(
    edges: Iterable[tuple[Hashable, Hashable]], new_from: Hashable, new_to: Hashable
) -> list | None:
    """The loop that the edge new_from → new_to would close in the directed graph of `edges`.

    Returned in walking order starting with new_from (new_from → new_to → ... → back to
    new_from), or None when adding the edge keeps the graph free of loops.
    """
    if new_from == new_to:
        return [new_from]
    graph = nx.DiGraph(edges)
    if new_to not in graph or new_from not in graph or not nx.has_path(graph, new_to, new_from):
        return None
    path = nx.shortest_path(graph, new_to, new_from)
    return [new_from, *path[:-1]]


def _active(starts_on, ends_on, day) -> bool:  # dates; ends_on exclusive or None
    return starts_on <= day and (ends_on is None or day < ends_on)


def closing_loop_over_time(edges: Iterable[tuple], new_edge: tuple) -> tuple | None:
    """Whether a dated edge would close a loop with dated edges on some day it is active.

    `edges` and `new_edge` are (from, to, starts_on, ends_on) with ends_on exclusive or None.
    Returns (day, loop) for the first such day, or None. The set of active edges only grows
    on a day some edge starts, so checking the new edge's first day and every later start
    inside its span is exact.
    """
    new_from, new_to, starts_on, ends_on = new_edge
    overlapping = [
        (u, v, s, e)
        for u, v, s, e in edges
        if (e is None or e > starts_on) and (ends_on is None or s < ends_on)
    ]
    if closing_loop([(u, v) for u, v, _s, _e in overlapping], new_from, new_to) is None:
        return None  # not even all of them together close a loop
    days = sorted({starts_on} | {s for _u, _v, s, _e in overlapping if s > starts_on})
    for day in days:
        active = [(u, v) for u, v, s, e in overlapping if _active(s, e, day)]
        loop = closing_loop(active, new_from, new_to)
        if loop is not None:
            return day, loop
    return None


class TypedSides:
    """Undirected sides between members; each keeps the relationships (from, to, type) laid
    along it. Plain dicts (what networkx's Graph would hold, built several times faster):
    `sides[a][b]` is the set of relationships between a and b, `sides[a]` a's neighbours."""

    def __init__(self, edges: Iterable[tuple[Hashable, Hashable, str]]) -> None:
        adjacency: dict[Hashable, dict[Hashable, set[tuple]]] = {}
        for u, v, type_ in edges:
            if u == v:
                continue
            along = adjacency.setdefault(u, {}).get(v)
            if along is None:
                along = set()
                adjacency[u][v] = along
                adjacency.setdefault(v, {})[u] = along
            along.add((u, v, type_))
        self.adjacency = adjacency

    def __getitem__(self, node: Hashable) -> dict[Hashable, set[tuple]]:
        return self.adjacency[node]

    @property
    def nodes(self):
        return self.adjacency.keys()

    def has_edge(self, a: Hashable, b: Hashable) -> bool:
        return b in self.adjacency.get(a, ())

    def sides(self):
        """Each side once, as (a, b)."""
        seen = set()
        for a, neighbours in self.adjacency.items():
            seen.add(a)
            for b in neighbours:
                if b not in seen:
                    yield a, b


def typed_sides(edges: Iterable[tuple[Hashable, Hashable, str]]) -> TypedSides:
    """The sides complete_triads and triad_completions read: build them once for both."""
    return TypedSides(edges)


def _one_of_each(sides: list[set[tuple]]) -> tuple | None:
    """One relationship per side so that the three sides carry the three channels, or None."""
    for first in sorted(sides[0]):
        for second in sorted(sides[1]):
            for third in sorted(sides[2]):
                if {first[2], second[2], third[2]} == set(CHANNELS):
                    return tuple(sorted((first, second, third), key=lambda r: CHANNELS.index(r[2])))
    return None


def complete_triads(
    edges: Iterable[tuple[Hashable, Hashable, str]], *, sides: TypedSides | None = None
) -> list[dict]:
    """Triangles of three members joined by one relationship of each type.

    `edges` are (from, to, type). Each triad is {"members": (a, b, c) sorted, "relationships":
    ((from, to, "direct"), (from, to, "influential"), (from, to, "guidance"))}. `sides`:
    typed_sides(edges), when the caller built them already.
    """
    graph = sides if sides is not None else TypedSides(edges)
    triads = []
    for a, b in graph.sides():
        for c in graph[a].keys() & graph[b].keys():
            members = tuple(sorted((a, b, c)))
            if sorted((a, b)) != list(members[:2]):
                continue  # each triangle once: from its side between the two smallest ids
            along = [graph[x][y] for x, y in ((a, b), (b, c), (a, c))]
            relationships = _one_of_each(along)
            if relationships is not None:
                triads.append({"members": members, "relationships": relationships})
    return sorted(triads, key=lambda t: t["members"])


def triad_completions(
    edges: Iterable[tuple[Hashable, Hashable, str]],
    quadrant_of: Mapping[Hashable, str],
    type_for: Callable[[str, str], str | None],
    *,
    sides: TypedSides | None = None,
) -> list[dict]:
    """Missing channels that would turn an open triangle into a complete triad.

    Two relationships of different types meeting at one member, with nothing yet between
    their other two ends: the relationship the rule of types allows between those two ends
    completes the triad when its type is the third channel. `quadrant_of` maps each node to
    its quadrant; `type_for(from_quadrant, to_quadrant)` is the rule (None when not allowed).
    Each completion is {"from": x, "to": y, "type": t, "members": (a, b, c) sorted}.
    `sides`: typed_sides(edges), when the caller built them already.
    """
    graph = sides if sides is not None else TypedSides(edges)
    found: dict[tuple, dict] = {}
    for centre in sorted(graph.nodes):
        neighbours = sorted(graph[centre])
        for i, a in enumerate(neighbours):
            for c in neighbours[i + 1 :]:
                if graph.has_edge(a, c):
                    continue
                have = {r[2] for r in graph[centre][a]} | {r[2] for r in graph[centre][c]}
                missing = set(CHANNELS) - have
                if len(missing) != 1:
                    continue
                for x, y in ((a, c), (c, a)):
                    type_ = type_for(quadrant_of[x], quadrant_of[y])
                    if type_ in missing and (x, y) not in found:
                        found[(x, y)] = {
                            "from": x,
                            "to": y,
                            "type": type_,
                            "members": tuple(sorted((a, centre, c))),
                        }
    return sorted(found.values(), key=lambda s: (CHANNELS.index(s["type"]), s["members"]))
