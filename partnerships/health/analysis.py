"""The partnership health of an organization or one objective, read from the database.

The analysis itself is graph.py's (pure networkx). Here: which relationships and members a
scope covers, the graph loaded in three queries (the active relationships, their members,
the partnerships' names), and the results cached in Django's cache under a key that carries
the organization's data version, so that any change to members, partnerships or
relationships makes a new key and nothing stale is shown. No tenant data is kept in the
process itself.

The data version (partnerships/versions.py) is the newest change database triggers recorded
for the organization: one indexed query. While a write may still be landing it is None,
and the analysis is computed without being cached.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import pickle
from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

import networkx as nx
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from org.cycles import collector_paused
from org.models import Member
from partnerships import graph, rules
from partnerships.health.remedies import KIND_WORDS, RiskGroup, group_risks
from partnerships.models import HealthSnapshot, Objective, Partnership, Relationship
from partnerships.scope import Scope
from partnerships.versions import CACHE_SECONDS, data_version, kept

# How many risks the page lists (overall, and for each quadrant); the rest are counted.
RISKS_SHOWN = 50
BROKERS_SHOWN = 10
# Bump when the shape of what is cached changes, so old entries are never read back.
_CACHE_FORMAT = "health-4"
# Whether a read may use what `manage.py refresh_health` computed ahead (HealthSnapshot):
# EXACT only when it was computed under the current data version (the same answer as
# computing now), ANY also when changes came since (the health page, which says so), NEVER
# not at all (the page asked to include the latest changes).
EXACT, ANY, NEVER = "exact", "any", "never"
# With ANY, a snapshot older than the data is shown only when computing it took at least this
# long: a small organization's page is computed at once with the latest changes.
BEHIND_WHEN_SLOWER_THAN = 0.25  # seconds


# --- what a page covers ---------------------------------------------------------------------


# --- loading the graph ----------------------------------------------------------------------


@dataclass
class Loaded:
    graph: nx.DiGraph
    relationships: int
    partnerships: dict[int, list[tuple[int, int, str]]]
    partnership_names: dict[int, str]


def load(scope: Scope) -> Loaded:
    """The scope's typed graph and partnerships: three queries, whatever the size."""
    rows = list(
        scope.relationships()
        .order_by()
        .values_list("from_member_id", "to_member_id", "type", "partnership_id")
    )
    members = _members(scope, rows)
    names = dict(
        Partnership.objects.for_org(scope.organization)
        .filter(pk__in=scope.relationships().values("partnership"))
        .order_by()
        .values_list("pk", "name")
    )
    # Each relationship as one (from, to, type) tuple, shared by the graph and its partnership.
    edges: list[tuple[int, int, str]] = []
    partnerships: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for source, target, kind, partnership in rows:
        edge = (source, target, kind)
        edges.append(edge)
        partnerships[partnership].append(edge)
    built = graph.build_graph(
        ((pk, quadrant) for pk, quadrant, _name in members),
        edges,
        names={pk: name for pk, _quadrant, name in members},
    )
    return Loaded(
        graph=built,
        relationships=len(rows),
        partnerships=dict(partnerships),
        partnership_names=names,
    )


def _members(scope: Scope, rows: list[tuple]) -> list[tuple[int, str, str]]:
    """(id, quadrant, name) of scope.analysed_members(). For the whole organization, every member is
    read in one plain query and kept here when active or at an end of a relationship: the
    same test in SQL reads the relationships twice more (or the planner hashes them)."""
    if not scope.is_whole_organization:
        return list(scope.analysed_members().order_by().values_list("pk", "quadrant", "name"))
    day = scope.day
    ends = {row[0] for row in rows} | {row[1] for row in rows}
    everyone = (
        Member.objects.for_org(scope.organization)
        .order_by()
        .values_list("pk", "quadrant", "name", "active_from", "active_until")
    )
    return [
        (pk, quadrant, name)
        for pk, quadrant, name, starts, ends_on in everyone
        if (starts <= day and (ends_on is None or ends_on > day)) or pk in ends
    ]


