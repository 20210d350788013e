"""What the database and the model guard: one session per partnership per quarter, 15-480
minutes, known statuses, a start inside the session's own quarter."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from meetings.models import Session
from tests.factories import PersonFactory, SessionFactory

UTC = datetime.UTC


def test_the_database_allows_one_session_per_partnership_per_quarter(session):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(
            partnership=session.partnership,
            facilitator=session.facilitator,
            starts_at=datetime.datetime(2026, 3, 20, 9, tzinfo=UTC),
        )
    other_quarter = SessionFactory(
        partnership=session.partnership,
        facilitator=session.facilitator,
        starts_at=datetime.datetime(2026, 4, 20, 9, tzinfo=UTC),
    )
    assert other_quarter.quarter_start == datetime.date(2026, 4, 1)


@pytest.mark.parametrize("minutes", [0, 14, 481, 600])
def test_the_database_refuses_durations_outside_15_to_480_minutes(session, minutes):
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(duration_minutes=minutes)


@pytest.mark.parametrize("minutes", [15, 480])
def test_the_limits_themselves_are_allowed(session, minutes):
    Session.objects.filter(pk=session.pk).update(duration_minutes=minutes)
    session.refresh_from_db()
    assert session.duration_minutes == minutes


def test_the_database_refuses_an_unknown_status(session):
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(status="postponed")


def test_a_start_outside_the_sessions_quarter_is_invalid(session):
    session.starts_at = datetime.datetime(2026, 4, 1, 9, tzinfo=UTC)
    with pytest.raises(ValidationError, match="FY2026 Q2"):
        session.full_clean()


def test_the_quarter_is_judged_in_the_organizations_time_zone(session, org):
    # 23:30 UTC on 31 March is already 1 April in Berlin: the next quarter there.
    org.time_zone = "Europe/Berlin"
    org.save()
    session.starts_at = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    with pytest.raises(ValidationError):
        session.full_clean()
    org.time_zone = "America/New_York"
    org.save()
    session.full_clean()


def test_a_facilitator_from_another_organization_is_invalid(session, other_org):
    session.facilitator = PersonFactory(organization=other_org)
    with pytest.raises(ValidationError, match="another organization"):
        session.full_clean()
