"""Before → after: what a scenario does to the partnerships, on its effective day.

Before is the live data on that day; after is the same data with the scenario's steps laid
over it (scenarios/state.py). Both are analysed with the live pages' own code (graph.py,
partnerships/health/analysis.py), so the scenario shows what the pages will show once it is
applied.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError

from meetings.models import Session, SessionStatus
from org.cycles import collector_paused
from partnerships import graph, rules
from partnerships.diagram.selectors import Counts
from partnerships.health import analysis
from partnerships.versions import data_version, kept
from scenarios.models import Scenario, ScenarioStep
from scenarios.state import Person, World, edges_by_partnership


@dataclass(frozen=True)
class Flow:
    source: str
    target: str
    before: int
    after: int

    @property
    def route(self) -> str:
        return f"{rules.QUADRANT_NAMES[self.source]} → {rules.QUADRANT_NAMES[self.target]}"

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class Named:
    pk: int
    name: str
    detail: str = ""


@dataclass(frozen=True)
class Summary:
    """The headline figures of one side (the health page adds the risks)."""

    members: int
    reached: int
    relationships: int
    single_points: int


@dataclass
class Outcome:
    """Everything the before → after page shows."""

    day: datetime.date
    steps: list[tuple[ScenarioStep, list[str]]]  # each step and what it also does
    problems: list[tuple[ScenarioStep, str]]  # steps that no longer apply on today's data
    quadrants: list[tuple[str, int, int]]  # quadrant name, before, after
    flows: list[Flow]
    lost_paths: list[Named]  # lost their last influential or guidance path from leadership
    unreached: list[Named]  # no longer reached from leadership at all
    new_single_points: list[Named]
    resolved_single_points: list[Named]
    triads_broken: list[Named]
    triads_made: list[Named]
    partnerships_changed: list[Named]  # pk, name, "12 → 14 relationships"
    sessions_without_facilitator: list[Named]
    sessions_without_attendees: list[Named]
    before: Summary
    after: Summary


def worlds(scenario: Scenario, steps: list[ScenarioStep] | None = None):
    """(before, after, the steps with what each also does, the steps that no longer apply)."""
    if steps is None:
        steps = list(scenario.steps.order_by("position"))
    before = World.live(scenario.organization, scenario.effective_on)
    after = before.copy()
    done, problems = [], []
    for step in steps:
        try:
            done.append((step, after.apply(step)))
        except ValidationError as error:
            problems.append((step, " ".join(error.messages)))
    return before, after, done, problems


def after_world(scenario: Scenario) -> World:
    return worlds(scenario)[1]


def stamp(scenario: Scenario, steps: list[ScenarioStep] | None = None) -> str | None:
    """What the scenario's figures depend on, for the keys they are cached under: the
    organization's data version, the effective day and the steps (ids and order); None while
    a write may be landing (nothing is cached then). Two queries; one given the steps."""
    version = data_version(scenario.organization)
    if version is None:
        return None
    if steps is None:
        pairs = scenario.steps.order_by("position").values_list("pk", "position")
    else:
        pairs = [(step.pk, step.position) for step in steps]
    digest = hashlib.sha256(",".join(f"{pk}.{n}" for pk, n in pairs).encode()).hexdigest()[:16]
    return (
        f"org-{scenario.organization_id}:{version}:{scenario.pk}:"
        f"{scenario.effective_on.isoformat()}:{digest}"
    )


UNREAD = "unread"


def _key(scenario: Scenario, kind: str, stamped: str | None = UNREAD) -> str | None:
    if stamped == UNREAD:
        stamped = stamp(scenario)
    return f"scenario-{kind}-1:{stamped}" if stamped is not None else None


def diagram_counts(scenario: Scenario) -> Counts:
    """What the scenario's diagram shows, as partnerships/diagram/selectors.py counts it for
    the live one; cached like it (two small queries when cached)."""

    def count() -> Counts:
        world = after_world(scenario)
        quadrants, names = world.quadrant_counts()
        return Counts(quadrants=quadrants, names=names, flows=world.flow_counts())

    return kept(_key(scenario, "diagram"), count)


def search(scenario: Scenario, text: str, limit: int = 20) -> list[Person]:
    """Members active in the scenario whose name holds the text, by name."""
    lowered = text.lower()
    found = (
        person
        for person in after_world(scenario).members.values()
        if person.active and lowered in person.name.lower()
    )
    return sorted(found, key=lambda p: (p.name, p.pk))[:limit]


def _brokers(loaded: analysis.Loaded) -> list[Named]:
    report = analysis.rank_brokers(loaded)
    return [Named(b.member_id, b.name, b.in_words) for b in report.ranked]


def _triads(before: World, after: World) -> tuple[dict[tuple, str], dict[tuple, str]]:
    """The complete triads the scenario can break or make, before and after: those of the
    partnerships whose relationships it changes, around the members of the changed
    relationships (a triad is made or broken only through one of its three relationships,
    and all three touch an end of it; the others are the same on both sides)."""
    edges_before, edges_after = edges_by_partnership(before), edges_by_partnership(after)
    found: tuple[dict[tuple, str], dict[tuple, str]] = ({}, {})
    for partnership in edges_before.keys() | edges_after.keys():
        old, new = set(edges_before.get(partnership, ())), set(edges_after.get(partnership, ()))
        changed = old ^ new
        if not changed:
            continue
        touched = {a for a, _b, _t in changed} | {b for _a, b, _t in changed}
        for world, edges, into in ((before, old, found[0]), (after, new, found[1])):
            near = [edge for edge in edges if edge[0] in touched or edge[1] in touched]
            for triad in graph.complete_triads(near):
                if not touched.intersection(triad["members"]):
                    continue
                names = ", ".join(world.name(pk) for pk in triad["members"])
                into[(partnership, triad["members"])] = (
                    f"{names} in {world.partnerships[partnership][0]}"
                )
    return found


def _sessions(before: World, after: World) -> tuple[list[Named], list[Named]]:
    """Planned sessions from the effective day on whose facilitator, or every attendee,
    the scenario archives."""
    gone = {pk for pk, p in before.members.items() if p.active} - {
        pk for pk, p in after.members.items() if p.active
    }
    if not gone:
        return [], []
    sessions = list(
        Session.objects.for_org(before.organization)
        .filter(status=SessionStatus.PLANNED, starts_at__date__gte=before.day)
        .select_related("partnership")
        .prefetch_related("attendees")
        .order_by("starts_at", "pk")
    )
    no_facilitator, no_attendees = [], []
    for session in sessions:
        label = f"{session.partnership.name}, {session.starts_at:%Y-%m-%d}"
        if session.facilitator_id in gone:
            no_facilitator.append(Named(session.pk, label, before.name(session.facilitator_id)))
        attendees = {a.pk for a in session.attendees.all()}
        if attendees and attendees <= gone:
            no_attendees.append(Named(session.pk, label))
    return no_facilitator, no_attendees


@dataclass(frozen=True)
class Side:
    """What the before → after page reads from one side's graph (graph.py): how each member
    is reached, and the single points of failure. The risks are the health page's."""

    relationships: int
    hops: dict[int, int]
    channels: dict[int, frozenset[str]]
    single_points: set[int]

    def summary(self) -> Summary:
        return Summary(
            members=len(self.channels),
            reached=len(self.hops),
            relationships=self.relationships,
            single_points=len(self.single_points),
        )


