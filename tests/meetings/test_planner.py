"""The session planner as a pure function: spread, working hours, clashes, blackouts, re-plans."""

from __future__ import annotations

import datetime
import itertools
import zoneinfo

from meetings.planner import (
    BookedSession,
    PlanPartnership,
    Reason,
    WorkingTime,
    plan_sessions,
)
from meetings.quarters import Quarter, local_datetime

D = datetime.date
UTC = datetime.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
LEADER = 1
Q2_2024 = Quarter(2024, 2)  # Monday 1 April .. Sunday 30 June 2024: thirteen whole weeks


def leader_partnerships(count: int, leader: int = LEADER) -> list[PlanPartnership]:
    """The leader plus two people of their own in each partnership."""
    return [
        PlanPartnership(
            id=i,
            name=f"Partnership {i:02}",
            attendee_ids=frozenset({leader, 100 + 2 * i, 101 + 2 * i}),
            facilitator_id=leader,
        )
        for i in range(1, count + 1)
    ]


def intervals(plan, include_kept=True):
    rows = [(s.start, s.end, s.attendee_ids) for s in plan.placed]
    if include_kept:
        rows += [(s.start, s.end, s.attendee_ids) for s in plan.kept if s.blocks_time]
    return rows


def assert_nobody_is_double_booked(plan):
    for (s1, e1, a1), (s2, e2, a2) in itertools.combinations(intervals(plan), 2):
        if a1 & a2:
            assert not (s1 < e2 and s2 < e1), f"{sorted(a1 & a2)} booked twice: {s1} and {s2}"


OFFICE_HOURS = WorkingTime()


def assert_within_working_hours(plan, tz, working=OFFICE_HOURS):
    for session in plan.placed:
        start, end = session.start.astimezone(tz), session.end.astimezone(tz)
        assert start.weekday() in working.days
        assert start.date() == end.date()
        assert working.start <= start.time() and end.time() <= working.end, session


def test_a_leader_in_twelve_partnerships_gets_twelve_sessions_across_the_quarter():
    plan = plan_sessions(quarter=Q2_2024, tz=BERLIN, partnerships=leader_partnerships(12))

    assert plan.unplaced == []
    assert len(plan.placed) == 12
    assert {s.partnership_id for s in plan.placed} == set(range(1, 13))
    weeks = {s.start.isocalendar().week for s in plan.placed}
    assert len(weeks) >= 10
    assert all(s.start.date() in Q2_2024 for s in plan.placed)
    assert all(s.duration_minutes == 90 for s in plan.placed)
    assert_within_working_hours(plan, BERLIN)
    assert_nobody_is_double_booked(plan)


def test_sessions_spread_from_the_first_to_the_last_weeks():
    plan = plan_sessions(quarter=Q2_2024, tz=BERLIN, partnerships=leader_partnerships(12))
    numbers = sorted(s.week_number for s in plan.placed)
    assert numbers[0] <= 2 and numbers[-1] >= 12
    # no week holds more than one of this leader's sessions while weeks are to spare
    assert len(numbers) == len(set(numbers))


def test_many_partnerships_are_spread_evenly_over_every_week():
    partnerships = [
        PlanPartnership(i, f"P{i:02}", frozenset({1000 + i, 2000 + i}), 1000 + i) for i in range(26)
    ]
    plan = plan_sessions(quarter=Q2_2024, tz=BERLIN, partnerships=partnerships)
    per_week = [len(row.placed) for row in plan.by_week()]
    assert per_week == [2] * 13


def test_nobody_sits_in_two_sessions_at_once_when_partnerships_overlap():
    # Three leaders, each in twenty partnerships, with shared managers: a crowded quarter.
    partnerships = []
    for i in range(60):
        leader = 1 + i % 3
        manager = 10 + i % 7
        partnerships.append(
            PlanPartnership(i, f"P{i:02}", frozenset({leader, manager, 100 + i}), leader)
        )
    working = WorkingTime(start=datetime.time(9), end=datetime.time(12))  # only two slots a day
    plan = plan_sessions(quarter=Q2_2024, tz=BERLIN, partnerships=partnerships, working=working)
    assert len(plan.placed) == 60
    assert_nobody_is_double_booked(plan)
    assert_within_working_hours(plan, BERLIN, working)
    for leader in (1, 2, 3):
        weeks = {s.week_number for s in plan.placed if leader in s.attendee_ids}
        assert len(weeks) == 13


