"""The trail misses nothing and records nothing that did not happen: a removed blackout date
is recorded with its old values, a save that changes nothing writes nothing, and related
objects are named by name."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from meetings.models import (
    BlackoutDate,
    MeasurementChange,
    ObjectiveMeasurement,
    Session,
    SessionSuccess,
)
from org.models import AuditEntry, Member
from tests.factories import ObjectiveFactory, PersonFactory

# --- blackout dates ----------------------------------------------------------------------------


def test_removing_a_blackout_date_is_recorded_with_its_old_values(
    org, leader_client, admin_client, frozen_now
):
    leader_client.post("/meetings/blackouts/", {"date": "2026-03-02", "reason": "Inventory day"})
    blackout = BlackoutDate.objects.get()
    response = leader_client.post(f"/meetings/blackouts/{blackout.pk}/delete/")
    assert response.status_code == 302
    assert not BlackoutDate.objects.exists()
    entry = AuditEntry.objects.get(action="removed")
    assert (entry.object_type, entry.object_id, entry.actor_label) == (
        "blackout_date",
        blackout.pk,
        "lee_leader",
    )
    assert entry.changes == {
        "date": ["2026-03-02", None],
        "reason": ["Inventory day", None],
    }
    page = admin_client.get("/org/audit/").content.decode()
    assert "removed</span> Blackout date" in page
    assert "Inventory day" in page


# --- a save that changes nothing writes nothing -----------------------------------------------


@pytest.fixture
def grace(org):
    return PersonFactory(organization=org, quadrant="M", name="Grace Hopper", title="Admiral")


def member_form(member: Member, **overrides) -> dict:
    return {
        "name": member.name,
        "title": member.title,
        "email": member.email,
        "external_id": member.external_id,
        "active_from": member.active_from.isoformat(),
        "active_until": "",
        "version": member.updated_at.isoformat(),
    } | overrides


def test_saving_a_member_unchanged_writes_nothing(grace, admin_client):
    before = Member.objects.get(pk=grace.pk).updated_at
    response = admin_client.post(f"/org/members/{grace.pk}/edit/", member_form(grace))
    assert response.status_code == 302
    assert Member.objects.get(pk=grace.pk).updated_at == before
    assert not AuditEntry.objects.exists()
    # so someone who opened the form at the same moment is not refused as stale
    response = admin_client.post(
        f"/org/members/{grace.pk}/edit/", member_form(grace, title="Rear Admiral")
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=grace.pk).title == "Rear Admiral"
    assert AuditEntry.objects.get().changes == {"title": ["Admiral", "Rear Admiral"]}


def session_form(session: Session, **overrides) -> dict:
    return {
        "details-version": session.version,
        "details-date": "2026-02-20",
        "details-time": "09:00",
        "details-duration_minutes": 90,
        "details-place": session.place,
        "details-video_link": session.video_link,
        "details-facilitator": session.facilitator_id,
    } | overrides


def test_saving_a_session_unchanged_writes_nothing(session, manager_client):
    stored = Session.objects.get(pk=session.pk)
    response = manager_client.post(
        f"/meetings/sessions/{session.pk}/details/", session_form(session)
    )
    assert response.status_code == 302
    after = Session.objects.get(pk=session.pk)
    assert (after.version, after.updated_at) == (stored.version, stored.updated_at)
    assert not AuditEntry.objects.exists()
    response = manager_client.post(
        f"/meetings/sessions/{session.pk}/details/",
        session_form(session, **{"details-place": "Room 4"}),
    )
    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).version == stored.version + 1
    assert AuditEntry.objects.get().changes == {"place": ["", "Room 4"]}


def test_saving_a_session_log_item_unchanged_writes_nothing(session, manager_client):
    manager_client.post(
        f"/meetings/sessions/{session.pk}/successes/", {"success-text": "Fewer defects"}
    )
    success = SessionSuccess.objects.get()
    entries = AuditEntry.objects.count()
    response = manager_client.post(
        f"/meetings/log/successes/{success.pk}/edit/",
        {f"success-{success.pk}-text": "Fewer defects", f"success-{success.pk}-version": 1},
    )
    assert response.status_code == 302
    after = SessionSuccess.objects.get()
    assert (after.version, after.updated_at) == (success.version, success.updated_at)
    assert AuditEntry.objects.count() == entries


def test_saving_an_objectives_value_unchanged_writes_nothing(org, leader_client, frozen_now):
    objective = ObjectiveFactory(organization=org, target_value=Decimal(99), target_unit="%")
    url = f"/meetings/measurements/2026Q1/objectives/{objective.pk}/"
    prefix = f"objective-{objective.pk}"
    data = {f"{prefix}-value": "97.25", f"{prefix}-unit": "%", f"{prefix}-version": 0}
    assert leader_client.post(url, data).status_code == 302
    stored = ObjectiveMeasurement.objects.get()
    entries = AuditEntry.objects.count()
    history = MeasurementChange.objects.filter(measurement=stored).count()
    response = leader_client.post(url, data | {f"{prefix}-version": 1})
    assert response.status_code == 302
    after = ObjectiveMeasurement.objects.get()
    assert (after.version, after.updated_at) == (1, stored.updated_at)
    assert MeasurementChange.objects.filter(measurement=stored).count() == history
    assert AuditEntry.objects.count() == entries


# --- names, not numbers ----------------------------------------------------------------------


def test_a_success_added_at_a_session_names_its_partnership_and_objective(
    session, manager_client, admin_client
):
    manager_client.post(
        f"/meetings/sessions/{session.pk}/successes/", {"success-text": "Fewer defects"}
    )
    objective = session.partnership.objective
    page = admin_client.get("/org/audit/").content.decode()
    assert "Quality first" in page
    assert objective.title in page
    assert 'audit-after">Quality first<' in page
    assert f'audit-after">{objective.title}<' in page
    assert 'audit-after">#' not in page


def test_an_entry_that_kept_only_ids_is_shown_with_the_names(
    org, session, admin_client, django_assert_num_queries
):
    success = SessionSuccess.objects.create(
        organization=org,
        session=session,
        partnership=session.partnership,
        objective=session.partnership.objective,
        happened_on=datetime.date(2026, 2, 20),
        text="Fewer defects",
    )
    AuditEntry.objects.create(
        organization=org,
        at=datetime.datetime(2026, 2, 20, 10, tzinfo=datetime.UTC),
        action="added",
        object_type="success",
        object_id=success.pk,
        object_repr="Fewer defects",
        changes={
            "partnership": [None, {"id": session.partnership_id}],
            "objective": [None, {"id": session.partnership.objective_id}],
            "shared_by": [None, {"id": 999999}],  # removed since: its id is all there is
        },
    )
    page = admin_client.get("/org/audit/").content.decode()
    assert "Quality first" in page
    assert session.partnership.objective.title in page
    assert 'audit-after">#999999<' in page