# --- what the page shows, as cached ---------------------------------------------------------


@dataclass(frozen=True)
class RiskEntry:
    """One ranked risk, with what its links need."""

    risk: graph.Risk
    quadrant: str | None  # the quadrant of the member at risk; None for a partnership's
    member_name: str  # the member at risk, or "" for a partnership's risk
    partnership_name: str  # the partnership lacking a channel, or ""

    @property
    def member_id(self) -> int | None:
        return self.risk.member_ids[0] if self.quadrant is not None else None


@dataclass(frozen=True)
class HealthReport:
    """Everything the health page shows except the brokers; small enough to cache."""

    members: int
    reached: int
    relationships: int
    summary: dict[str, graph.QuadrantCoverage]
    single_points: int
    risk_count: int
    risks: tuple[RiskEntry, ...]  # the first RISKS_SHOWN, most severe first
    risks_by_quadrant: dict[str, tuple[RiskEntry, ...]]  # the first RISKS_SHOWN of each
    risk_counts_by_quadrant: dict[str, int]
    risk_counts_by_kind: dict[str, int]
    groups: tuple[RiskGroup, ...] = ()  # every risk in one group, most pressing first
    computed_at: datetime.datetime | None = None
    # Read from a snapshot computed ahead under an older data version: changes made since
    # are not in it (never cached so; set on the copy a request reads).
    behind: bool = False

    @property
    def is_empty(self) -> bool:
        return self.relationships == 0

    def risks_in(self, quadrant: str | None) -> tuple[tuple[RiskEntry, ...], int]:
        """The risks listed for a quadrant (or overall) and how many more there are."""
        if quadrant:
            shown = self.risks_by_quadrant.get(quadrant, ())
            return shown, self.risk_counts_by_quadrant.get(quadrant, 0) - len(shown)
        return self.risks, self.risk_count - len(self.risks)


@dataclass(frozen=True)
class Broker:
    member_id: int
    name: str
    quadrant: str
    betweenness: float
    path_share: float = 0.0  # of the shortest paths from leadership to employees

    @property
    def in_words(self) -> str:
        """ "1 in 5 paths from leadership to employees pass through Victor Castillo"."""
        share = graph.share_in_words(self.path_share)
        noun = "path" if share == "every" else "paths"
        if self.quadrant == rules.LEADERSHIP:  # where the message starts
            verb = "starts" if share == "every" else "start"
            return f"{share} {noun} from leadership to employees {verb} with {self.name}"
        verb = "passes" if share == "every" else "pass"
        return f"{share} {noun} from leadership to employees {verb} through {self.name}"


@dataclass(frozen=True)
class BrokerReport:
    ranked: tuple[Broker, ...]
    method: str  # "exact" or "sampled"
    sample_size: int | None
    senders: int


def _entry(analysed: nx.DiGraph, risk: graph.Risk, names: dict[int, str]) -> RiskEntry:
    if risk.kind == graph.RiskKind.PARTNERSHIP_MISSING_CHANNEL:
        name = names.get(risk.partnership_id, f"Partnership #{risk.partnership_id}")
        return RiskEntry(risk, None, "", name)
    member = analysed.nodes[risk.member_ids[0]]
    return RiskEntry(risk, member["quadrant"], member.get("name", ""), "")