def _side(world: World) -> Side:
    built = world.graph()
    hops, _nearest = graph.hops_from_leadership(built)
    return Side(
        relationships=len(world.lines),
        hops=hops,
        channels=graph.channels_reaching(built, hops),
        single_points={p.member for p in graph.single_points_of_failure(built)},
    )


def _live_key(scenario: Scenario) -> str | None:
    """Where the live side of the effective day is kept: the same for every scenario of the
    organization on that day, and while steps are added to one (only its other side moves)."""
    version = data_version(scenario.organization)
    if version is None:
        return None
    return (
        f"scenario-live-side-1:org-{scenario.organization_id}:{version}:"
        f"{scenario.effective_on.isoformat()}"
    )


def outcome(scenario: Scenario, steps: list[ScenarioStep] | None = None) -> Outcome:
    """The figures of the before → after page (the brokers apart: `brokers`)."""
    before, after, done, problems = worlds(scenario, steps)
    with collector_paused():
        side_before = kept(_live_key(scenario), lambda: _side(before))
        side_after = _side(after)
    points_before, points_after = side_before.single_points, side_after.single_points
    lost, unreached = [], []
    for pk, was in side_before.channels.items():
        now = side_after.channels.get(pk)
        if now is None:
            continue  # archived: leaves, rather than losing a path
        channels = [
            rules.TYPE_NAMES[kind].lower()
            for kind in (rules.INFLUENTIAL, rules.GUIDANCE)
            if kind in was and kind not in now
        ]
        if channels:
            lost.append(Named(pk, after.name(pk), " and ".join(channels)))
        if pk in side_before.hops and pk not in side_after.hops:
            quadrant = after.members[pk].quadrant
            unreached.append(Named(pk, after.name(pk), rules.QUADRANT_NAMES[quadrant]))
    triads_before, triads_after = _triads(before, after)
    counts_before, _ = before.quadrant_counts()
    counts_after, _ = after.quadrant_counts()
    flows_before, flows_after = before.flow_counts(), after.flow_counts()
    no_facilitator, no_attendees = _sessions(before, after)
    sizes_before = Counter(line.partnership for line in before.lines.values())
    sizes_after = Counter(line.partnership for line in after.lines.values())
    changed = {line.partnership for line in before.lines.values() if line.pk not in after.lines} | {
        line.partnership for line in after.lines.values() if line.pk not in before.lines
    }

    def named(pks, world: World) -> list[Named]:
        return sorted((Named(pk, world.name(pk)) for pk in pks), key=lambda n: (n.name, n.pk))

    return Outcome(
        day=scenario.effective_on,
        steps=done,
        problems=problems,
        quadrants=[
            (rules.QUADRANT_NAMES[q], counts_before[q], counts_after[q])
            for q in rules.READING_ORDER
        ],
        flows=[
            Flow(s, t, flows_before.get((s, t), 0), flows_after.get((s, t), 0))
            for s, t, _kind in (*rules.FLOWS, *rules.LOOPS)
        ],
        lost_paths=sorted(lost, key=lambda n: (n.name, n.pk)),
        unreached=sorted(unreached, key=lambda n: (n.name, n.pk)),
        new_single_points=named(points_after - points_before, after),
        resolved_single_points=named(points_before - points_after, before),
        triads_broken=[
            Named(0, words) for key, words in triads_before.items() if key not in triads_after
        ],
        triads_made=[
            Named(0, words) for key, words in triads_after.items() if key not in triads_before
        ],
        partnerships_changed=sorted(
            (
                Named(
                    pk,
                    before.partnerships[pk][0],
                    f"{sizes_before[pk]} → {sizes_after[pk]} relationships",
                )
                for pk in changed
            ),
            key=lambda n: (n.name, n.pk),
        ),
        sessions_without_facilitator=no_facilitator,
        sessions_without_attendees=no_attendees,
        before=side_before.summary(),
        after=side_after.summary(),
    )


