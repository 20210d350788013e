"""Reads for the leader's progress: the checklist page, the measurements page, the success
feeds and the dashboard. Each costs a fixed number of queries, whatever the size of the
organization; the dashboard's arithmetic is plain Python over a handful of aggregates."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Avg,
    BigIntegerField,
    Count,
    Field,
    Model,
    Prefetch,
    Q,
    QuerySet,
    Value,
)

from meetings.models import (
    PRINCIPLE_ACTIONS,
    PULSE_COMMUNICATION,
    PULSE_FIELDS,
    PULSE_RELATIONSHIP,
    Action,
    ActionState,
    Checklist,
    ChecklistItem,
    ChecklistOptIn,
    MeasurementChange,
    ObjectiveMeasurement,
    Principle,
    PulseGiven,
    PulseRating,
    SatisfactionScore,
    ScoreKind,
    Session,
    SessionRating,
    SessionStatus,
    SessionSuccess,
)
from meetings.quarters import Quarter
from meetings.selectors import current_quarter
from org.cycles import collector_paused
from org.models import PULSE_MIN_RATERS_FLOOR, Organization, OrgMembership, person_name
from partnerships import rules
from partnerships.models import Objective, Partnership
from partnerships.versions import PROGRESS, data_version, kept

# Bump when the shape of what is cached changes, so old entries are never read back.
_DASHBOARD_FORMAT = "dashboard-2"

TREND_QUARTERS = 4

# The three key areas of emphasis the dashboard is built around.
AREAS = {
    "example": "A top-down example",
    "integration": "Integrated into what already happens",
    "track": "Track successes and share them",
}


def quarters_up_to(quarter: Quarter, count: int = TREND_QUARTERS) -> list[Quarter]:
    """``count`` quarters ending with ``quarter``, oldest first."""
    quarters = [quarter]
    while len(quarters) < count:
        quarters.insert(0, quarters[0].previous())
    return quarters


def past_quarter_choices(organization: Organization, count: int = 8) -> list[Quarter]:
    """The current quarter and the ones before it, newest first, for pickers."""
    return list(reversed(quarters_up_to(current_quarter(organization), count)))


def opted_in(membership: OrgMembership) -> bool:
    return ChecklistOptIn.objects.filter(membership=membership).exists()


# --- checklist progress ----------------------------------------------------------------------


@dataclass
class PrincipleProgress:
    principle: Principle
    total: int
    done: int = 0
    in_progress: int = 0

    @property
    def label(self) -> str:
        return self.principle.label

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def percent_in_progress(self) -> int:
        return round(100 * self.in_progress / self.total) if self.total else 0

    @property
    def not_started(self) -> int:
        return self.total - self.done - self.in_progress


def empty_progress() -> dict[int, PrincipleProgress]:
    return {
        principle: PrincipleProgress(Principle(principle), total=last - first + 1)
        for principle, (first, last) in PRINCIPLE_ACTIONS.items()
    }


def progress_of(items) -> list[PrincipleProgress]:
    """Done and in progress per principle, from (principle, state) pairs."""
    progress = empty_progress()
    for principle, state in items:
        if state == ActionState.DONE:
            progress[principle].done += 1
        elif state == ActionState.IN_PROGRESS:
            progress[principle].in_progress += 1
    return list(progress.values())


@dataclass
class ChecklistRow:
    action: Action
    state: str
    note: str
    version: int

    @property
    def state_label(self) -> str:
        return ActionState(self.state).label


@dataclass
class ChecklistPage:
    quarter: Quarter
    rows: list[ChecklistRow]
    started: bool  # the checklist exists (else the rows show what it will start from)
    carried_from: Quarter | None  # where the notes came (or will come) from

    @property
    def progress(self) -> list[PrincipleProgress]:
        return progress_of((row.action.principle, row.state) for row in self.rows)

    def groups(self) -> list[tuple[PrincipleProgress, list[ChecklistRow]]]:
        by_principle = defaultdict(list)
        for row in self.rows:
            by_principle[row.action.principle].append(row)
        return [(p, by_principle[p.principle]) for p in self.progress]


def checklist_page(membership: OrgMembership, quarter: Quarter) -> ChecklistPage:
    """The person's checklist for the quarter. Before it exists, the rows show what it will
    start from: nothing started, the notes of their latest earlier checklist. Three queries."""
    organization = membership.organization
    start_month = organization.fiscal_year_start_month
    checklists = list(
        Checklist.objects.filter(membership=membership, quarter_start__lte=quarter.start)
        .order_by("-quarter_start")
        .prefetch_related(Prefetch("items", ChecklistItem.objects.order_by()))[:2]
    )
    actions = list(Action.objects.order_by("number"))
    this = checklists[0] if checklists and checklists[0].quarter_start == quarter.start else None
    earlier = [c for c in checklists if c is not this]
    source = earlier[0] if earlier else None
    carried_from = Quarter.containing(source.quarter_start, start_month) if source else None
    if this is not None:
        items = {item.action_id: item for item in this.items.all()}
        rows = [
            ChecklistRow(a, items[a.pk].state, items[a.pk].note, items[a.pk].version)
            for a in actions
            if a.pk in items
        ]
        return ChecklistPage(quarter, rows, started=True, carried_from=carried_from)
    notes = {item.action_id: item.note for item in source.items.all()} if source else {}
    rows = [ChecklistRow(a, ActionState.NOT_STARTED, notes.get(a.pk, ""), 1) for a in actions]
    return ChecklistPage(quarter, rows, started=False, carried_from=carried_from)


# --- the measurements page -------------------------------------------------------------------


@dataclass
class ObjectiveLine:
    objective: Objective
    measurement: ObjectiveMeasurement | None

    @property
    def percent_of_target(self) -> int | None:
        return percent_of(self.measurement.value if self.measurement else None, self.objective)


def percent_of(value: Decimal | None, objective: Objective) -> int | None:
    if value is None or not objective.target_value:
        return None
    return round(100 * value / objective.target_value)


def measurable_objectives(organization: Organization, first: Quarter, last: Quarter):
    """Objectives with a unit that run at some time from ``first`` to ``last``."""
    return (
        Objective.objects.filter(organization=organization)
        .exclude(target_unit="")
        .filter(starts_on__lt=last.end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=first.start))
        .order_by("title", "id")
    )


@dataclass
class MeasurementsPage:
    quarter: Quarter
    scores: dict[str, SatisfactionScore | None]
    objectives: list[ObjectiveLine]
    history: list[MeasurementChange]


def measurements_page(organization: Organization, quarter: Quarter) -> MeasurementsPage:
    """The quarter's scores and objective values, and the latest 50 entries and corrections
    of the quarter's values. Four queries."""
    scores = {
        score.kind: score
        for score in SatisfactionScore.objects.filter(
            organization=organization, quarter_start=quarter.start
        )
    }
    measured = {
        m.objective_id: m
        for m in ObjectiveMeasurement.objects.filter(
            organization=organization, quarter_start=quarter.start
        )
    }
    lines = [
        ObjectiveLine(objective, measured.get(objective.pk))
        for objective in measurable_objectives(organization, quarter, quarter)
    ]
    history = list(
        MeasurementChange.objects.filter(organization=organization)
        .filter(Q(score__quarter_start=quarter.start) | Q(measurement__quarter_start=quarter.start))
        .annotate(changed_by_name=person_name("changed_by"))
        .select_related("score", "measurement__objective")
        .order_by("-changed_at", "-id")[:50]
    )
    return MeasurementsPage(
        quarter,
        {kind: scores.get(kind) for kind in ScoreKind.values},
        lines,
        history,
    )