def analyse(loaded: Loaded) -> HealthReport:
    """The report of a loaded graph: coverage, single points and ranked risks (graph.py)."""
    result = graph.health(
        loaded.graph,
        partnerships=loaded.partnerships,
        partnership_names=loaded.partnership_names,
    )
    entries = [_entry(loaded.graph, risk, loaded.partnership_names) for risk in result.risks]
    by_quadrant: dict[str, list[RiskEntry]] = {q: [] for q in rules.QUADRANTS}
    for entry in entries:
        if entry.quadrant is not None:
            by_quadrant[entry.quadrant].append(entry)
    return HealthReport(
        members=len(result.members),
        reached=sum(1 for member in result.members.values() if member.reached),
        relationships=loaded.relationships,
        summary=result.summary,
        single_points=len(result.single_points),
        risk_count=len(entries),
        risks=tuple(entries[:RISKS_SHOWN]),
        risks_by_quadrant={q: tuple(found[:RISKS_SHOWN]) for q, found in by_quadrant.items()},
        risk_counts_by_quadrant={q: len(found) for q, found in by_quadrant.items()},
        risk_counts_by_kind=dict(Counter(str(entry.risk.kind) for entry in entries)),
        groups=tuple(
            group_risks(
                loaded.graph,
                result.risks,
                result.members,
                loaded.partnership_names,
                loaded.partnerships,
            )
        ),
        computed_at=timezone.now(),
    )


def rank_brokers(loaded: Loaded) -> BrokerReport:
    """Who carries the most paths (graph.brokers: exact or sampled, as it says)."""
    found = graph.brokers(loaded.graph, top=BROKERS_SHOWN)
    nodes = loaded.graph.nodes
    shares = graph.path_shares(loaded.graph, (member for member, _value in found.ranked))
    return BrokerReport(
        ranked=tuple(
            Broker(
                member,
                nodes[member].get("name", ""),
                nodes[member]["quadrant"],
                value,
                shares[member],
            )
            for member, value in found.ranked
        ),
        method=found.method,
        sample_size=found.sample_size,
        senders=found.senders,
    )


def quarter_start(day: datetime.date, fiscal_year_start_month: int) -> datetime.date:
    """The first day of the organization's quarter holding `day` (quarters follow its fiscal
    year start, as meetings/quarters.py counts them)."""
    offset = (day.month - fiscal_year_start_month) % 3
    month = day.month - offset
    year = day.year
    if month < 1:
        month, year = month + 12, year - 1
    return datetime.date(year, month, 1)


@dataclass(frozen=True)
class TrendRow:
    kind: str
    words: str
    before: int
    now: int

    @property
    def change(self) -> int:
        return self.now - self.before


def risk_trend(scope: Scope) -> tuple[datetime.date, list[TrendRow]]:
    """Per kind of risk, how many there are on the scope's day against the last day of the
    quarter before (both from the as-of history, each cached like the page)."""
    organization = scope.organization
    start = quarter_start(scope.day, organization.fiscal_year_start_month)
    # A day in the first quarter of the calendar has no quarter before it: compare it with itself.
    last_quarter_end = (
        start - datetime.timedelta(days=1) if start > datetime.date.min else scope.day
    )
    version = data_version(organization)
    now = health_report(scope, version=version).risk_counts_by_kind
    earlier = dataclasses.replace(scope, day=last_quarter_end)
    before = health_report(earlier, version=version).risk_counts_by_kind
    rows = [
        TrendRow(str(kind), KIND_WORDS[kind], before.get(str(kind), 0), now.get(str(kind), 0))
        for kind in graph.RiskKind
    ]
    return last_quarter_end, [row for row in rows if row.before or row.now]


def find_group(report: HealthReport, key: str) -> RiskGroup | None:
    return next((group for group in report.groups if group.key == key), None)


