"""Reads behind the quadrant diagram: counts as SQL aggregates, lists as paged querysets.

Everything starts from a `Scope` (partnerships/scope.py): the organization, the "as of" day, an optional
objective or partnership, and, for managers and members, the partnerships they belong to.
Each function here costs a fixed number of queries, whatever the size of the organization.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from org.models import Member, Organization
from partnerships import rules
from partnerships.diagram.drawing import MAX_NAMES, network_capacity
from partnerships.models import (
    Relationship,
)
from partnerships.rules import READING_ORDER
from partnerships.scope import Scope
from partnerships.versions import CACHE_SECONDS, kept

# A partnership's map draws members one by one up to this many; above, the aggregated box.
MAP_MEMBER_LIMIT = 60
# Bump when the shape of the cached Counts changes, so old entries are never read back.
_CACHE_FORMAT = "diagram-counts-1"
_PLACE_FORMAT = "diagram-place-3"  # a place of plain rows (Tie, Person)
_PANEL_FORMAT = "diagram-panel-1"  # a drill-down list's count, an int


# --- the aggregated box ---------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    quadrants: dict[str, int]
    names: dict[str, list[str]]
    flows: dict[tuple[str, str], int]


def quadrant_counts(scope: Scope) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Active members per quadrant and the first few names of each: one query.

    A window gives each row its quadrant's total and its place by name, and only the first
    MAX_NAMES rows of each quadrant come back.
    """
    rows = (
        scope.members()
        .annotate(
            quadrant_total=Window(Count("pk"), partition_by=[F("quadrant")]),
            place=Window(
                RowNumber(), partition_by=[F("quadrant")], order_by=[F("name").asc(), F("pk").asc()]
            ),
        )
        .filter(place__lte=MAX_NAMES)
        .order_by("quadrant", "place")
        .values_list("quadrant", "name", "quadrant_total")
    )
    counts = dict.fromkeys(READING_ORDER, 0)
    names: dict[str, list[str]] = {q: [] for q in READING_ORDER}
    for quadrant, name, total in rows:
        counts[quadrant] = total
        names[quadrant].append(name)
    return counts, names


def flow_counts(scope: Scope) -> dict[tuple[str, str], int]:
    """Active relationships per (from quadrant, to quadrant): one GROUP BY query."""
    rows = (
        scope.relationships()
        .order_by()
        .values_list("from_quadrant", "to_quadrant")
        .annotate(n=Count("pk"))
    )
    return {(source, target): n for source, target, n in rows}


def diagram_counts(scope: Scope, *, version: str | None = None) -> Counts:
    """Everything the aggregated box shows: two queries.

    Given the organization's data version (partnerships/health/analysis.py's data_version, which
    moves with every change to members, partnerships or relationships), the counts are kept
    in Django's cache under a key carrying it, as the health analysis is: no query when
    cached, and never stale.
    """

    def count() -> Counts:
        quadrants, names = quadrant_counts(scope)
        return Counts(quadrants=quadrants, names=names, flows=flow_counts(scope))

    return kept(scope.cache_key(_CACHE_FORMAT, version) if version is not None else None, count)


# --- drill-down lists -----------------------------------------------------------------------


def quadrant_members(scope: Scope, quadrant: str, search: str = ""):
    """The members a quadrant counts, by name; pages of it cost a COUNT and a SELECT."""
    return scope.members().filter(quadrant=quadrant).search(search).order_by("name", "pk")


def _list_total(
    scope: Scope,
    part: str,
    *,
    version: str | None,
    in_box: Callable[[Counts], int],
    counted: Callable[[], int],
) -> int:
    """How many rows a drill-down list holds without a search, where the box counts the same
    rows (in_box reads it from the box's counts), so that a page of the list costs no COUNT
    over all of them: under the data version, the box's counts when cached, else the list's
    own count kept under its key (one COUNT the first time); without a version (a write may
    still be landing), counted and not kept."""
    if version is None:
        return counted()
    counts_key = scope.cache_key(_CACHE_FORMAT, version)
    own_key = f"{scope.cache_key(_PANEL_FORMAT, version)}:{part}"
    found = cache.get_many([counts_key, own_key])
    if counts_key in found:
        return in_box(found[counts_key])
    if own_key in found:
        return found[own_key]
    total = counted()
    cache.set(own_key, total, CACHE_SECONDS)
    return total