# --- success feeds ---------------------------------------------------------------------------


def success_feed(membership: OrgMembership) -> QuerySet[SessionSuccess]:
    return (
        SessionSuccess.objects.visible_to(membership)
        .with_author_name()
        .select_related("partnership", "objective", "author", "shared_by", "session")
        .order_by("-happened_on", "-id")
    )


# --- the dashboard ---------------------------------------------------------------------------


@dataclass
class SessionsLine:
    """One partnership's sessions over the trend quarters."""

    partnership_id: int
    name: str
    cells: list[str]  # per quarter: "held", "planned", "missed", "cancelled", "none", "n/a"
    gap_quarters: list[Quarter] = field(default_factory=list)  # full quarters without one


# --- anonymity: groups of at least k raters ---------------------------------------------------


def min_raters(organization: Organization) -> int:
    """k: the fewest distinct raters a group of answers needs to be shown (never below 3)."""
    return max(organization.pulse_min_raters, PULSE_MIN_RATERS_FLOOR)


def fewer_than(k: int) -> str:
    return f"fewer than {k} answers"


@dataclass
class RatingGroup:
    """The average of a group's answers, known only when at least ``k`` distinct people
    answered: below that, neither the average nor the count is kept (nothing to leak)."""

    k: int
    raters: int | None  # None when hidden
    average: float | None

    @classmethod
    def of(cls, k: int, raters: int, average: float | None) -> RatingGroup:
        if raters < k:
            return cls(k, None, None)
        return cls(k, raters, None if average is None else round(average, 2))

    @property
    def shown(self) -> bool:
        return self.raters is not None

    @property
    def hidden_text(self) -> str:
        return fewer_than(self.k)