def test_it_never_plans_on_blackout_days_or_outside_working_days():
    blackouts = {D(2024, 4, 1) + datetime.timedelta(days=i) for i in range(14)}  # two weeks off
    blackouts |= {D(2024, 5, 1), D(2024, 5, 9), D(2024, 5, 20)}
    plan = plan_sessions(
        quarter=Q2_2024, tz=BERLIN, partnerships=leader_partnerships(12), blackouts=blackouts
    )
    assert len(plan.placed) == 12
    assert not {s.start.date() for s in plan.placed} & blackouts
    assert all(s.start.weekday() < 5 for s in plan.placed)
    # 11 weeks remain, so the twelve sessions still use all of them
    assert len({s.week_number for s in plan.placed}) == 11


def test_custom_working_days_and_hours_are_respected():
    working = WorkingTime(
        days=frozenset({1, 3}), start=datetime.time(13), end=datetime.time(16, 30)
    )  # Tuesdays and Thursdays, afternoons
    plan = plan_sessions(
        quarter=Q2_2024, tz=BERLIN, partnerships=leader_partnerships(12), working=working
    )
    assert len(plan.placed) == 12
    assert {s.start.weekday() for s in plan.placed} <= {1, 3}
    assert_within_working_hours(plan, BERLIN, working)


def test_a_replan_leaves_held_sessions_alone_and_plans_around_them():
    partnerships = leader_partnerships(12)
    held = BookedSession(
        session_id=501,
        partnership_id=3,
        name="Partnership 03",
        start=local_datetime(D(2024, 4, 16), datetime.time(9), BERLIN),
        duration_minutes=90,
        attendee_ids=partnerships[2].attendee_ids,
    )
    by_hand = BookedSession(
        session_id=502,
        partnership_id=7,
        name="Partnership 07",
        start=local_datetime(D(2024, 4, 17), datetime.time(14), BERLIN),
        duration_minutes=120,
        attendee_ids=partnerships[6].attendee_ids,
    )
    plan = plan_sessions(
        quarter=Q2_2024, tz=BERLIN, partnerships=partnerships, booked=[held, by_hand]
    )
    assert plan.kept == [held, by_hand]
    assert {s.partnership_id for s in plan.placed} == set(range(1, 13)) - {3, 7}
    assert_nobody_is_double_booked(plan)
    # the leader already has two sessions in week 3, so nothing else lands there
    assert all(s.week_number != 3 for s in plan.placed)
    week_three = plan.by_week()[2]
    assert [s.session_id for s in week_three.kept] == [501, 502]


def test_a_cancelled_session_keeps_its_partnership_but_frees_its_attendees():
    cancelled = BookedSession(
        session_id=9,
        partnership_id=99,
        name="Old",
        start=local_datetime(D(2024, 4, 1), datetime.time(9), BERLIN),
        duration_minutes=480,
        attendee_ids=frozenset({LEADER}),
        blocks_time=False,
    )
    only = PlanPartnership(1, "Only", frozenset({LEADER}), LEADER)
    plan = plan_sessions(
        quarter=Quarter(2024, 2),
        tz=BERLIN,
        partnerships=[only, PlanPartnership(99, "Old", frozenset({LEADER}), LEADER)],
        booked=[cancelled],
        blackouts={D(2024, 4, 1) + datetime.timedelta(days=i) for i in range(1, 91)},
    )
    assert [(s.partnership_id, s.start.date()) for s in plan.placed] == [(1, D(2024, 4, 1))]


def test_an_impossible_request_says_who_could_not_be_placed_and_why():
    # A whole working day per session: 65 working days, 70 partnerships sharing one leader.
    working = WorkingTime(start=datetime.time(9), end=datetime.time(17))
    plan = plan_sessions(
        quarter=Q2_2024,
        tz=BERLIN,
        partnerships=leader_partnerships(70),
        working=working,
        duration_minutes=480,
        member_names={LEADER: "Lee Leader"},
    )
    assert len(plan.placed) == 65
    assert len(plan.unplaced) == 5
    assert {u.code for u in plan.unplaced} == {Reason.CLASH}
    assert "Lee Leader" in plan.unplaced[0].reason
    assert "FY2024 Q2" in plan.unplaced[0].reason
    assert_nobody_is_double_booked(plan)


