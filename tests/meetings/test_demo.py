"""The meetings demo: three quarters of sessions, the past ones held and logged."""

from __future__ import annotations

import datetime
import random

from django.urls import reverse
from django.utils import timezone

from demo.sessions import seed_meetings
from meetings.models import ActionItem, BlackoutDate, Session, SessionSuccess
from meetings.quarters import Quarter


def test_it_seeds_three_quarters_of_sessions_with_logs(org, triad, frozen_now):
    seed_meetings(org, random.Random(3))
    sessions = list(Session.objects.select_related("organization").order_by("starts_at"))
    quarters = [s.quarter.label for s in sessions]
    assert quarters == ["FY2025 Q3", "FY2025 Q4", "FY2026 Q1"]
    assert all(s.status == Session.Status.HELD for s in sessions[:2])
    current = sessions[2]
    assert current.quarter == Quarter(2026, 1)
    assert current.status in (Session.Status.PLANNED, Session.Status.MISSED, Session.Status.HELD)
    assert SessionSuccess.objects.filter(session__in=sessions[:2]).count() >= 2
    assert ActionItem.objects.filter(session__in=sessions[:2]).exists()
    assert BlackoutDate.objects.filter(organization=org).count() == 2
    assert all(s.attendees.exists() for s in sessions)


def test_the_member_login_finds_a_session_of_their_own_still_to_come(
    org, triad, member_client, monkeypatch
):
    # Late in the quarter, after the day the planner would pick for the partnership's session:
    # the demo still leaves the member's session ahead, so that they have one to add to.
    late = datetime.datetime(2026, 3, 18, 10, 0, tzinfo=datetime.UTC)  # a Wednesday
    monkeypatch.setattr(timezone, "now", lambda: late)
    seed_meetings(org, random.Random(3))
    session = Session.objects.get(partnership=triad, quarter_start=datetime.date(2026, 1, 1))
    assert session.status == Session.Status.PLANNED
    assert session.starts_at == datetime.datetime(2026, 3, 20, 14, 0, tzinfo=org.tz)
    page = member_client.get(reverse("meetings:my_sessions"))
    assert [s.pk for s in page.context["sessions"].due] == [session.pk]
    assert reverse("meetings:session", args=[session.pk]) in page.content.decode()


def test_with_no_working_day_left_the_session_stays_where_the_planner_put_it(
    org, triad, monkeypatch
):
    last_days = datetime.datetime(2026, 3, 30, 10, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: last_days)
    seed_meetings(org, random.Random(3))
    session = Session.objects.get(partnership=triad, quarter_start=datetime.date(2026, 1, 1))
    assert session.starts_at < last_days
