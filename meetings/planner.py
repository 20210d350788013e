"""The quarterly session planner, as a pure function: plain data in, a plan out.

Every partnership to place gets one session, spread evenly across the quarter's weeks, on a
working day that is not a blackout date, inside working hours in the organization's time
zone, never while any of its attendees is already in another session. Sessions the caller
keeps (held, moved by hand, ...) are fixed: they are never moved and they block their
attendees' time. What cannot be placed comes back with the reason.

How the week is chosen, for one partnership at a time (the ones with most attendees first,
since they are the hardest to fit):

1. the week where its busiest attendee has the fewest sessions already (so a leader in twelve
   partnerships gets twelve different weeks while there are weeks to spare),
2. then the week with the fewest sessions overall,
3. then the week nearest to this partnership's evenly spaced target week.

Inside the week: the day where the attendees have fewest sessions, then the quietest day,
then the earliest free start time (in steps of ``WorkingTime.step_minutes``).

All clash checks run on UTC instants, so a daylight-saving change cannot hide an overlap;
working hours are checked on the wall clock of the organization's time zone.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import reduce
from itertools import islice, repeat
from operator import or_

from meetings.quarters import Quarter, Week, local_datetime

UTC = datetime.UTC
MONDAY_TO_FRIDAY = frozenset(range(5))
# How many weeks, first in order, a partnership looks at session by session (plan_sessions).
FIRST_WEEKS = 2
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class WorkingTime:
    days: frozenset[int] = MONDAY_TO_FRIDAY  # 0 = Monday .. 6 = Sunday
    start: datetime.time = datetime.time(9, 0)
    end: datetime.time = datetime.time(17, 0)
    step_minutes: int = 30

    def __post_init__(self) -> None:
        if not self.days or not self.days <= set(range(7)):
            raise ValueError("working days must be a non-empty set of weekdays 0-6")
        if self.start >= self.end:
            raise ValueError("working hours must end after they start")
        if self.step_minutes <= 0:
            raise ValueError("the step must be positive")

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True)
class PlanPartnership:
    """A partnership that needs a session this quarter."""

    id: int
    name: str
    attendee_ids: frozenset[int]
    facilitator_id: int | None


@dataclass(frozen=True)
class BookedSession:
    """An existing session the plan keeps as it is."""

    session_id: int
    partnership_id: int
    name: str
    start: datetime.datetime  # aware
    duration_minutes: int
    attendee_ids: frozenset[int]
    blocks_time: bool = True  # a cancelled session keeps its place but frees its attendees

    @property
    def end(self) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class PlacedSession:
    partnership_id: int
    name: str
    start: datetime.datetime  # aware, in the organization's time zone
    duration_minutes: int
    attendee_ids: frozenset[int]
    facilitator_id: int
    week_number: int

    @property
    def end(self) -> datetime.datetime:
        return (
            self.start.astimezone(UTC) + datetime.timedelta(minutes=self.duration_minutes)
        ).astimezone(self.start.tzinfo)


class Reason(StrEnum):
    NO_FACILITATOR = "no_facilitator"
    TOO_LONG = "too_long"
    NO_DAYS = "no_days"
    CLASH = "clash"


@dataclass(frozen=True)
class Unplaced:
    partnership_id: int
    name: str
    code: Reason
    reason: str


@dataclass
class WeekRow:
    week: Week
    placed: list[PlacedSession] = field(default_factory=list)
    kept: list[BookedSession] = field(default_factory=list)


@dataclass
class Plan:
    quarter: Quarter
    tz: zoneinfo.ZoneInfo
    placed: list[PlacedSession]
    unplaced: list[Unplaced]
    kept: list[BookedSession]

    def by_week(self) -> list[WeekRow]:
        """One row per week of the quarter with what the plan puts there, for the preview."""
        rows = {week.number: WeekRow(week) for week in self.quarter.weeks()}
        week_of_day = {day: week.number for week in self.quarter.weeks() for day in week.days}
        for placed in self.placed:
            rows[placed.week_number].placed.append(placed)
        for kept in self.kept:
            number = week_of_day.get(kept.start.astimezone(self.tz).date())
            if number is not None:
                rows[number].kept.append(kept)
        for row in rows.values():
            row.placed.sort(key=lambda s: s.start)
            row.kept.sort(key=lambda s: s.start)
        return list(rows.values())

    @property
    def weeks_used(self) -> int:
        return len({p.week_number for p in self.placed})


def plan_sessions(
    *,
    quarter: Quarter,
    tz: zoneinfo.ZoneInfo,
    partnerships: Iterable[PlanPartnership],
    booked: Iterable[BookedSession] = (),
    working: WorkingTime = WorkingTime(),  # noqa: B008 - frozen dataclass, safe as a default
    blackouts: Iterable[datetime.date] = (),
    duration_minutes: int = 90,
    not_before: datetime.datetime | None = None,
    member_names: Mapping[int, str] | None = None,
) -> Plan:
    if duration_minutes <= 0:
        raise ValueError("the duration must be positive")
    names = member_names or {}
    booked = list(booked)
    blackout_days = set(blackouts)
    duration = datetime.timedelta(minutes=duration_minutes)
    done = {b.partnership_id for b in booked}
    todo = sorted(
        (p for p in partnerships if p.id not in done),
        key=lambda p: (-len(p.attendee_ids), p.name, p.id),
    )

    # Every start time the working calendar allows, week by week.
    weeks = quarter.weeks()
    slots_by_week: dict[int, dict[datetime.date, list[datetime.datetime]]] = {}
    for week in weeks:
        days: dict[datetime.date, list[datetime.datetime]] = {}
        for day in week.days:
            if day.weekday() not in working.days or day in blackout_days:
                continue
            starts = _starts_on(day, tz, working, duration, not_before)
            if starts:
                days[day] = starts
        if days:
            slots_by_week[week.number] = days
    usable_weeks = sorted(slots_by_week)
    # Each start's session as a UTC interval (its end, as the booking's, on the wall clock).
    utc_intervals = {
        day: [(start.astimezone(UTC), (start + duration).astimezone(UTC)) for start in starts]
        for days in slots_by_week.values()
        for day, starts in days.items()
    }

    # Who is busy when, kept two ways. Per local day, the sessions themselves (UTC interval
    # and attendees): cheap to keep, and checking a few days against them is cheap too.
    # And as the start times each member cannot take (_StartTimes): a pass over every
    # attendee of every session to keep, but then one pass over a partnership's attendees
    # finds all its free start times, where checking every day of the quarter session by
    # session took seconds at 100,000 members (one that fits nowhere looks at every day).
    busy: dict[datetime.date, list[tuple[datetime.datetime, datetime.datetime, frozenset[int]]]]
    busy = defaultdict(list)
    start_times = _StartTimes(utc_intervals)
    bits_of_week = {number: start_times.on(days) for number, days in slots_by_week.items()}
    bits_of_day = {day: start_times.on([day]) for day in utc_intervals}
    # Who starts how many sessions on a day and in a week, as _Levels (set operations).
    starting_on: dict[datetime.date, _Levels] = defaultdict(_Levels)
    starting_in_week: dict[int, _Levels] = defaultdict(_Levels)
    week_load: Counter[int] = Counter()
    day_load: Counter[datetime.date] = Counter()
    week_of_day = {day: week.number for week in weeks for day in week.days}

    def book(attendees: frozenset[int], start: datetime.datetime, end: datetime.datetime) -> None:
        day = start.astimezone(tz).date()
        week = week_of_day.get(day)
        last_day = (end - datetime.timedelta(microseconds=1)).astimezone(tz).date()
        start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
        # past midnight blocks the next day too
        days = [day + datetime.timedelta(days=i) for i in range((last_day - day).days + 1)]
        for on in days:
            busy[on].append((start_utc, end_utc, attendees))
        start_times.book(attendees, start_utc, end_utc, days)
        starting_on[day].add(attendees)
        day_load[day] += 1
        if week is not None:
            starting_in_week[week].add(attendees)
            week_load[week] += 1

    for session in booked:
        if session.blocks_time:
            book(session.attendee_ids, session.start, session.end)

    placed: list[PlacedSession] = []
    unplaced: list[Unplaced] = []
    known_names: dict[int, str] = {}

    def who(blockers: set[int]) -> str:
        """The blocking attendees' names, sorted, each looked up once per plan: the same
        members block partnership after partnership (hundreds each at 100,000 members), and
        ``names`` may be a Mapping whose every look-up is a Python call."""
        for member in blockers.difference(known_names):
            known_names[member] = names.get(member, f"member {member}")
        return ", ".join(sorted(map(known_names.__getitem__, blockers))) or "its attendees"

    window = f"{working.label()} ({tz.key})"
    if duration_minutes > working.minutes:
        reason = f"A {duration_minutes}-minute session does not fit in working hours {window}."
        return Plan(
            quarter,
            tz,
            [],
            [Unplaced(p.id, p.name, Reason.TOO_LONG, reason) for p in todo],
            booked,
        )

    def week_rank(number: int, attendees: frozenset[int], target: int) -> tuple:
        """Weeks are tried where the busiest attendee has fewest sessions, then the quietest,
        then the nearest to the target week."""
        return (
            starting_in_week[number].busiest(attendees) if number in starting_in_week else 0,
            week_load[number],
            abs(number - target),
            number,
        )

    def days_in_order(
        number: int, attendees: frozenset[int], index: int, free: int = -1
    ) -> list[datetime.date]:
        """The week's days (those with a start time in ``free``) in the order they are tried:
        where the attendees have fewest sessions, then the quietest, then the rotation (so
        that quiet weeks do not all start on their first day)."""
        days = slots_by_week[number]
        rotation = {day: (i - index) % len(days) for i, day in enumerate(days)}
        return sorted(
            (d for d in days if free & bits_of_day[d]),
            key=lambda d: (
                starting_on[d].busiest(attendees) if d in starting_on else 0,
                day_load[d],
                rotation[d],
            ),
        )

    # Whether a partnership had to look past the first weeks (FIRST_WEEKS) in order: from
    # then on every partnership's free start times are found from _StartTimes at once.
    looked_everywhere = False
    for index, partnership in enumerate(todo):
        if partnership.facilitator_id is None:
            unplaced.append(
                Unplaced(
                    partnership.id,
                    partnership.name,
                    Reason.NO_FACILITATOR,
                    "No leader or manager belongs to this partnership to facilitate its session.",
                )
            )
            continue
        if not usable_weeks:
            unplaced.append(
                Unplaced(
                    partnership.id,
                    partnership.name,
                    Reason.NO_DAYS,
                    f"No working day is left in {quarter.label} once blackout dates and days "
                    "already past are taken out.",
                )
            )
            continue
        attendees = partnership.attendee_ids
        target = usable_weeks[
            min(len(usable_weeks) - 1, int((index + 0.5) * len(usable_weeks) / len(todo)))
        ]

        start: datetime.datetime | None = None
        if not looked_everywhere:
            # The first weeks in order, day by day against the day's sessions: in a plan
            # that places everyone, that is where partnerships find their start (at 10,000
            # members, in the first or second week), and _StartTimes then never has to be
            # kept (the pass over every attendee of every session it needs).
            ranked = sorted(usable_weeks, key=lambda n: week_rank(n, attendees, target))
            for number in ranked[:FIRST_WEEKS]:
                for day in days_in_order(number, attendees, index):
                    place = _first_free(attendees, busy.get(day, ()), utc_intervals[day])
                    if place is not None:
                        start = slots_by_week[number][day][place]
                        break
                if start is not None:
                    break
        if start is None:
            looked_everywhere = True
            free = start_times.free(attendees)
            if not free:
                unplaced.append(
                    Unplaced(
                        partnership.id,
                        partnership.name,
                        Reason.CLASH,
                        f"Every free slot in {quarter.label} ({working.label()}, working days, "
                        f"no blackout dates) clashes with another session of "
                        f"{who(start_times.blockers(attendees))}.",
                    )
                )
                continue
            # The week, then the day, that comes first in order among those with a free
            # start time: the least of them (each order is total), so weeks and days
            # without one are never ranked. The same as going on from the first weeks,
            # which have none.
            number = min(
                (n for n in usable_weeks if free & bits_of_week[n]),
                key=lambda n: week_rank(n, attendees, target),
            )
            day = days_in_order(number, attendees, index, free)[0]
            start = slots_by_week[number][day][start_times.first_free(free, day)]
        end = start + duration
        book(attendees, start, end)
        placed.append(
            PlacedSession(
                partnership_id=partnership.id,
                name=partnership.name,
                start=start.astimezone(tz),
                duration_minutes=duration_minutes,
                attendee_ids=attendees,
                facilitator_id=partnership.facilitator_id,
                week_number=number,
            )
        )

    placed.sort(key=lambda s: (s.start, s.name))
    return Plan(quarter, tz, placed, unplaced, booked)


def _starts_on(
    day: datetime.date,
    tz: zoneinfo.ZoneInfo,
    working: WorkingTime,
    duration: datetime.timedelta,
    not_before: datetime.datetime | None,
) -> list[datetime.datetime]:
    """Start instants on ``day`` whose whole session lies inside working hours (wall clock)."""
    starts = []
    first = local_datetime(day, working.start, tz)
    closing = local_datetime(day, working.end, tz)
    step = datetime.timedelta(minutes=working.step_minutes)
    moment = first.astimezone(UTC)
    while moment + duration <= closing.astimezone(UTC):
        local = moment.astimezone(tz)
        if local.date() == day and (not_before is None or moment >= not_before):
            starts.append(local)
        moment += step
    return starts


def _busiest(attendees: frozenset[int], sessions: Iterable[frozenset[int]]) -> int:
    """The most sessions (of those given) any one of the attendees is in."""
    counts: Counter[int] = Counter()
    for others in sessions:
        counts.update(attendees & others)
    return max(counts.values(), default=0)


class _Levels:
    """Sessions' attendees added one session at a time, kept so that "the most of these
    sessions any one of the attendees is in" (_busiest) is a few set operations: level k
    holds the members in at least k + 1 of the sessions. The same answer as _busiest over
    the sessions added, without counting member by member (partnerships have thousands)."""

    def __init__(self) -> None:
        self.levels: list[set[int]] = []

    def add(self, attendees: frozenset[int]) -> None:
        for k in range(len(self.levels) - 1, -1, -1):
            higher = self.levels[k] & attendees
            if higher:
                if k + 1 == len(self.levels):
                    self.levels.append(set())
                self.levels[k + 1] |= higher
        if not self.levels:
            self.levels.append(set())
        self.levels[0] |= attendees

    def busiest(self, attendees: frozenset[int]) -> int:
        for k in range(len(self.levels) - 1, -1, -1):
            if not attendees.isdisjoint(self.levels[k]):
                return k + 1
        return 0


def _first_free(
    attendees: frozenset[int],
    sessions: Iterable[tuple[datetime.datetime, datetime.datetime, frozenset[int]]],
    intervals: Sequence[tuple[datetime.datetime, datetime.datetime]],
) -> int | None:
    """The place of the first start time (of a day's, as UTC intervals) at which none of the
    attendees is in one of the day's sessions (UTC interval and attendees); None if none."""
    sharing = [(start, end) for start, end, others in sessions if not attendees.isdisjoint(others)]
    for place, (start, end) in enumerate(intervals):
        if not any(start < other_end and other_start < end for other_start, other_end in sharing):
            return place
    return None


class _StartTimes:
    """A quarter's start times (each as its session's UTC interval, by local day), numbered
    in order, and those each member cannot take: one int per member, bit i set when the member
    is already in a session that overlaps start i's. The start times free for a partnership
    are then those of none of its attendees, one pass over them; checking each day's sessions
    instead took a set intersection per session and day looked at (partnerships have thousands
    of attendees, and one that fits nowhere looks at every day of the quarter).

    The same answer as checking every start time against the sessions of its day: tested
    against that plain computation in tests/meetings/test_planner_start_times.py."""

    def __init__(
        self,
        intervals: Mapping[datetime.date, Sequence[tuple[datetime.datetime, datetime.datetime]]],
    ) -> None:
        self.intervals = intervals
        self.first: dict[datetime.date, int] = {}  # the number of each day's first start
        count = 0
        for day in sorted(intervals):
            self.first[day] = count
            count += len(intervals[day])
        self.every = (1 << count) - 1
        self.taken: dict[int, int] = {}  # member id -> the start times they cannot take
        # Sessions booked (attendees, start times taken) not yet in taken: kept only once
        # asked (free, blockers), as a plan that looks nowhere else never asks.
        self.pending: list[tuple[frozenset[int], int]] = []

    def on(self, days: Iterable[datetime.date]) -> int:
        """The start times of these days."""
        bits = 0
        for day in days:
            bits |= ((1 << len(self.intervals[day])) - 1) << self.first[day]
        return bits

    def book(
        self,
        attendees: frozenset[int],
        start_utc: datetime.datetime,
        end_utc: datetime.datetime,
        days: Iterable[datetime.date],
    ) -> None:
        """A session of the attendees over [start_utc, end_utc): it takes the start times it
        overlaps of the local days given (those it falls on)."""
        overlapped = 0
        for day in days:
            first = self.first.get(day, 0)
            for i, (slot_start, slot_end) in enumerate(self.intervals.get(day, ()), first):
                if slot_start < end_utc and start_utc < slot_end:
                    overlapped |= 1 << i
        if overlapped:
            self.pending.append((attendees, overlapped))

    def _kept(self) -> dict[int, int]:
        taken = self.taken
        for attendees, overlapped in self.pending:
            for member in attendees:
                taken[member] = taken.get(member, 0) | overlapped
        self.pending.clear()
        return taken

    def free(self, attendees: Collection[int]) -> int:
        """The start times at which none of the attendees is busy. Their ints are joined a
        chunk of attendees at a time, stopping once every start time is taken: a partnership
        that fits nowhere is known to after a tenth of its attendees or so (at 100,000
        members), and most of those at the end of a plan fit nowhere."""
        taken, members, get = 0, iter(attendees), self._kept().get
        for _ in range(0, len(attendees), 64):
            taken = reduce(or_, map(get, islice(members, 64), repeat(0)), taken)
            if taken == self.every:
                break
        return self.every & ~taken

    def first_free(self, free: int, day: datetime.date) -> int:
        """The place in its day of the day's first start time in ``free`` (which has one)."""
        on_day = (free >> self.first[day]) & ((1 << len(self.intervals[day])) - 1)
        return (on_day & -on_day).bit_length() - 1

    def blockers(self, attendees: frozenset[int]) -> set[int]:
        """The attendees busy at some start time: those who block a partnership that has no
        free start time at all."""
        return self._kept().keys() & attendees
