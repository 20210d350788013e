"""Fiscal quarters: the FY naming convention, boundaries, weeks, and time zones."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetings.quarters import Quarter, local_datetime

D = datetime.date
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")


def test_it_names_a_january_fiscal_year_after_the_calendar_year():
    quarter = Quarter.containing(D(2026, 2, 14))
    assert quarter.label == "FY2026 Q1"
    assert (quarter.start, quarter.end, quarter.last_day) == (
        D(2026, 1, 1),
        D(2026, 4, 1),
        D(2026, 3, 31),
    )
    assert Quarter.containing(D(2026, 12, 31)).label == "FY2026 Q4"


def test_it_names_a_july_fiscal_year_after_the_year_in_which_it_ends():
    # The fiscal year that begins on 2026-07-01 ends on 2027-06-30: it is FY2027.
    first = Quarter.containing(D(2026, 7, 1), start_month=7)
    assert first.label == "FY2027 Q1"
    assert first.fiscal_year_start == D(2026, 7, 1)
    assert (first.start, first.end) == (D(2026, 7, 1), D(2026, 10, 1))
    assert Quarter.containing(D(2026, 6, 30), start_month=7).label == "FY2026 Q4"
    third = Quarter.containing(D(2027, 2, 1), start_month=7)
    assert third.label == "FY2027 Q3"
    assert (third.start, third.end) == (D(2027, 1, 1), D(2027, 4, 1))
    last = Quarter.containing(D(2027, 6, 30), start_month=7)
    assert last.label == "FY2027 Q4"
    assert last.end == D(2027, 7, 1)


def test_a_quarter_can_straddle_new_year():
    # February start: FY2027 runs 2026-02-01 .. 2027-01-31; its Q4 is Nov, Dec, Jan.
    q4 = Quarter(2027, 4, start_month=2)
    assert (q4.start, q4.end) == (D(2026, 11, 1), D(2027, 2, 1))
    assert Quarter.containing(D(2027, 1, 15), start_month=2) == q4
    assert q4.next().label == "FY2028 Q1"
    assert q4.next().start == D(2027, 2, 1)


def test_next_and_previous_cross_fiscal_years():
    q4 = Quarter(2026, 4, start_month=7)
    assert q4.next() == Quarter(2027, 1, start_month=7)
    assert q4.next().previous() == q4
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)


def test_it_parses_and_prints_keys():
    quarter = Quarter.from_key("FY2027-Q1", start_month=7)
    assert quarter == Quarter(2027, 1, 7)
    assert quarter.key == "2027Q1"
    assert Quarter.from_key(quarter.key, 7) == quarter
    assert Quarter.from_key("2027q3").number == 3
    for bad in ["2027Q5", "27Q1", "", "Q1", "2027"]:
        with pytest.raises(ValueError):
            Quarter.from_key(bad)


def test_a_quarter_knows_which_dates_it_holds():
    quarter = Quarter(2026, 1)
    assert D(2026, 1, 1) in quarter
    assert D(2026, 3, 31) in quarter
    assert D(2026, 4, 1) not in quarter  # half-open
    with pytest.raises(TypeError):
        _ = datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC) in quarter


def test_a_quarter_starting_on_a_monday_has_thirteen_whole_weeks():
    quarter = Quarter(2024, 2)  # 2024-04-01 is a Monday; April-June is 91 days
    weeks = quarter.weeks()
    assert len(weeks) == 13
    assert all(len(week.days) == 7 for week in weeks)
    assert weeks[0].monday == D(2024, 4, 1)
    assert weeks[-1].days[-1] == D(2024, 6, 30)


def test_partial_weeks_at_the_edges_only_hold_days_of_the_quarter():
    quarter = Quarter(2026, 1)  # Thursday 1 January .. Tuesday 31 March
    weeks = quarter.weeks()
    assert weeks[0].monday == D(2025, 12, 29)
    assert weeks[0].days == (D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3), D(2026, 1, 4))
    assert weeks[-1].days == (D(2026, 3, 30), D(2026, 3, 31))
    assert sum(len(w.days) for w in weeks) == quarter.days == 90


def test_the_quarter_of_an_instant_is_decided_in_the_organizations_time_zone():
    moment = datetime.datetime(2026, 7, 1, 6, 30, tzinfo=datetime.UTC)  # 23:30 on 30 June in LA
    assert Quarter.at(moment, LOS_ANGELES, start_month=7).label == "FY2026 Q4"
    assert Quarter.at(moment, BERLIN, start_month=7).label == "FY2027 Q1"


def test_quarter_bounds_follow_the_daylight_saving_change():
    # Berlin moves to summer time on 29 March 2026: Q1 starts at +01:00 and ends at +02:00.
    start, end = Quarter(2026, 1).bounds(BERLIN)
    assert start == datetime.datetime(2025, 12, 31, 23, 0, tzinfo=datetime.UTC)
    assert end == datetime.datetime(2026, 3, 31, 22, 0, tzinfo=datetime.UTC)
    assert end - start == datetime.timedelta(days=90) - datetime.timedelta(hours=1)
    assert end.astimezone(BERLIN).utcoffset() == datetime.timedelta(hours=2)


def test_a_wall_time_skipped_by_spring_forward_moves_past_the_gap():
    moment = local_datetime(D(2026, 3, 8), datetime.time(2, 30), NEW_YORK)
    assert (moment.hour, moment.minute) == (3, 30)
    assert moment.utcoffset() == datetime.timedelta(hours=-4)


def test_a_wall_time_repeated_in_autumn_takes_the_first_occurrence():
    moment = local_datetime(D(2026, 11, 1), datetime.time(1, 30), NEW_YORK)
    assert moment.utcoffset() == datetime.timedelta(hours=-4)
    assert moment.astimezone(datetime.UTC).hour == 5


def test_nine_oclock_stays_nine_oclock_across_the_change():
    before = local_datetime(D(2026, 3, 6), datetime.time(9), NEW_YORK)
    after = local_datetime(D(2026, 3, 9), datetime.time(9), NEW_YORK)
    assert before.astimezone(datetime.UTC).hour == 14
    assert after.astimezone(datetime.UTC).hour == 13
    assert (before.hour, after.hour) == (9, 9)


@given(
    day=st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)),
    start_month=st.integers(min_value=1, max_value=12),
)
def test_every_day_lies_in_exactly_one_quarter(day, start_month):
    quarter = Quarter.containing(day, start_month)
    assert quarter.start <= day < quarter.end
    assert quarter.start.day == 1
    assert quarter.next().start == quarter.end
    assert quarter.previous().end == quarter.start
    assert quarter.fiscal_year_start <= quarter.start
    # The fiscal year is named after the calendar year of its last day.
    fiscal_year_last_day = Quarter(quarter.fiscal_year, 4, start_month).last_day
    assert fiscal_year_last_day.year == quarter.fiscal_year
    assert Quarter.from_key(quarter.key, start_month) == quarter
