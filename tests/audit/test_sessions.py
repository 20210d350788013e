"""The audit trail of sessions and their logs: scheduled, planned, changed, held, cancelled;
successes, progress calls, feedback and action items added, edited and ticked done."""

from __future__ import annotations

import pytest

from meetings.models import ActionItem, FeedbackItem, ObjectiveProgress, Session, SessionSuccess
from org.models import AuditEntry
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory, SuccessFactory
from tests.meetings.test_plan_quarter import PLAN, confirm_data

HX = {"HTTP_HX_REQUEST": "true"}


def ref(obj) -> dict:
    return {"id": obj.pk, "repr": str(obj)}


def people(*members) -> list[dict]:
    return [ref(m) for m in sorted(members, key=lambda m: (m.name, m.pk))]


def entry_for(obj) -> AuditEntry:
    [entry] = AuditEntry.objects.filter(object_id=obj.pk).exclude(object_type="member")
    return entry


def details(session, **overrides) -> dict:
    data = {
        "details-version": session.version,
        "details-date": "2026-02-20",
        "details-time": "09:00",
        "details-duration_minutes": 90,
        "details-place": "",
        "details-video_link": "",
        "details-facilitator": session.facilitator_id,
    }
    return data | overrides


def test_it_records_a_session_scheduled_by_hand(triad, manager_client, manager_membership):
    facilitator = triad.relationships.first().to_member
    response = manager_client.post(
        f"/meetings/partnerships/{triad.pk}/schedule/?quarter=2026Q1",
        {
            "date": "2026-03-10",
            "time": "10:00",
            "duration_minutes": 60,
            "place": "Room 2",
            "facilitator": facilitator.pk,
        },
    )
    assert response.status_code == 302
    session = Session.objects.get()
    entry = entry_for(session)
    assert (entry.object_type, entry.action, entry.actor, entry.object_repr) == (
        "session",
        "scheduled",
        manager_membership.user,
        "Quality first · FY2026 Q1",
    )
    assert entry.changes == {
        "partnership": [None, ref(triad)],
        "quarter_start": [None, "2026-01-01"],
        "facilitator": [None, ref(facilitator)],
        "starts_at": [None, "2026-03-10T10:00:00+00:00"],
        "duration_minutes": [None, 60],
        "place": [None, "Room 2"],
        "status": [None, "planned"],
        "attendees": [None, people(*session.attendees.all())],
    }


def test_it_records_each_session_a_confirmed_plan_writes(
    org, leader_client, leader_membership, frozen_now
):
    lee = leader_membership.member
    for name in ["Dock safety", "Returns"]:
        partnership = PartnershipFactory(organization=org, name=name)
        employee = PersonFactory(organization=org, quadrant="E", name=f"{name} hand")
        RelationshipFactory(partnership=partnership, from_member=lee, to_member=employee)
    page = leader_client.get(f"/meetings/plan/?{PLAN}").content.decode()
    assert leader_client.post("/meetings/plan/", confirm_data(page)).status_code == 302
    sessions = list(Session.objects.select_related("partnership").order_by("partnership__name"))
    assert len(sessions) == 2
    for session in sessions:
        entry = entry_for(session)
        assert (entry.action, entry.actor, entry.object_repr) == (
            "planned",
            leader_membership.user,
            str(session),
        )
        assert entry.changes["partnership"] == [None, ref(session.partnership)]
        assert entry.changes["facilitator"] == [None, ref(lee)]
        assert entry.changes["starts_at"] == [None, session.starts_at.isoformat()]
        assert entry.changes["attendees"] == [None, people(*session.attendees.all())]


def test_it_records_a_change_of_time_and_place(session, leader_client, leader_membership):
    response = leader_client.post(
        f"/meetings/sessions/{session.pk}/details/",
        details(session, **{"details-time": "13:00", "details-place": "Room 4"}),
    )
    assert response.status_code == 302
    entry = entry_for(session)
    assert (entry.action, entry.actor) == ("changed", leader_membership.user)
    assert entry.changes == {
        "starts_at": ["2026-02-20T09:00:00+00:00", "2026-02-20T13:00:00+00:00"],
        "place": ["", "Room 4"],
    }


