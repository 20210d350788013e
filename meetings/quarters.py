"""Fiscal quarters of an organization, and wall-clock times in its time zone.

The convention, used on every page that shows a quarter:

* The fiscal year starts on the first day of the organization's ``fiscal_year_start_month``.
* A fiscal year is named after the calendar year in which it ENDS. With a July start, the year
  that runs from 2026-07-01 to 2027-06-30 is ``FY2027``; with a January start the fiscal year
  and the calendar year coincide (2026-01-01 .. 2026-12-31 is ``FY2026``).
* Quarters are three whole months, numbered 1-4 from the fiscal year's start: ``FY2027 Q1``.
* Dates are half-open like everywhere else: a quarter covers ``start <= day < end``;
  ``last_day`` is the inclusive end for display.
* "Which quarter is it" is decided by the date in the organization's time zone.

Pure functions only: nothing here touches the database.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass

from org import dates

_KEY = re.compile(r"^(?:FY)?(\d{4})-?Q([1-4])$", re.IGNORECASE)
# Years a key may name: far from the calendar's ends, so the quarters around one exist too.
_KEY_YEARS = range(1000, 9001)


def _month_add(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True, order=True)
class Quarter:
    fiscal_year: int
    number: int
    start_month: int = 1  # the organization's fiscal-year start month, 1-12

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter number must be 1-4, got {self.number}")
        if not 1 <= self.start_month <= 12:
            raise ValueError(f"fiscal-year start month must be 1-12, got {self.start_month}")

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def containing(cls, day: datetime.date, start_month: int = 1) -> Quarter:
        """The quarter that holds this calendar date."""
        offset = (day.month - start_month) % 12
        fy_start_year = day.year if day.month >= start_month else day.year - 1
        return cls(cls._name_year(fy_start_year, start_month), offset // 3 + 1, start_month)

    @classmethod
    def at(cls, moment: datetime.datetime, tz: zoneinfo.ZoneInfo, start_month: int = 1) -> Quarter:
        """The quarter an aware instant falls in, judged by the date in time zone ``tz``."""
        return cls.containing(moment.astimezone(tz).date(), start_month)

    @classmethod
    def from_key(cls, key: str, start_month: int = 1) -> Quarter:
        """Parse ``2027Q1``, ``FY2027-Q1`` or ``fy2027q1``; ValueError otherwise."""
        match = _KEY.match(key.strip().replace(" ", ""))
        if not match:
            raise ValueError(f"not a quarter: {key!r} (expected e.g. 2027Q1)")
        if int(match.group(1)) not in _KEY_YEARS:
            raise ValueError(f"not a quarter we keep: {key!r}")
        return cls(int(match.group(1)), int(match.group(2)), start_month)

    @classmethod
    def starting_on(cls, day: datetime.date, start_month: int = 1) -> Quarter:
        """The quarter whose first day is ``day``; ValueError if no quarter starts then."""
        quarter = cls.containing(day, start_month)
        if quarter.start != day:
            raise ValueError(
                f"no quarter of a fiscal year starting in month {start_month} starts on {day}"
            )
        return quarter

    @staticmethod
    def _name_year(fy_start_year: int, start_month: int) -> int:
        # Named after the calendar year in which the fiscal year ends.
        return fy_start_year if start_month == 1 else fy_start_year + 1

    # --- the calendar -----------------------------------------------------------------------

    @property
    def fiscal_year_start(self) -> datetime.date:
        year = self.fiscal_year if self.start_month == 1 else self.fiscal_year - 1
        return datetime.date(year, self.start_month, 1)

    @property
    def start(self) -> datetime.date:
        fy = self.fiscal_year_start
        year, month = _month_add(fy.year, fy.month, (self.number - 1) * 3)
        return datetime.date(year, month, 1)

    @property
    def end(self) -> datetime.date:
        """The first day after the quarter (exclusive end)."""
        year, month = _month_add(self.start.year, self.start.month, 3)
        return datetime.date(year, month, 1)

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime.datetime):
            raise TypeError("ask about a date in the organization's time zone, not a datetime")
        return isinstance(day, datetime.date) and self.start <= day < self.end

    def next(self) -> Quarter:
        return Quarter.containing(self.end, self.start_month)

    def previous(self) -> Quarter:
        return Quarter.containing(self.start - datetime.timedelta(days=1), self.start_month)

    def weeks(self) -> list[Week]:
        """Monday-to-Sunday weeks that touch the quarter, numbered from 1; the first and last
        may be partial. A 91-day quarter starting on a Monday has exactly 13 weeks."""
        start, end = self.start, self.end  # each computed, not stored: read them once
        monday = start - datetime.timedelta(days=start.weekday())
        weeks = []
        number = 1
        while monday < end:
            days = tuple(
                monday + datetime.timedelta(days=i)
                for i in range(7)
                if start <= monday + datetime.timedelta(days=i) < end
            )
            weeks.append(Week(number=number, monday=monday, days=days))
            monday += datetime.timedelta(days=7)
            number += 1
        return weeks

    def bounds(self, tz: zoneinfo.ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
        """The quarter as a half-open range of UTC instants, from local midnight to local
        midnight in ``tz``. (UTC, because subtracting two datetimes that share a ZoneInfo
        compares wall clocks and would hide a daylight-saving change.)"""
        start = local_datetime(self.start, datetime.time(0), tz)
        end = local_datetime(self.end, datetime.time(0), tz)
        return start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)

    # --- names ------------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year} Q{self.number}"

    @property
    def key(self) -> str:
        """Stable, URL-safe form: ``2027Q1``."""
        return f"{self.fiscal_year}Q{self.number}"

    @property
    def range_label(self) -> str:
        return f"{dates.day(self.start)} – {dates.day(self.last_day)}"

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Week:
    number: int
    monday: datetime.date
    days: tuple[datetime.date, ...]  # the days of this week inside the quarter

    @property
    def label(self) -> str:
        return f"Week {self.number} (from {self.monday.day} {self.monday:%b})"


def local_datetime(
    day: datetime.date, at: datetime.time, tz: zoneinfo.ZoneInfo
) -> datetime.datetime:
    """The aware instant at wall-clock time ``at`` on ``day`` in ``tz``.

    A wall time that does not exist (skipped by a spring-forward change) moves forward by the
    size of the gap; an ambiguous one (repeated in autumn) takes its first occurrence.
    """
    naive = datetime.datetime.combine(day, at)
    # fold=0 reads a skipped time with the offset from before the gap, which lands after the
    # gap once normalised through UTC; for a repeated time it is the first occurrence.
    return naive.replace(tzinfo=tz, fold=0).astimezone(datetime.UTC).astimezone(tz)