def quadrant_total(scope: Scope, quadrant: str, *, version: str | None) -> int:
    """How many members quadrant_members(scope, quadrant) lists without a search: the box's
    count of the quadrant (the same members); see _list_total."""
    return _list_total(
        scope,
        f"quadrant-{quadrant}",
        version=version,
        in_box=lambda counts: counts.quadrants[quadrant],
        counted=lambda: quadrant_members(scope, quadrant).count(),
    )


def flow_total(scope: Scope, source: str, target: str, *, version: str | None) -> int:
    """How many relationships flow_relationships(scope, source, target) lists without a
    search: the box's count of the arrow (the same relationships); see _list_total."""
    return _list_total(
        scope,
        f"flow-{source}{target}",
        version=version,
        in_box=lambda counts: counts.flows.get((source, target), 0),
        counted=lambda: flow_relationships(scope, source, target).count(),
    )


def flow_relationships(scope: Scope, source: str, target: str, search: str = ""):
    """The relationships an arrow counts, with both members and the partnership loaded."""
    relationships = scope.relationships().filter(from_quadrant=source, to_quadrant=target)
    text = search.strip()
    if text:
        relationships = relationships.filter(
            Q(from_member__name__icontains=text)
            | Q(to_member__name__icontains=text)
            | Q(partnership__name__icontains=text)
            | Q(carries__icontains=text)
        )
    return relationships.select_related(
        "from_member", "to_member", "partnership__objective"
    ).order_by("from_member__name", "to_member__name", "partnership__name", "pk")


EXPORT_FIELDS = (
    "type",
    "from_member__name",
    "from_quadrant",
    "to_member__name",
    "to_quadrant",
    "partnership__name",
    "partnership__objective__title",
    "carries",
    "starts_on",
    "ends_on",
)


def export_relationships(scope: Scope):
    """Every relationship behind the current diagram as plain tuples of EXPORT_FIELDS, for
    the CSV download (no model instances: tens of thousands of rows stay fast)."""
    return (
        scope.relationships()
        .order_by("type", "from_quadrant", "to_quadrant", "from_member__name", "pk")
        .values_list(*EXPORT_FIELDS)
    )


def search_members(organization: Organization, day: datetime.date, text: str, limit: int = 10):
    """Members active on the day whose name, title or team matches, for the search box."""
    if not text.strip():
        return Member.objects.none()
    members = Member.objects.for_org(organization).active_on(day).search(text)
    return members.in_quadrant_order()[:limit]


# --- one member's place ---------------------------------------------------------------------


def paths_from_leadership(
    edges: Iterable[tuple[int, int]], leaders: Iterable[int], target: int, *, limit: int = 5
) -> list[list[int]]:
    """The shortest paths from any leadership member down to target (at most `limit`).

    Pure: ids in, lists of ids out (each path starts with a leader and ends with target),
    smallest ids first. Empty when target cannot be reached, and [[target]] when target is
    itself a leader.
    """
    leaders = set(leaders)
    if target in leaders:
        return [[target]]
    incoming: dict[int, list[int]] = defaultdict(list)
    for source, to in edges:
        incoming[to].append(source)

    def into(level: list[int]) -> Iterator[tuple[int, int, bool]]:
        for node in level:
            for source in incoming.get(node, ()):
                yield source, node, source in leaders

    return shortest_paths_up(into, target, limit=limit)


def shortest_paths_up(
    into: Callable[[list[int]], Iterable[tuple[int, int, bool]]], target: int, *, limit: int = 5
) -> list[list[int]]:
    """The shortest paths from leadership down to target (not a leader itself), at most
    `limit`, smallest ids first; `into(level)` gives the edges into those members as
    (source, member, whether the source is a leader), asked once per level.

    A breadth-first search backwards from target, level by level, stops at the first level
    holding a leader: no shorter path exists, and no leader lies inside a shortest path (it
    would have ended the search sooner). Plain dicts, no graph library: only the part of the
    organization above target is visited, and only as far up as the nearest leader.
    """
    depth = {target: 0}
    # toward[n]: the next members on a shortest path from n down to target
    toward: dict[int, set[int]] = defaultdict(set)
    level = [target]
    found: list[int] = []
    while level and not found:
        following, leaders = [], set()
        for source, node, is_leader in into(level):
            below = depth[node] + 1
            if source not in depth:
                depth[source] = below
                following.append(source)
                if is_leader:
                    leaders.add(source)
            if depth[source] == below:
                toward[source].add(node)
        found = sorted(leaders)
        level = following
    paths: list[list[int]] = []
    stack = [[leader] for leader in reversed(found)]  # depth first, smallest ids first
    while stack and len(paths) < limit:
        path = stack.pop()
        if path[-1] == target:
            paths.append(path)
            continue
        stack.extend(path + [step] for step in sorted(toward[path[-1]], reverse=True))
    return paths


