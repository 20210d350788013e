"""The one way the site writes a day and a moment: "3 Dec 2026", "3 Dec 2026, 14:05".

Pages use the `day` and `moment` template filters (org/templatetags/dates.py, built into every
template); messages, titles, audit entries and emails call these functions. A weekday, where
it helps (a session's start), goes in front: "Thu 3 Dec 2026, 14:05".
"""

from __future__ import annotations

import datetime

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