def test_it_records_a_session_held_and_who_attended(
    session, manager_client, manager_membership, leader_membership, member_membership
):
    lee, max_, mia = (m.member for m in (leader_membership, manager_membership, member_membership))
    response = manager_client.post(
        f"/meetings/sessions/{session.pk}/held/",
        {"held-version": 1, "held-attendees": [lee.pk, max_.pk]},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    entry = entry_for(session)
    assert (entry.action, entry.actor, entry.object_repr) == (
        "held",
        manager_membership.user,
        "Quality first · FY2026 Q1",
    )
    assert entry.changes == {
        "status": ["planned", "held"],
        "held_at": [None, session.held_at.isoformat()],
        "attendees": [people(lee, max_, mia), people(lee, max_)],
    }


def test_it_records_a_session_cancelled(session, leader_client, leader_membership):
    response = leader_client.post(
        f"/meetings/sessions/{session.pk}/status/",
        {"status-version": 1, "status-status": "cancelled"},
    )
    assert response.status_code == 302
    entry = entry_for(session)
    assert (entry.action, entry.actor) == ("changed", leader_membership.user)
    assert entry.changes == {"status": ["planned", "cancelled"]}


@pytest.mark.parametrize(
    ("kind", "data", "model", "object_type", "changes"),
    [
        (
            "feedback",
            {"feedback-text": "Checklists are too long"},
            FeedbackItem,
            "feedback",
            {"text": [None, "Checklists are too long"]},
        ),
        (
            "progress",
            {"progress-call": "at_risk", "progress-note": "Supplier delays"},
            ObjectiveProgress,
            "progress_call",
            {"call": [None, "at_risk"], "note": [None, "Supplier delays"]},
        ),
        (
            "actions",
            {"action-text": "Shorten the checklist", "action-due_on": "2026-03-06"},
            ActionItem,
            "action_item",
            {"text": [None, "Shorten the checklist"], "due_on": [None, "2026-03-06"]},
        ),
    ],
)
def test_it_records_a_log_item_added(
    kind, data, model, object_type, changes, session, manager_client, manager_membership
):
    max_ = manager_membership.member
    objective = session.partnership.objective
    data = data | {
        "feedback-from_member": max_.pk,
        "progress-objective": objective.pk,
        "action-owner": max_.pk,
    }
    response = manager_client.post(f"/meetings/sessions/{session.pk}/{kind}/", data, **HX)
    assert response.status_code == 200
    item = model.objects.get()
    entry = entry_for(item)
    assert (entry.object_type, entry.action, entry.actor) == (
        object_type,
        "added",
        manager_membership.user,
    )
    related = {"feedback": "from_member", "progress": "objective", "actions": "owner"}[kind]
    if kind == "feedback":  # who wrote it down, and for whom (issue 20)
        changes = changes | {
            "author": [None, ref(manager_membership.user)],
            "for_facilitator_only": [None, False],
        }
    assert entry.changes == changes | {related: [None, ref(getattr(item, related))]}


def test_it_records_a_success_added_by_its_author(session, manager_client, manager_membership):
    response = manager_client.post(
        f"/meetings/sessions/{session.pk}/successes/", {"success-text": "Returns fell by a third"}
    )
    assert response.status_code == 302
    success = SessionSuccess.objects.get()
    entry = entry_for(success)
    assert (entry.object_type, entry.action, entry.actor) == (
        "success",
        "added",
        manager_membership.user,
    )
    assert entry.changes["text"] == [None, "Returns fell by a third"]
    assert entry.changes["author"] == [None, ref(manager_membership.user)]


def test_it_records_a_log_item_edited(session, leader_client, leader_membership):
    success = SuccessFactory(session=session, text="Old words")
    field = f"success-{success.pk}"
    response = leader_client.post(
        f"/meetings/log/successes/{success.pk}/edit/",
        {f"{field}-text": "New words", f"{field}-version": 1},
    )
    assert response.status_code == 302
    entry = entry_for(success)
    assert (entry.object_type, entry.action, entry.actor, entry.object_repr) == (
        "success",
        "changed",
        leader_membership.user,
        "New words",
    )
    assert entry.changes == {"text": ["Old words", "New words"]}


def test_a_stale_edit_of_a_log_item_leaves_no_entry(session, leader_client):
    success = SuccessFactory(session=session, text="Old words", version=2)
    field = f"success-{success.pk}"
    response = leader_client.post(
        f"/meetings/log/successes/{success.pk}/edit/",
        {f"{field}-text": "Lost words", f"{field}-version": 1},
    )
    assert response.status_code == 409
    assert not AuditEntry.objects.exists()


def test_it_records_an_action_item_ticked_done(
    session, manager_client, manager_membership, frozen_now
):
    item = ActionItem.objects.create(
        organization=session.organization,
        session=session,
        text="Visit the night shift",
        owner=manager_membership.member,
    )
    response = manager_client.post(
        f"/meetings/log/actions/{item.pk}/done/", {"version": 1, "done": "on"}
    )
    assert response.status_code == 302
    entry = entry_for(item)
    assert (entry.object_type, entry.action, entry.actor) == (
        "action_item",
        "changed",
        manager_membership.user,
    )
    assert entry.changes == {"done_on": [None, "2026-02-16"]}


def test_it_records_a_blackout_date(org, leader_client, leader_membership):
    response = leader_client.post(
        "/meetings/blackouts/", {"date": "2026-04-03", "reason": "Good Friday"}
    )
    assert response.status_code == 302
    [entry] = AuditEntry.objects.filter(object_type="blackout_date")
    assert (entry.action, entry.actor) == ("created", leader_membership.user)
    assert entry.changes == {"date": [None, "2026-04-03"], "reason": [None, "Good Friday"]}