class Person(NamedTuple):
    """A member as a member's place shows them: plain values, cheap to read and to keep in
    the cache (a place names a hundred members)."""

    pk: int
    name: str
    quadrant: str
    title: str


class Named(NamedTuple):
    pk: int
    name: str


class Tie(NamedTuple):
    """One of the member's own relationships, as the place shows it."""

    from_member: Person
    to_member: Person
    partnership: Named
    type: str
    carries: str

    @property
    def from_member_id(self) -> int:
        return self.from_member.pk

    @property
    def to_member_id(self) -> int:
        return self.to_member.pk

    @property
    def partnership_id(self) -> int:
        return self.partnership.pk


@dataclass
class Ego:
    """One member's place: who reaches them by which channel, whom they reach, and how
    leadership reaches them."""

    member: Member
    incoming: list[Tie] = field(default_factory=list)
    outgoing: list[Tie] = field(default_factory=list)
    paths: list[list[int]] = field(default_factory=list)
    path_members: dict[int, Person] = field(default_factory=dict)
    path_edge_types: dict[tuple[int, int], str] = field(default_factory=dict)

    def by_type(self, relationships: list[Tie]) -> list[tuple[str, list[Tie]]]:
        order = ("direct", "influential", "guidance")
        return [(kind, [r for r in relationships if r.type == kind]) for kind in order]

    @property
    def incoming_by_type(self) -> list[tuple[str, list[Tie]]]:
        return self.by_type(self.incoming)

    @property
    def outgoing_by_type(self) -> list[tuple[str, list[Tie]]]:
        return self.by_type(self.outgoing)

    @property
    def named_paths(self) -> list[list[Person]]:
        return [
            [self.path_members[i] for i in path if i in self.path_members] for path in self.paths
        ]


def _quadrants_above(quadrant: str) -> set[str]:
    """The quadrants a path from leadership to a member of `quadrant` can pass through below
    leadership: the quadrant itself and those whose flows reach it, leadership left out."""
    found = {quadrant}
    while True:
        more = {s for s, t, _kind in rules.FLOWS if t in found} - found
        if not more:
            return found - {"L"}
        found |= more


# What the page and its drawing show of the member's own relationships, as plain rows.
_TIE_FIELDS = (
    "from_member_id",
    "from_member__name",
    "from_member__quadrant",
    "from_member__title",
    "to_member_id",
    "to_member__name",
    "to_member__quadrant",
    "to_member__title",
    "partnership_id",
    "partnership__name",
    "type",
    "carries",
)