@dataclass(frozen=True)
class RemedyPlan:
    """What applying a group's remedy to one partnership would create, read from the
    database: the relationships not already in it, with their members' names."""

    partnership: Partnership
    day: datetime.date
    pairs: tuple[tuple[int, int], ...]
    rows: tuple[tuple[str, str, str], ...]  # (from name, to name, type), as previewed
    already: int  # proposals the partnership already holds

    @property
    def by_sender(self) -> list[tuple[str, list[str], str]]:
        """The rows as the preview lists them: each sender once, with whom they will reach."""
        found: dict[tuple[str, str], list[str]] = {}
        for source, target, kind in self.rows:
            found.setdefault((source, kind), []).append(target)
        return [(source, targets, kind) for (source, kind), targets in found.items()]

    @property
    def fingerprint(self) -> str:
        """Names exactly this list: an apply whose list differs from its preview's is refused."""
        text = f"{self.partnership.pk}:{self.day}:" + ";".join(f"{a}-{b}" for a, b in self.pairs)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def remedy_plan(group: RiskGroup, partnership: Partnership, day: datetime.date) -> RemedyPlan:
    """Two queries, whatever the size: the pairs the partnership holds, the members' names."""
    proposed = list(group.proposals)
    held = set(
        Relationship.objects.filter(partnership=partnership)
        .overlapping(day, partnership.dissolved_on)
        .order_by()
        .values_list("from_member_id", "to_member_id")
    )
    pairs = tuple(pair for pair in proposed if pair not in held)
    names = dict(
        Member.objects.filter(
            organization_id=partnership.organization_id,
            pk__in={pk for pair in pairs for pk in pair},
        ).values_list("pk", "name")
    )
    return RemedyPlan(
        partnership=partnership,
        day=day,
        pairs=pairs,
        rows=tuple((names[a], names[b], group.proposal_type) for a, b in pairs),
        already=len(proposed) - len(pairs),
    )


# --- cached reads ---------------------------------------------------------------------------


# A caller that has not read the data version yet (None is a version read while a write may
# still be landing: computed, not cached).
UNREAD = "unread"


def health_report(scope: Scope, *, version: str | None = UNREAD) -> HealthReport:
    """The scope's report: one query when cached, four when not (none and three when the
    caller passes the organization's data_version, read once for the whole request)."""
    report, _brokers = _cached(scope, with_brokers=False, version=version)
    return report


def health_with_brokers(scope: Scope, *, ahead: str = EXACT) -> tuple[HealthReport, BrokerReport]:
    """The report and the brokers: one query when cached, four when not (two when computed
    ahead, see _cached)."""
    report, brokers = _cached(scope, with_brokers=True, ahead=ahead)
    assert brokers is not None
    return report, brokers


def report_and_brokers(
    scope: Scope, *, ahead: str = EXACT
) -> tuple[HealthReport, BrokerReport | None]:
    """The report, and the brokers only if they are cached (or computed ahead) already (None
    otherwise): one query when cached, four when not (two when computed ahead)."""
    return _cached(scope, with_brokers=False, brokers_if_cached=True, ahead=ahead)


def _cached(
    scope: Scope,
    *,
    with_brokers: bool,
    version: str | None = UNREAD,
    brokers_if_cached: bool = False,
    ahead: str = EXACT,
):
    """The cache first; then, for the whole organization or an objective today, what
    `manage.py refresh_health` computed ahead (one query; see `ahead`); else computed now."""
    if version == UNREAD:
        version = data_version(scope.organization)
    if version is None:  # a write may still be landing: nothing is read from or kept in cache
        snapshot = precomputed(scope) if ahead == ANY else None
        if snapshot is not None and snapshot.seconds >= BEHIND_WHEN_SLOWER_THAN:
            return _unpack(snapshot, behind=True)
        with collector_paused():
            loaded = load(scope)
            return analyse(loaded), rank_brokers(loaded) if with_brokers else None
    report_key = cache_key(scope, "report", version)
    brokers_key = cache_key(scope, "brokers", version)
    keys = [report_key, brokers_key] if with_brokers or brokers_if_cached else [report_key]
    found = cache.get_many(keys)
    report, brokers = found.get(report_key), found.get(brokers_key)
    if report is not None and (brokers is not None or not with_brokers):
        return report, brokers
    if report is None and ahead != NEVER and (snapshot := precomputed(scope)) is not None:
        if snapshot.data_version == version:  # exact: kept in the cache like a fresh one
            report, brokers = _unpack(snapshot, behind=False)
            cache.set_many({report_key: report, brokers_key: brokers}, CACHE_SECONDS)
            return report, brokers
        if ahead == ANY and snapshot.seconds >= BEHIND_WHEN_SLOWER_THAN:
            return _unpack(snapshot, behind=True)
    fresh = {}
    with collector_paused():
        loaded = load(scope)
        if report is None:
            report = fresh[report_key] = analyse(loaded)
        if with_brokers and brokers is None:
            brokers = fresh[brokers_key] = rank_brokers(loaded)
    cache.set_many(fresh, CACHE_SECONDS)
    return report, brokers