@dataclass
class PulseCell:
    """One quadrant pair's pulse: the averages only when ``shown`` (at least k distinct
    raters); a hidden cell keeps neither its averages nor its count."""

    rater: str
    other: str
    count: int | None
    communication: float | None
    relationship: float | None
    overall: float | None
    change: float | None = None  # overall, against the previous quarter
    k: int = 0
    averages: dict[str, float | None] = field(default_factory=dict)

    @classmethod
    def of(cls, k: int, rater: str, other: str, raters: int, row: dict) -> PulseCell:
        if raters < k:
            return cls(rater, other, None, None, None, None, k=k)
        return cls(
            rater,
            other,
            raters,
            _mean([row[name] for name in PULSE_COMMUNICATION]),
            _mean([row[name] for name in PULSE_RELATIONSHIP]),
            _mean([row[name] for name in PULSE_FIELDS]),
            k=k,
            averages={name: _round(row[name]) for name in PULSE_FIELDS},
        )

    @property
    def shown(self) -> bool:
        return self.count is not None

    @property
    def hidden_text(self) -> str:
        return fewer_than(self.k)

    @property
    def weakening(self) -> bool:
        return self.change is not None and self.change < 0

    @property
    def rater_name(self) -> str:
        return rules.QUADRANT_NAMES[self.rater]

    @property
    def other_name(self) -> str:
        return rules.QUADRANT_NAMES[self.other]


@dataclass
class WorthLine:
    """One partnership's "was it worth the time" over the trend quarters."""

    partnership_id: int
    name: str
    cells: list[RatingGroup | None]  # None: nobody answered that quarter


@dataclass
class QuarterNumbers:
    quarter: Quarter
    due: int = 0
    held: int = 0
    checklist: list[PrincipleProgress] = field(default_factory=list)
    successes: int = 0
    shared: int = 0
    customer: Decimal | None = None
    employee: Decimal | None = None
    pulse: dict[tuple[str, str], PulseCell] = field(default_factory=dict)
    worth: RatingGroup | None = None  # "was it worth the time", all partnerships

    @property
    def checklist_done(self) -> int:
        return sum(p.done for p in self.checklist)


@dataclass
class ObjectiveTrend:
    objective: Objective
    values: list[Decimal | None]

    @property
    def latest(self) -> Decimal | None:
        return self.values[-1]

    @property
    def percents(self) -> list[int | None]:
        return [percent_of(v, self.objective) for v in self.values]

    @property
    def cells(self) -> list[tuple[Decimal | None, int | None]]:
        return list(zip(self.values, self.percents, strict=True))