def cached_outcome(
    scenario: Scenario,
    *,
    stamped: str | None = UNREAD,
    steps: list[ScenarioStep] | None = None,
) -> Outcome:
    """`outcome`, kept in Django's cache under the data version and the steps (`stamped`:
    the scenario's stamp, and `steps` its steps in order, when the caller has read them)."""
    return kept(_key(scenario, "outcome", stamped), lambda: outcome(scenario, steps))


@dataclass(frozen=True)
class Brokers:
    before: list[Named]
    after: list[Named]


def brokers(
    scenario: Scenario, *, if_cached: bool = False, stamped: str | None = UNREAD
) -> Brokers | None:
    """Who carries the most paths before and after (partnerships/health/analysis.py
    rank_brokers), cached like the outcome; with if_cached, None when not cached yet."""
    key = _key(scenario, "brokers", stamped)
    if if_cached:
        return cache.get(key) if key else None

    def rank() -> Brokers:
        before, after, _done, _problems = worlds(scenario)
        with collector_paused():
            return Brokers(_brokers(before.loaded()), _brokers(after.loaded()))

    return kept(key, rank)


def health_reports(scenario: Scenario) -> tuple[analysis.HealthReport, analysis.HealthReport]:
    """The health page's report, live and in the scenario (partnerships/health/analysis.py),
    cached like the outcome."""

    def analyse() -> tuple[analysis.HealthReport, analysis.HealthReport]:
        before, after, _done, _problems = worlds(scenario)
        with collector_paused():
            return analysis.analyse(before.loaded()), analysis.analyse(after.loaded())

    return kept(_key(scenario, "health"), analyse)