def precomputable(scope: Scope) -> bool:
    """What `manage.py refresh_health` computes ahead: the whole organization and each
    objective, as leaders and admins see them, today."""
    return (
        scope.limited_to is None
        and scope.partnership is None
        and scope.day == scope.organization.today()
    )


def precomputed(scope: Scope) -> HealthSnapshot | None:
    """The scope's snapshot computed ahead for its day, if any (one query; none for a scope
    that is never computed ahead)."""
    if not precomputable(scope):
        return None
    return (
        HealthSnapshot.objects.filter(
            organization=scope.organization, objective=scope.objective, day=scope.day
        )
        .order_by()
        .first()
    )


def _unpack(snapshot: HealthSnapshot, *, behind: bool) -> tuple[HealthReport, BrokerReport]:
    report = pickle.loads(snapshot.report)
    brokers = pickle.loads(snapshot.brokers)
    return dataclasses.replace(report, computed_at=snapshot.computed_at, behind=behind), brokers


def ranked_risks(scope: Scope, quadrant: str | None = None) -> tuple[RiskEntry, ...]:
    """Every risk of the scope, most severe first (of one quadrant, when given): for the pages
    of the list after its first, which the report alone holds. Cached under its own key, so
    that the page of cards never reads it back; computed as the report is when missing."""
    version = data_version(scope.organization)
    key = cache_key(scope, "risks", version) if version is not None else None
    found = cache.get(key) if key else None
    if found is None:
        with collector_paused():
            loaded = load(scope)
            result = graph.health(
                loaded.graph,
                partnerships=loaded.partnerships,
                partnership_names=loaded.partnership_names,
            )
            found = tuple(
                _entry(loaded.graph, risk, loaded.partnership_names) for risk in result.risks
            )
        if key:
            cache.set(key, found, CACHE_SECONDS)
    if quadrant:
        return tuple(entry for entry in found if entry.quadrant == quadrant)
    return found


def quadrant_risk_counts(scope: Scope, *, version: str | None = UNREAD) -> dict[str, int]:
    """How many risks each quadrant has ({"L": n, "M": n, "T": n, "E": n}), for the badges on
    the diagram. Cached like the page; for managers and members (a limited scope) only the
    partnerships they belong to count, as on the health page. A caller that has read
    data_version for its own cache passes it, to save reading it again.

    The counts are kept under their own key as well, beside the report: the diagram reads
    back four numbers, not the whole report (its groups hold every risk, and they grow
    with the organization). The report read under a version is exact (never a snapshot
    behind it), so are the counts kept under it."""
    if version == UNREAD:
        version = data_version(scope.organization)

    def count() -> dict[str, int]:
        return dict(health_report(scope, version=version).risk_counts_by_quadrant)

    return kept(cache_key(scope, "quadrant-risks", version) if version is not None else None, count)


def cache_key(scope: Scope, kind: str, version: str) -> str:
    """Where the analysis keeps what it computed for a scope ("report" or "brokers")."""
    return scope.cache_key(f"{_CACHE_FORMAT}:{kind}", version)


def health_url(
    *,
    objective: Objective | None = None,
    day: datetime.date | None = None,
    quadrant: str | None = None,
) -> str:
    """The health page for an objective, a day and a quadrant's risks (for diagram badges)."""
    pairs = []
    if objective is not None:
        pairs.append(("objective", objective.pk))
    if day is not None:
        pairs.append(("as_of", day.isoformat()))
    if quadrant:
        pairs.append(("quadrant", quadrant))
    url = reverse("health:page")
    return f"{url}?{urlencode(pairs)}" if pairs else url