@dataclass
class Dashboard:
    quarter: Quarter
    quarters: list[Quarter]  # the trend, oldest first; the last one is ``quarter``
    numbers: list[QuarterNumbers]
    sessions: list[SessionsLine]
    objectives: list[ObjectiveTrend]
    keeps_checklist: bool
    k: int = 5
    worth: list[WorthLine] = field(default_factory=list)  # per partnership

    @property
    def now(self) -> QuarterNumbers:
        return self.numbers[-1]

    @property
    def gaps(self) -> list[SessionsLine]:
        return [line for line in self.sessions if line.gap_quarters]

    def pulse_grid(self, numbers: QuarterNumbers) -> list[list[PulseCell | None]]:
        return [[numbers.pulse.get((r, o)) for o in rules.QUADRANTS] for r in rules.QUADRANTS]

    @property
    def pulse_flows(self) -> list[PulseCell]:
        """This quarter's rated quadrant pairs, the ones that fell most first (those with
        fewer than k raters last)."""
        cells = list(self.now.pulse.values())
        return sorted(
            cells,
            key=lambda c: (not c.shown, c.change if c.change is not None else 99, c.rater, c.other),
        )


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _mean(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 2) if values else None


def cached_dashboard_html(
    membership: OrgMembership,
    quarter: Quarter,
    *,
    keeps_checklist: bool,
    render: Callable[[Dashboard], str],
) -> str:
    """The dashboard as `render` writes it, kept in Django's cache under the key of the
    Dashboard it is written from (see cached_dashboard): a cached page reads one string
    rather than unpickling the figures and running the template again. One query.
    Written with the cycle collector paused (org/cycles.py), as the planner is: the thousands
    of rows, cells and strings it builds set the collector off again and again. The figures
    themselves are not kept on the way: the page needs only the text, and pickling a
    thousand partnerships' lines into the cache took a tenth of a first view at 100,000
    members (issue 23); cached_dashboard keeps them for whoever asks."""
    key, today = _dashboard_key(membership, quarter, keeps_checklist)

    def written() -> str:
        with collector_paused():
            return render(
                dashboard(membership, quarter, keeps_checklist=keeps_checklist, today=today)
            )

    return kept(f"{key}:html" if key else None, written)


def _dashboard_key(
    membership: OrgMembership, quarter: Quarter, keeps_checklist: bool
) -> tuple[str | None, datetime.date]:
    organization = membership.organization
    today = organization.today()
    version = data_version(organization, PROGRESS)
    key = None
    if version is not None:
        key = (
            f"{_DASHBOARD_FORMAT}:org-{organization.pk}:{version}:membership-{membership.pk}:"
            f"{quarter.key}:{quarter.start.isoformat()}:{today.isoformat()}:{keeps_checklist}"
        )
    return key, today


def cached_dashboard(
    membership: OrgMembership, quarter: Quarter, *, keeps_checklist: bool
) -> Dashboard:
    """dashboard(), kept in Django's cache under the organization's progress version (one
    query; none more when cached): every table it reads is watched by that version
    (partnerships/versions.py), and the key carries the viewer, the quarter and today, on
    which its gaps depend. While a write may still be landing, computed and not kept."""
    key, today = _dashboard_key(membership, quarter, keeps_checklist)
    return kept(
        key, lambda: dashboard(membership, quarter, keeps_checklist=keeps_checklist, today=today)
    )


# The dashboard's reads are written as SQL rather than built by the ORM: on its first view
# (after any change to the quarter's data) Django took longer to build seven querysets' SQL and
# to turn their rows into values than the database took to answer them (issue 23). Each query
# names the organization on every tenant table it reads and joins tenant tables on it too, as
# the Citus backend's compiler does for the ORM (partnerships/citus_backend), so that it stays
# on one shard; a value read from a model's field is converted as the ORM converts it (_read).


