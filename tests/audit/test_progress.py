"""The audit trail of the leader's progress: satisfaction scores, objective measurements and
the pulse entered and corrected; checklist states and evidence notes; successes entered
directly and shared."""

from __future__ import annotations

from decimal import Decimal

from meetings.models import (
    PULSE_FIELDS,
    ChecklistItem,
    ObjectiveMeasurement,
    PulseRating,
    SatisfactionScore,
    SessionStatus,
    SessionSuccess,
)
from meetings.progress import services as progress_services
from org.models import AuditEntry
from tests.factories import ObjectiveFactory, SuccessFactory

HX = {"HTTP_HX_REQUEST": "true"}
SCORE = "/meetings/measurements/2026Q1/scores/customer/"


def entries(model) -> list[AuditEntry]:
    ids = model.objects.values_list("pk", flat=True)
    return list(AuditEntry.objects.filter(object_id__in=ids).exclude(object_type="member"))


def test_it_records_a_score_entered_and_corrected(
    admin_client, admin_membership, leader_client, leader_membership, frozen_now
):
    admin_client.post(SCORE, {"customer-value": "61", "customer-version": 0})
    leader_client.post(SCORE, {"customer-value": "64.5", "customer-version": 1})
    score = SatisfactionScore.objects.get()
    entered, corrected = sorted(entries(SatisfactionScore), key=lambda e: e.pk)
    assert (entered.object_type, entered.action, entered.actor, entered.changes) == (
        "satisfaction_score",
        "created",
        admin_membership.user,
        {"value": [None, "61"]},
    )
    assert (corrected.action, corrected.actor, corrected.object_id, corrected.changes) == (
        "changed",
        leader_membership.user,
        score.pk,
        {"value": ["61", "64.5"]},
    )


def test_it_records_an_objective_measured_and_corrected(
    org, leader_client, leader_membership, frozen_now
):
    objective = ObjectiveFactory(
        organization=org, title="Zero damage", target_value=Decimal("99.5"), target_unit="%"
    )
    url = f"/meetings/measurements/2026Q1/objectives/{objective.pk}/"
    prefix = f"objective-{objective.pk}"
    leader_client.post(
        url, {f"{prefix}-value": "97.25", f"{prefix}-unit": "%", f"{prefix}-version": 0}
    )
    leader_client.post(
        url, {f"{prefix}-value": "98", f"{prefix}-unit": "%", f"{prefix}-version": 1}
    )
    measured = ObjectiveMeasurement.objects.get()
    entered, corrected = sorted(entries(ObjectiveMeasurement), key=lambda e: e.pk)
    assert (entered.object_type, entered.action, entered.actor) == (
        "measurement",
        "created",
        leader_membership.user,
    )
    assert entered.changes == {"value": [None, "97.25"]}
    assert (corrected.action, corrected.object_id, corrected.changes) == (
        "changed",
        measured.pk,
        {"value": ["97.25", "98"]},
    )
    assert corrected.object_repr.startswith("Zero damage: 98")


def test_it_records_that_someone_gave_their_pulse_never_what(
    session, manager_membership, frozen_now
):
    session.status = SessionStatus.HELD
    session.save()
    given = progress_services.pulse_give(
        session=session,
        member=manager_membership.member,
        worth=2,
        pulse={q: dict.fromkeys(PULSE_FIELDS, 4) | {"timely": 1} for q in "LE"},
        via="login",
        user=manager_membership.user,
    )
    entry = AuditEntry.objects.get(object_type="pulse_given")
    assert (entry.object_id, entry.action, entry.actor) == (
        given.pk,
        "created",
        manager_membership.user,
    )
    assert entry.changes == {}  # no answer, not even the session's worth
    assert manager_membership.member.name not in entry.object_repr
    assert PulseRating.objects.count() == 2
    assert not AuditEntry.objects.filter(object_type="pulse_rating").exists()


def test_it_records_a_checklist_state_and_note(leader_client, leader_membership, frozen_now):
    state = leader_client.post("/meetings/checklist/2026Q1/2/state/", {"state": "done"}, **HX)
    assert state.status_code == 200
    note = leader_client.post(
        "/meetings/checklist/2026Q1/2/note/",
        {"note-2-note": "Walked the floor with the night shift", "note-2-version": 1},
    )
    assert note.status_code == 302
    item = ChecklistItem.objects.select_related("action").get(
        checklist__membership=leader_membership, action__number=2
    )
    changed_state, changed_note = sorted(
        AuditEntry.objects.filter(object_type="checklist_item"), key=lambda e: e.pk
    )
    assert (changed_state.object_id, changed_state.action, changed_state.actor) == (
        item.pk,
        "changed",
        leader_membership.user,
    )
    assert changed_state.object_repr == f"{item.action} · FY2026 Q1"
    assert changed_state.changes == {"state": ["not_started", "done"]}
    assert changed_note.changes == {"note": ["", "Walked the floor with the night shift"]}


def test_it_records_a_success_entered_directly_and_shared(
    triad, manager_client, manager_membership, frozen_now
):
    response = manager_client.post(
        "/meetings/successes/new/",
        {"partnership": triad.pk, "happened_on": "2026-02-12", "text": "Thanked by a customer"},
    )
    assert response.status_code == 302
    success = SessionSuccess.objects.get()
    assert manager_client.post(
        f"/meetings/successes/{success.pk}/share/", {"shared": "on"}
    ).status_code in (200, 302)
    added, shared = sorted(entries(SessionSuccess), key=lambda e: e.pk)
    assert (added.object_type, added.action, added.actor) == (
        "success",
        "added",
        manager_membership.user,
    )
    assert added.changes["text"] == [None, "Thanked by a customer"]
    assert added.changes["happened_on"] == [None, "2026-02-12"]
    assert (shared.action, shared.actor, shared.changes) == (
        "changed",
        manager_membership.user,
        {"shared_with_organization": [False, True]},
    )


def test_a_stale_measurement_leaves_no_entry(admin_client, frozen_now):
    admin_client.post(SCORE, {"customer-value": "61", "customer-version": 0})
    AuditEntry.objects.all().delete()
    response = admin_client.post(SCORE, {"customer-value": "70", "customer-version": 0})
    assert response.status_code == 409
    assert not AuditEntry.objects.exists()


def test_an_unchanged_success_share_leaves_no_entry(triad, manager_membership):
    success = SuccessFactory(session=None, partnership=triad, shared_with_organization=True)
    progress_services.success_set_shared(success=success, shared=True, by=manager_membership.user)
    assert not AuditEntry.objects.exists()
