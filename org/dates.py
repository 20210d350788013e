"""The one way the site writes a day and a moment: "3 Dec 2026", "3 Dec 2026, 14:05".

Pages use the `day` and `moment` template filters (org/templatetags/dates.py, built into every
template); messages, titles, audit entries and emails call these functions. A weekday, where
it helps (a session's start), goes in front: "Thu 3 Dec 2026, 14:05".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils.dateformat import format as date_format

DAY_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
WEEKDAY_FORMAT = "D"


def day(value: datetime.date, *, weekday: bool = False) -> str:
    """A day as the site writes it: "3 Dec 2026" ("Thu 3 Dec 2026" with the weekday)."""
    pattern = f"{WEEKDAY_FORMAT} {DAY_FORMAT}" if weekday else DAY_FORMAT
    return date_format(value, pattern)


def moment(value: datetime.datetime, *, weekday: bool = False) -> str:
    """A moment, in the time zone it carries: "3 Dec 2026, 14:05"."""
    return f"{day(value, weekday=weekday)}, {date_format(value, TIME_FORMAT)}"


def moments(values: Iterable[datetime.datetime], *, weekday: bool = False) -> list[str]:
    """moment() of each value, each day and each time of day written once: a quarter's plan
    lists hundreds of sessions over a few dozen days and a few start times, and writing them
    is most of a moment's cost."""
    days: dict[datetime.date, str] = {}
    times: dict[datetime.time, str] = {}
    written = []
    for value in values:
        on, at = value.date(), value.time()
        if on not in days:
            days[on] = day(on, weekday=weekday)
        if at not in times:
            times[at] = date_format(value, TIME_FORMAT)
        written.append(f"{days[on]}, {times[at]}")
    return written