def dashboard(
    membership: OrgMembership,
    quarter: Quarter,
    *,
    keeps_checklist: bool,
    today: datetime.date | None = None,
) -> Dashboard:
    """Everything the leader's dashboard shows for the quarter and the three before it, in
    seven queries (written as SQL, see _read): partnerships with their sessions, the
    checklist, successes, scores, objectives with their values, the pulse, and "was it worth
    the time" per partnership and overall."""
    organization = membership.organization
    today = today or organization.today()
    quarters = quarters_up_to(quarter)
    first, last = quarters[0], quarters[-1]
    starts = [q.start for q in quarters]
    numbers = {q.start: QuarterNumbers(q) for q in quarters}
    in_starts = ", ".join(["%s"] * len(starts))
    org = organization.pk

    # integration: sessions held against due, per partnership; each partnership with the
    # status of its session of each of the four quarters (one at most per quarter, a unique
    # constraint): a row each
    status_in = "MAX(CASE WHEN s.quarter_start = %s THEN s.status END)"
    partnerships = _read(
        f"""
        SELECT p.id, p.name, p.formed_on, p.dissolved_on,
            {", ".join([status_in] * len(starts))}
        FROM partnerships_partnership p
        LEFT JOIN meetings_session s
            ON s.partnership_id = p.id AND s.organization_id = p.organization_id
            AND s.quarter_start IN ({in_starts})
        WHERE p.organization_id = %s AND p.formed_on < %s
            AND (p.dissolved_on IS NULL OR p.dissolved_on > %s)
        GROUP BY p.id, p.name, p.formed_on, p.dissolved_on
        ORDER BY p.name, p.id
        """,
        [*starts, *starts, org, last.end, first.start],
        _fields(Partnership, "id", "name", "formed_on", "dissolved_on"),
    )
    # per quarter: its dates (a Quarter computes them each time), and whether it has ended
    bounds = [(i, q, q.start, q.end, q.end <= today) for i, q in enumerate(quarters)]
    due, held = [0] * len(quarters), [0] * len(quarters)
    lines = []
    for pk, name, formed_on, dissolved_on, *statuses in partnerships:
        cells, gap_quarters = [], []
        for i, q, start, end, ended in bounds:
            if formed_on >= end or (dissolved_on is not None and dissolved_on <= start):
                cells.append("n/a")  # not due
                continue
            status = statuses[i]
            due[i] += 1
            if status == SessionStatus.HELD:
                held[i] += 1
                cells.append(status)
                continue
            cells.append(status or "none")
            whole = formed_on <= start and (dissolved_on is None or dissolved_on >= end)
            if ended and whole:
                gap_quarters.append(q)
        if cells.count("n/a") < len(cells):
            lines.append(SessionsLine(pk, name, cells, gap_quarters))
    for i, q in enumerate(quarters):
        numbers[q.start].due, numbers[q.start].held = due[i], held[i]

    # example: my checklist, per principle
    pairs = defaultdict(list)
    for start, principle, state in _read(
        f"""
        SELECT c.quarter_start, a.principle, i.state
        FROM meetings_checklistitem i
        JOIN meetings_checklist c
            ON c.id = i.checklist_id AND c.organization_id = i.organization_id
        JOIN meetings_action a ON a.id = i.action_id
        WHERE i.organization_id = %s AND c.membership_id = %s
            AND c.quarter_start IN ({in_starts})
        """,
        [org, membership.pk, *starts],
        _fields(Checklist, "quarter_start")
        + _fields(Action, "principle")
        + _fields(ChecklistItem, "state"),
    ):
        pairs[start].append((principle, state))
    for start, quarter_numbers in numbers.items():
        quarter_numbers.checklist = progress_of(pairs[start])

    # track and share: successes logged and shared, per quarter
    in_quarter = "happened_on >= %s AND happened_on < %s"
    logged = f"COUNT(CASE WHEN {in_quarter} THEN 1 END)"
    shared = f"COUNT(CASE WHEN {in_quarter} AND shared_with_organization THEN 1 END)"
    quarter_bounds = [day for q in quarters for day in (q.start, q.end)]
    (counts,) = _read(
        f"""
        SELECT {", ".join([logged] * len(quarters))}, {", ".join([shared] * len(quarters))}
        FROM meetings_sessionsuccess
        WHERE organization_id = %s AND happened_on >= %s AND happened_on < %s
        """,
        [*quarter_bounds, *quarter_bounds, org, first.start, last.end],
    )
    for i, q in enumerate(quarters):
        numbers[q.start].successes = counts[i]
        numbers[q.start].shared = counts[len(quarters) + i]

    # satisfaction
    for start, kind, value in _read(
        f"""
        SELECT quarter_start, kind, value FROM meetings_satisfactionscore
        WHERE organization_id = %s AND quarter_start IN ({in_starts})
        """,
        [org, *starts],
        _fields(SatisfactionScore, "quarter_start", "kind", "value"),
    ):
        setattr(numbers[start], kind, value)

    # objectives: measured values against targets
    # (each objective with its measurements of the four quarters in one query, a row per
    # measurement: the objective's fields come again on each; only the fields the dashboard
    # shows are read, the others deferred as by QuerySet.only())
    shown = ["id", "title", "target_value", "target_unit"]
    measured: dict[int, tuple[Objective, dict]] = {}
    for *row, start, value in _read(
        f"""
        SELECT o.id, o.title, o.target_value, o.target_unit, m.quarter_start, m.value
        FROM partnerships_objective o
        LEFT JOIN meetings_objectivemeasurement m
            ON m.objective_id = o.id AND m.organization_id = o.organization_id
            AND m.quarter_start IN ({in_starts})
        WHERE o.organization_id = %s AND o.target_unit <> '' AND o.starts_on < %s
            AND (o.ends_on IS NULL OR o.ends_on > %s)
        ORDER BY o.title, o.id
        """,
        [*starts, org, last.end, first.start],
        _fields(Objective, *shown) + _fields(ObjectiveMeasurement, "quarter_start", "value"),
    ):
        pk = row[0]
        if pk not in measured:
            measured[pk] = (Objective.from_db(connection.alias, shown, row), {})
        if start is not None:
            measured[pk][1][start] = value
    trends = [
        ObjectiveTrend(objective, [by_start.get(s) for s in starts])
        for objective, by_start in measured.values()
    ]

    # the pulse: rater's quadrant x the other side's quadrant, shown from k distinct raters
    k = min_raters(organization)
    for start, rater, other, raters, *averages in _read(
        f"""
        SELECT s.quarter_start, r.rater_quadrant, r.other_quadrant, COUNT(DISTINCT r.rater_id),
            {", ".join(f"AVG(r.{name})" for name in PULSE_FIELDS)}
        FROM meetings_pulserating r
        JOIN meetings_session s ON s.id = r.session_id AND s.organization_id = r.organization_id
        WHERE r.organization_id = %s AND s.quarter_start IN ({in_starts})
        GROUP BY s.quarter_start, r.rater_quadrant, r.other_quadrant
        """,
        [org, *starts],
        _fields(Session, "quarter_start"),
    ):
        row = dict(zip(PULSE_FIELDS, map(_float, averages), strict=True))
        numbers[start].pulse[(rater, other)] = PulseCell.of(k, rater, other, raters, row)
    ordered = [numbers[s] for s in starts]
    for before, after in zip(ordered, ordered[1:], strict=False):
        for key, cell in after.pulse.items():
            earlier = before.pulse.get(key)
            if earlier is not None and earlier.overall is not None and cell.overall is not None:
                cell.change = round(cell.overall - earlier.overall, 2)

    # was it worth the time: per partnership and quarter, and per quarter for all of them
    worth = defaultdict(dict)
    worth[None] = {}
    rated = f"""
        FROM meetings_sessionrating r
        JOIN meetings_session s ON s.id = r.session_id AND s.organization_id = r.organization_id
        WHERE r.organization_id = %s AND s.quarter_start IN ({in_starts})
    """
    for pk, start, raters, average in _read(
        f"""
        SELECT s.partnership_id, s.quarter_start, COUNT(DISTINCT r.rater_id), AVG(r.value)
        {rated} GROUP BY s.partnership_id, s.quarter_start
        UNION ALL
        SELECT NULL, s.quarter_start, COUNT(DISTINCT r.rater_id), AVG(r.value)
        {rated} GROUP BY s.quarter_start
        """,
        [org, *starts, org, *starts],
        [None, *_fields(Session, "quarter_start")],
    ):
        worth[pk][start] = RatingGroup.of(k, raters, _float(average))
    for start, group in worth.pop(None).items():
        numbers[start].worth = group
    names = {pk: name for pk, name, *_ in partnerships}
    worth_lines = [
        WorthLine(pk, names[pk], [by_start.get(s) for s in starts])
        for pk, by_start in sorted(
            worth.items(), key=lambda item: (names.get(item[0], ""), item[0])
        )
        if pk in names
    ]

    return Dashboard(
        quarter=quarter,
        quarters=quarters,
        numbers=ordered,
        sessions=lines,
        objectives=trends,
        keeps_checklist=keeps_checklist,
        k=k,
        worth=worth_lines,
    )