def _rows(queryset) -> list[tuple]:
    """A values_list queryset's rows read by the cursor (the ORM's own SQL): thousands of
    rows come twice as fast as through values_list."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# A member's place reads the levels above the member one query each, this many at most, and
# a level of at most this many members; past either, the rest of the search reads every edge
# into the quadrants above at once (one query more) and goes on in memory.
_LEVEL_QUERIES = 3
_LEVEL_WIDTH = 500


class _Above:
    """The edges into a level of members, for shortest_paths_up: the first level (the member
    alone) from the member's own relationships, the next ones read as the search asks, with
    the names of the members they come from and their types kept for the place."""

    def __init__(self, scope: Scope, member: Member, own: list[Tie]) -> None:
        self.scope, self.member = scope, member
        self.people = {member.pk: Person(member.pk, member.name, member.quadrant, member.title)}
        self.types: dict[tuple[int, int], str] = {}
        self.first = []
        for tie in own:
            if tie.to_member_id == member.pk:
                self.first.append((tie.from_member_id, member.pk, tie.from_member.quadrant))
                self.types[(tie.from_member_id, member.pk)] = tie.type
                self.people[tie.from_member_id] = tie.from_member
        self.queries = 0
        self.everything: dict[int, list[tuple[int, int, str]]] | None = None

    def __call__(self, level: list[int]) -> Iterator[tuple[int, int, bool]]:
        if level == [self.member.pk]:
            rows = self.first
        elif self.everything is None and (
            self.queries < _LEVEL_QUERIES and len(level) <= _LEVEL_WIDTH
        ):
            self.queries += 1
            rows = []
            for source, to, quadrant, kind, name, title in _rows(
                self.scope.relationships()
                .filter(to_member_id__in=level)
                .order_by()
                .values_list(
                    "from_member_id",
                    "to_member_id",
                    "from_quadrant",
                    "type",
                    "from_member__name",
                    "from_member__title",
                )
            ):
                rows.append((source, to, quadrant))
                self.types[(source, to)] = kind
                self.people[source] = Person(source, name, quadrant, title)
        else:
            rows = [row for node in level for row in self._everything().get(node, ())]
        return ((source, to, quadrant == "L") for source, to, quadrant in rows)

    def _everything(self) -> dict[int, list[tuple[int, int, str]]]:
        """Every edge that can lie on a path from leadership down to the member, by the
        member it goes into: those into the quadrants above the member's (employees reach
        nobody but employees, so a manager's paths never need the lines into employees), none
        into leadership (a leader inside a path would start a shorter one). The database
        refuses any pair of quadrants outside the six flows and the loops."""
        if self.everything is None:
            self.everything = defaultdict(list)
            for source, to, quadrant, kind in _rows(
                self.scope.relationships()
                .filter(to_quadrant__in=_quadrants_above(self.member.quadrant))
                .order_by()
                .values_list("from_member_id", "to_member_id", "from_quadrant", "type")
            ):
                self.everything[to].append((source, to, quadrant))
                self.types.setdefault((source, to), kind)
        return self.everything


def ego(scope: Scope, member: Member) -> Ego:
    """The member's own relationships (one query), then their shortest paths from leadership,
    searched upwards a level at a time: one query per level above their direct sources
    (none for someone a leader reaches directly), all as plain rows; at most
    1 + _LEVEL_QUERIES + 2 queries, for a member deep below leadership or reached by none.
    """
    own = [
        Tie(Person(*row[0:4]), Person(*row[4:8]), Named(*row[8:10]), row[10], row[11])
        for row in scope.relationships()
        .involving(member)
        .order_by("from_member__name", "to_member__name", "pk")
        .values_list(*_TIE_FIELDS)
    ]
    above = _Above(scope, member, own)
    paths = [[member.pk]] if member.quadrant == "L" else shortest_paths_up(above, member.pk)
    steps = {(a, b) for path in paths for a, b in itertools.pairwise(path)}
    on_paths = {i for path in paths for i in path}
    unnamed = on_paths - above.people.keys()  # read at once, by ids alone
    if unnamed:
        above.people.update(
            (row[0], Person(*row))
            for row in Member.objects.for_org(scope.organization)
            .filter(pk__in=unnamed)
            .values_list("pk", "name", "quadrant", "title")
        )
    return Ego(
        member=member,
        incoming=[r for r in own if r.to_member_id == member.pk],
        outgoing=[r for r in own if r.from_member_id == member.pk],
        paths=paths,
        path_members={i: above.people[i] for i in on_paths if i in above.people},
        path_edge_types={step: above.types[step] for step in steps},
    )


def cached_ego(scope: Scope, member: Member, *, version: str | None) -> Ego:
    """ego(), kept in Django's cache under the organization's data version (one query for
    the version, none more when cached): the paths, the relationships and the names on them
    all live in the tables the version watches. Without a version (a write may still be
    landing), computed and not kept."""
    key = (
        f"{scope.cache_key(_PLACE_FORMAT, version)}:place-{member.pk}"
        if version is not None
        else None
    )
    return kept(key, lambda: ego(scope, member))


# --- a partnership's map --------------------------------------------------------------------


MAP_RELATIONSHIP_LIMIT = MAP_MEMBER_LIMIT * 4


@dataclass
class PartnershipMap:
    relationships: list[Relationship]
    members: list[Member]
    truncated: bool = False

    @property
    def fits(self) -> bool:
        if self.truncated or len(self.members) > MAP_MEMBER_LIMIT:
            return False
        per_quadrant = Counter(member.quadrant for member in self.members)
        return all(n <= network_capacity() for n in per_quadrant.values())


def partnership_map(scope: Scope) -> PartnershipMap:
    """The scope's relationships with their members, capped: one query.

    Reads at most one relationship more than a readable map holds; when there are more, or
    they involve more than MAP_MEMBER_LIMIT members, the caller draws the aggregated box.
    """
    relationships = list(
        scope.relationships()
        .select_related("from_member", "to_member")
        .order_by("pk")[: MAP_RELATIONSHIP_LIMIT + 1]
    )
    truncated = len(relationships) > MAP_RELATIONSHIP_LIMIT
    members: dict[int, Member] = {}
    for relationship in relationships:
        members.setdefault(relationship.from_member_id, relationship.from_member)
        members.setdefault(relationship.to_member_id, relationship.to_member)
    return PartnershipMap(
        relationships=relationships, members=list(members.values()), truncated=truncated
    )