def test_a_session_longer_than_the_working_day_is_refused_with_the_reason():
    plan = plan_sessions(
        quarter=Q2_2024, tz=BERLIN, partnerships=leader_partnerships(2), duration_minutes=540
    )
    assert plan.placed == []
    assert [u.code for u in plan.unplaced] == [Reason.TOO_LONG, Reason.TOO_LONG]
    assert "540-minute" in plan.unplaced[0].reason
    assert "09:00–17:00 (Europe/Berlin)" in plan.unplaced[0].reason


def test_a_quarter_without_working_days_is_explained():
    blackouts = {D(2024, 4, 1) + datetime.timedelta(days=i) for i in range(91)}
    plan = plan_sessions(
        quarter=Q2_2024, tz=BERLIN, partnerships=leader_partnerships(1), blackouts=blackouts
    )
    assert [u.code for u in plan.unplaced] == [Reason.NO_DAYS]
    assert "blackout" in plan.unplaced[0].reason


def test_a_partnership_without_a_facilitator_is_explained():
    plan = plan_sessions(
        quarter=Q2_2024,
        tz=BERLIN,
        partnerships=[PlanPartnership(5, "Orphan", frozenset({7}), None)],
    )
    assert plan.placed == []
    assert plan.unplaced[0].code == Reason.NO_FACILITATOR


def test_it_does_not_plan_in_the_past():
    now = local_datetime(D(2024, 5, 15), datetime.time(12), BERLIN)
    plan = plan_sessions(
        quarter=Q2_2024, tz=BERLIN, partnerships=leader_partnerships(6), not_before=now
    )
    assert len(plan.placed) == 6
    assert all(s.start >= now for s in plan.placed)
    assert len({s.week_number for s in plan.placed}) == 6


def test_working_hours_hold_in_local_time_across_a_daylight_saving_change():
    # New York springs forward on Sunday 8 March 2026, in the middle of FY2026 Q1.
    quarter = Quarter(2026, 1)
    plan = plan_sessions(quarter=quarter, tz=NEW_YORK, partnerships=leader_partnerships(12))
    assert len(plan.placed) == 12
    assert_within_working_hours(plan, NEW_YORK)
    offsets = {s.start.utcoffset() for s in plan.placed}
    assert offsets == {datetime.timedelta(hours=-5), datetime.timedelta(hours=-4)}
    for session in plan.placed:
        local = session.start.astimezone(NEW_YORK)
        expected_offset = -4 if local.date() >= D(2026, 3, 8) else -5
        assert local.utcoffset() == datetime.timedelta(hours=expected_offset)
        assert 9 <= local.hour < 17


def test_clashes_are_judged_in_real_time_not_wall_clock_across_the_change():
    # A kept session booked in UTC 13:00-14:30 on the Monday after the change is 09:00 local.
    kept = BookedSession(
        session_id=1,
        partnership_id=50,
        name="Kept",
        start=datetime.datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
        duration_minutes=90,
        attendee_ids=frozenset({LEADER}),
    )
    blackouts = {D(2026, 1, 1) + datetime.timedelta(days=i) for i in range(90)}
    blackouts.discard(D(2026, 3, 9))  # one working day left
    plan = plan_sessions(
        quarter=Quarter(2026, 1),
        tz=NEW_YORK,
        partnerships=[PlanPartnership(1, "New", frozenset({LEADER}), LEADER)],
        booked=[kept],
        blackouts=blackouts,
    )
    (placed,) = plan.placed
    assert placed.start.astimezone(NEW_YORK).time() == datetime.time(10, 30)
    assert_nobody_is_double_booked(plan)


def test_a_july_fiscal_year_plans_inside_its_own_quarter():
    quarter = Quarter(2027, 1, start_month=7)  # 1 July .. 30 September 2026
    plan = plan_sessions(quarter=quarter, tz=BERLIN, partnerships=leader_partnerships(12))
    assert len(plan.placed) == 12
    assert all(D(2026, 7, 1) <= s.start.date() < D(2026, 10, 1) for s in plan.placed)
    assert plan.weeks_used >= 10


def test_the_same_request_gives_the_same_plan():
    first = plan_sessions(quarter=Q2_2024, tz=BERLIN, partnerships=leader_partnerships(12))
    again = plan_sessions(
        quarter=Q2_2024, tz=BERLIN, partnerships=list(reversed(leader_partnerships(12)))
    )
    assert first.placed == again.placed