def _fields(model: type[Model], *names: str) -> list[Field]:
    return [model._meta.get_field(name) for name in names]


def _float(value) -> float | None:
    """An average as the ORM gives it (Avg of whole numbers: a float; PostgreSQL answers a
    numeric)."""
    return None if value is None else float(value)


def _read(sql: str, params: list, fields: Sequence[Field | None] = ()) -> list[tuple]:
    """The rows of `sql`, each value read from a model's field (``fields``, by position; None
    for a column that reads none) converted as the ORM converts that field (SQLite's dates and
    decimals); counts and the rest as the driver gives them."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = []
    for i, model_field in enumerate(fields):
        if model_field is None:
            continue
        column = model_field.get_col(model_field.model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((i, found, column))
    if not converters or not rows:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for i, found, column in converters:
            value = row[i]
            for convert in found:
                value = convert(value, column, connection)
            row[i] = value
        converted.append(tuple(row))
    return converted


def pulse_groups(
    organization: Organization, starts: list[datetime.date] | None, by: list[str], **filters
) -> list[dict]:
    """The pulse's averages per quarter and ``by``, with the number of distinct raters
    (one query). Callers show a group only from k raters (PulseCell.of)."""
    ratings = PulseRating.objects.filter(organization=organization, **filters)
    if starts is not None:
        ratings = ratings.filter(session__quarter_start__in=starts)
    return list(
        ratings.values("session__quarter_start", *by)
        .annotate(raters=Count("rater", distinct=True), **{n: Avg(n) for n in PULSE_FIELDS})
        .order_by()
    )


def session_rating_groups(
    organization: Organization,
    starts: list[datetime.date] | None,
    *,
    overall: bool = True,
    **filters,
) -> dict[int | None, dict[datetime.date, RatingGroup]]:
    """ "Was it worth the time", per partnership (its id) and quarter, and (when ``overall``)
    for all partnerships (key None) per quarter, each a RatingGroup of distinct raters (one
    query: with ``overall``, the two groupings as one UNION ALL)."""
    k = min_raters(organization)
    ratings = SessionRating.objects.filter(organization=organization, **filters).order_by()
    if starts is not None:
        ratings = ratings.filter(session__quarter_start__in=starts)
    figures = {"raters": Count("rater", distinct=True), "average": Avg("value")}
    rows = ratings.values("session__partnership_id", "session__quarter_start").annotate(**figures)
    if overall:
        every = Value(None, output_field=BigIntegerField())  # the whole organization's row
        rows = rows.union(
            ratings.annotate(every=every)
            .values("every", "session__quarter_start")
            .annotate(**figures),
            all=True,
        )
    groups: dict[int | None, dict[datetime.date, RatingGroup]] = defaultdict(dict)
    if overall:
        groups[None] = {}
    for row in rows:
        groups[row["session__partnership_id"]][row["session__quarter_start"]] = RatingGroup.of(
            k, row["raters"], row["average"]
        )
    return groups


# --- a partnership's pulse, on a session's pulse page ----------------------------------------


@dataclass
class PartnershipPulse:
    """The pulse and "worth the time" of one partnership in one quarter, each group shown only
    from k distinct raters, and how many of this session's attendees have answered."""

    k: int
    cells: list[PulseCell]
    worth: RatingGroup
    answered: int

    @property
    def hidden_text(self) -> str:
        return fewer_than(self.k)


