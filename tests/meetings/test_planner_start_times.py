"""The planner's start times taken per member, kept as bits, give the same free start times
and the same blockers as checking every start time against the sessions of its day (the plan
stays the same)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from meetings.planner import _StartTimes

UTC = datetime.UTC
MONDAY = datetime.datetime(2024, 4, 1, tzinfo=UTC)
DAYS = [datetime.date(2024, 4, 1) + datetime.timedelta(days=i) for i in range(4)]
PEOPLE = st.frozensets(st.integers(1, 12), max_size=6) | st.frozensets(
    st.integers(1, 200), max_size=3
)
# Also more attendees than _StartTimes.free joins at a time.
MANY = PEOPLE | st.frozensets(st.integers(1, 200), min_size=65, max_size=150)


def interval(step: int, steps: int) -> tuple[datetime.datetime, datetime.datetime]:
    """In steps of half an hour, so that sessions often meet end to start."""
    start = MONDAY + datetime.timedelta(minutes=30 * step)
    return start, start + datetime.timedelta(minutes=30 * steps)


# Each day's start times, as UTC intervals in order; some days without any.
INTERVALS = st.fixed_dictionaries(
    {
        day: st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12)), max_size=5).map(
            lambda rows: sorted(interval(*row) for row in rows)
        )
        for day in DAYS
    }
).map(lambda by_day: {day: starts for day, starts in by_day.items() if starts})
# Booked sessions: a UTC interval, the attendees and the local days the session falls on.
SESSIONS = st.lists(
    st.tuples(
        st.integers(-10, 50),
        st.integers(1, 30),
        PEOPLE,
        st.lists(st.sampled_from([*DAYS, datetime.date(2024, 3, 31)]), max_size=2, unique=True),
    ),
    max_size=10,
)


def plainly(intervals, sessions, attendees):
    """Each day's free start times and the blockers, checking every start time against the
    sessions of its day, attendee set by attendee set."""
    busy = defaultdict(list)
    for step, steps, people, days in sessions:
        for day in days:
            busy[day].append((*interval(step, steps), people))
    free, blockers = set(), set()
    for day, starts in intervals.items():
        for place, (start, end) in enumerate(starts):
            clashing = {
                member
                for other_start, other_end, people in busy[day]
                if start < other_end and other_start < end
                for member in attendees & people
            }
            if not clashing:
                free.add((day, place))
            blockers |= clashing
    return free, blockers


@given(INTERVALS, SESSIONS, MANY)
def test_start_times_give_the_same_free_starts_and_blockers_as_checking_each(
    intervals, sessions, attendees
):
    start_times = _StartTimes(intervals)
    for step, steps, people, days in sessions:
        start_times.book(people, *interval(step, steps), days)

    free = start_times.free(attendees)
    expected_free, expected_blockers = plainly(intervals, sessions, attendees)
    assert {
        (day, place)
        for day, starts in intervals.items()
        for place in range(len(starts))
        if free >> (start_times.first[day] + place) & 1
    } == expected_free
    assert free & ~start_times.on(intervals) == 0  # no start time outside the days
    assert start_times.blockers(attendees) == expected_blockers
    for day in intervals:
        if free & start_times.on([day]):
            first = start_times.first_free(free, day)
            assert first == min(place for d, place in expected_free if d == day)


def test_attendees_past_the_first_chunk_take_start_times_too():
    day = MONDAY.date()
    start_times = _StartTimes({day: [interval(0, 2), interval(4, 2)]})
    attendees = frozenset(range(1, 201))
    first, late = list(attendees)[0], list(attendees)[150]  # in different chunks
    start_times.book(frozenset({first}), *interval(0, 1), [day])
    assert start_times.free(attendees) == 0b10
    start_times.book(frozenset({late}), *interval(4, 2), [day])
    assert start_times.free(attendees) == 0
    assert start_times.blockers(attendees) == {first, late}
