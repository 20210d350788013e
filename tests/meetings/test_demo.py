"""The meetings demo: three quarters of sessions, the past ones held and logged."""

from __future__ import annotations

import random

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