def partnership_pulse(session: Session) -> PartnershipPulse:
    """Three queries: the pulse per quadrant pair, the worth, the answers given."""
    organization = session.organization
    k = min_raters(organization)
    starts = [session.quarter_start]
    rows = pulse_groups(
        organization,
        starts,
        ["rater_quadrant", "other_quadrant"],
        session__partnership_id=session.partnership_id,
    )
    order = {q: i for i, q in enumerate(rules.QUADRANTS)}
    cells = sorted(
        (
            PulseCell.of(k, row["rater_quadrant"], row["other_quadrant"], row["raters"], row)
            for row in rows
        ),
        key=lambda c: (order[c.rater], order[c.other]),
    )
    worth = session_rating_groups(
        organization, starts, overall=False, session__partnership_id=session.partnership_id
    )
    group = worth.get(session.partnership_id, {}).get(session.quarter_start)
    return PartnershipPulse(
        k=k,
        cells=cells,
        worth=group or RatingGroup(k, None, None),
        answered=PulseGiven.objects.filter(session=session).count(),
    )


# --- the pulse export ------------------------------------------------------------------------

ALL_PARTNERSHIPS = "All partnerships"


@dataclass
class ExportRow:
    start: datetime.date
    partnership: str
    measure: str  # "pulse" or "worth the time"
    rater: str  # quadrants, "" for the worth
    other: str
    k: int
    raters: int | None  # None: fewer than k, and nothing else is kept
    averages: list[float | None]  # the seven pulse averages ([] for the worth)
    average: float | None

    def cells(self) -> list:
        if self.raters is None:
            blanks = [""] * len(PULSE_FIELDS)
            return [
                self.partnership,
                self.measure,
                self.rater,
                self.other,
                fewer_than(self.k),
                *blanks,
                "",
            ]
        averages = self.averages or [""] * len(PULSE_FIELDS)
        return [
            self.partnership,
            self.measure,
            self.rater,
            self.other,
            self.raters,
            *["" if v is None else v for v in averages],
            "" if self.average is None else self.average,
        ]


