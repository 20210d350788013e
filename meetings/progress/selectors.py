"""Reads for the leader's progress: the checklist page, the measurements page, the success
feeds and the dashboard. Each costs a fixed number of queries, whatever the size of the
organization; the dashboard's arithmetic is plain Python over a handful of aggregates."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

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
    PulseRating,
    SatisfactionScore,
    ScoreKind,
    Session,
    SessionStatus,
    SessionSuccess,
)
from meetings.quarters import Quarter
from meetings.selectors import current_quarter
from org.models import Organization, OrgMembership, person_name
from partnerships import rules
from partnerships.models import Objective, Partnership
from partnerships.versions import PROGRESS, data_version, kept

# Bump when the shape of what is cached changes, so old entries are never read back.
_DASHBOARD_FORMAT = "dashboard-1"

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
        .filter(
            Q(score__quarter_start=quarter.start)
            | Q(measurement__quarter_start=quarter.start)
            | Q(pulse__session__quarter_start=quarter.start)
        )
        .annotate(changed_by_name=person_name("changed_by"))
        .select_related(
            "score",
            "measurement__objective",
            "pulse__rater",
            "pulse__session__partnership",
        )
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


@dataclass
class PulseCell:
    rater: str
    other: str
    count: int
    communication: float | None
    relationship: float | None
    overall: float | None
    change: float | None = None  # overall, against the previous quarter

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
        """This quarter's rated quadrant pairs, the ones that fell most first."""
        cells = list(self.now.pulse.values())
        return sorted(cells, key=lambda c: (c.change if c.change is not None else 99, c.rater))


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
    """The dashboard as `render` writes it, kept in Django's cache beside the Dashboard it is
    written from (same key and version, see cached_dashboard): a cached page reads one
    string rather than unpickling the figures and running the template again. One query."""
    key, today = _dashboard_key(membership, quarter, keeps_checklist)

    def figures() -> Dashboard:
        return kept(
            key,
            lambda: dashboard(membership, quarter, keeps_checklist=keeps_checklist, today=today),
        )

    return kept(f"{key}:html" if key else None, lambda: render(figures()))


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


def dashboard(
    membership: OrgMembership,
    quarter: Quarter,
    *,
    keeps_checklist: bool,
    today: datetime.date | None = None,
) -> Dashboard:
    """Everything the leader's dashboard shows for the quarter and the three before it, in
    seven queries: partnerships, sessions, the checklist, successes, scores, objectives with
    their values, and the pulse."""
    organization = membership.organization
    today = today or organization.today()
    quarters = quarters_up_to(quarter)
    first, last = quarters[0], quarters[-1]
    starts = [q.start for q in quarters]
    numbers = {q.start: QuarterNumbers(q) for q in quarters}

    # integration: sessions held against due, per partnership
    partnerships = list(
        Partnership.objects.for_org(organization)
        .filter(formed_on__lt=last.end)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=first.start))
        .order_by("name", "id")
        .values_list("pk", "name", "formed_on", "dissolved_on")
    )
    status_of = {
        (pid, start): status
        for pid, start, status in Session.objects.for_org(organization)
        .filter(quarter_start__in=starts)
        .values_list("partnership_id", "quarter_start", "status")
    }
    lines = []
    bounds = [(q, q.start, q.end) for q in quarters]  # a Quarter computes its dates each time
    for pk, name, formed_on, dissolved_on in partnerships:
        line = SessionsLine(pk, name, [])
        for q, start, end in bounds:
            due = formed_on < end and (dissolved_on is None or dissolved_on > start)
            status = status_of.get((pk, start))
            if not due:
                line.cells.append("n/a")
                continue
            numbers[start].due += 1
            line.cells.append(status or "none")
            if status == SessionStatus.HELD:
                numbers[start].held += 1
            whole = formed_on <= start and (dissolved_on is None or dissolved_on >= end)
            if end <= today and whole and status != SessionStatus.HELD:
                line.gap_quarters.append(q)
        if any(cell != "n/a" for cell in line.cells):
            lines.append(line)

    # example: my checklist, per principle
    pairs = defaultdict(list)
    for start, principle, state in ChecklistItem.objects.filter(
        checklist__membership=membership, checklist__quarter_start__in=starts
    ).values_list("checklist__quarter_start", "action__principle", "state"):
        pairs[start].append((principle, state))
    for start, quarter_numbers in numbers.items():
        quarter_numbers.checklist = progress_of(pairs[start])

    # track and share: successes logged and shared
    counts = SessionSuccess.objects.for_org(organization).aggregate(
        **{
            f"logged_{i}": Count("pk", filter=Q(happened_on__gte=q.start, happened_on__lt=q.end))
            for i, q in enumerate(quarters)
        },
        **{
            f"shared_{i}": Count(
                "pk",
                filter=Q(
                    happened_on__gte=q.start,
                    happened_on__lt=q.end,
                    shared_with_organization=True,
                ),
            )
            for i, q in enumerate(quarters)
        },
    )
    for i, q in enumerate(quarters):
        numbers[q.start].successes = counts[f"logged_{i}"]
        numbers[q.start].shared = counts[f"shared_{i}"]

    # satisfaction
    for start, kind, value in SatisfactionScore.objects.filter(
        organization=organization, quarter_start__in=starts
    ).values_list("quarter_start", "kind", "value"):
        setattr(numbers[start], kind, value)

    # objectives: measured values against targets
    objectives = list(
        measurable_objectives(organization, first, last).prefetch_related(
            Prefetch(
                "measurements",
                ObjectiveMeasurement.objects.filter(quarter_start__in=starts),
                to_attr="trend_measurements",
            )
        )
    )
    trends = []
    for objective in objectives:
        by_start = {m.quarter_start: m.value for m in objective.trend_measurements}
        trends.append(ObjectiveTrend(objective, [by_start.get(s) for s in starts]))

    # the pulse: rater's quadrant x the other side's quadrant
    averages = {name: Avg(name) for name in PULSE_FIELDS}
    for row in (
        PulseRating.objects.filter(organization=organization, session__quarter_start__in=starts)
        .values("session__quarter_start", "rater_quadrant", "other_quadrant")
        .annotate(count=Count("pk"), **averages)
        .order_by()
    ):
        communication = _mean([row[name] for name in PULSE_COMMUNICATION])
        relationship = _mean([row[name] for name in PULSE_RELATIONSHIP])
        overall = _mean([row[name] for name in PULSE_FIELDS])
        key = (row["rater_quadrant"], row["other_quadrant"])
        numbers[row["session__quarter_start"]].pulse[key] = PulseCell(
            key[0], key[1], row["count"], communication, relationship, overall
        )
    ordered = [numbers[s] for s in starts]
    for before, after in zip(ordered, ordered[1:], strict=False):
        for key, cell in after.pulse.items():
            earlier = before.pulse.get(key)
            if earlier is not None and earlier.overall is not None and cell.overall is not None:
                cell.change = round(cell.overall - earlier.overall, 2)

    return Dashboard(
        quarter=quarter,
        quarters=quarters,
        numbers=ordered,
        sessions=lines,
        objectives=trends,
        keeps_checklist=keeps_checklist,
    )
