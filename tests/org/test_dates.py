"""One date format across the site: "3 Dec 2026" for a day, "3 Dec 2026, 14:05" for a moment."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from pathlib import Path

from django.template import Context, Template
from django.utils import timezone

from org import dates

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_it_writes_a_day_with_the_short_month_and_the_year():
    assert dates.day(datetime.date(2026, 12, 3)) == "3 Dec 2026"
    assert dates.day(datetime.date(2026, 12, 3), weekday=True) == "Thu 3 Dec 2026"


def test_it_writes_a_moment_as_its_day_and_the_time():
    at = datetime.datetime(2027, 1, 14, 9, 5)

    assert dates.moment(at) == "14 Jan 2027, 09:05"
    assert dates.moment(at, weekday=True) == "Thu 14 Jan 2027, 09:05"


def test_the_template_filters_write_the_same_and_nothing_for_no_value():
    template = Template("{{ on|day }} | {{ at|moment:'weekday' }} | {{ missing_on|day }}")

    rendered = template.render(
        Context({"on": datetime.date(2026, 12, 3), "at": None, "missing_on": None})
    )

    assert rendered == "3 Dec 2026 |  | "


def test_a_moment_in_a_template_is_shown_in_the_current_time_zone():
    at = datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC)

    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        rendered = Template("{{ at|moment }}").render(Context({"at": at}))

    assert rendered == "4 Dec 2026, 00:30"


def test_no_template_writes_a_date_its_own_way():
    """Only machine formats (an input's value, a <time datetime>) may use Django's date filter."""
    machine = {"Y-m-d", "c", "H:i"}
    own_way = []
    for path in TEMPLATES.rglob("*.html"):
        for found in re.findall(r"""\|date:["']([^"']*)["']""", path.read_text()):
            if found not in machine:
                own_way.append(f"{path.relative_to(TEMPLATES)}: {found}")

    assert own_way == []