def pulse_export_rows(organization: Organization) -> list[ExportRow]:
    """Every quarter's pulse per quadrant pair and "worth the time", for all partnerships and
    per partnership, each only from k distinct raters (five queries)."""
    k = min_raters(organization)
    names = dict(Partnership.objects.for_org(organization).values_list("pk", "name"))
    rows = []
    pair = ["rater_quadrant", "other_quadrant"]
    for by, whose in ((pair, None), ([*pair, "session__partnership_id"], True)):
        for row in pulse_groups(organization, None, by):
            cell = PulseCell.of(k, row["rater_quadrant"], row["other_quadrant"], row["raters"], row)
            partnership = (
                names.get(row["session__partnership_id"], "") if whose else ALL_PARTNERSHIPS
            )
            rows.append(
                ExportRow(
                    row["session__quarter_start"],
                    partnership,
                    "pulse",
                    cell.rater,
                    cell.other,
                    k,
                    cell.count,
                    [cell.averages.get(name) for name in PULSE_FIELDS] if cell.shown else [],
                    cell.overall,
                )
            )
    for pk, by_start in session_rating_groups(organization, None).items():
        for start, group in by_start.items():
            partnership = ALL_PARTNERSHIPS if pk is None else names.get(pk, "")
            rows.append(
                ExportRow(
                    start, partnership, "worth the time", "", "", k, group.raters, [], group.average
                )
            )
    order = {q: i for i, q in enumerate(rules.QUADRANTS)}
    rows.sort(
        key=lambda r: (
            r.start,
            r.partnership != ALL_PARTNERSHIPS,
            r.partnership,
            r.measure,
            order.get(r.rater, -1),
            order.get(r.other, -1),
        )
    )
    return rows
