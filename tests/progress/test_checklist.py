"""The quarterly checklist: who keeps one, HTMX toggles that also work without JavaScript,
evidence notes carried into the next quarter (states are not), stale notes refused."""

from __future__ import annotations

import pytest

from meetings.models import ActionState, Checklist, ChecklistItem, ChecklistOptIn
from org.models import Quadrant, Role
from tests.factories import OrgMembershipFactory, PersonFactory

HX = {"HTTP_HX_REQUEST": "true"}


def state_url(quarter: str, number: int) -> str:
    return f"/meetings/checklist/{quarter}/{number}/state/"


def note_url(quarter: str, number: int) -> str:
    return f"/meetings/checklist/{quarter}/{number}/note/"


def states(membership, quarter_start) -> dict[int, str]:
    return dict(
        ChecklistItem.objects.filter(
            checklist__membership=membership, checklist__quarter_start=quarter_start
        ).values_list("action__number", "state")
    )


def test_a_leader_sees_the_13_actions_under_three_principles(leader_client, frozen_now):
    response = leader_client.get("/meetings/checklist/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "My checklist" in page and "FY2026 Q1" in page
    assert page.count('class="checklist-row') == 13
    for heading in ("Set the example", "Teach others", "Evaluate and adjust"):
        assert heading in page
    assert "actions 1–5" in page and "actions 6–10" in page and "actions 11–13" in page
    # Looking does not write anything.
    assert not Checklist.objects.exists()


def test_toggling_an_action_with_htmx_changes_its_state_and_the_dashboards_numbers(
    leader_client, leader_membership, frozen_now
):
    before = leader_client.get("/meetings/progress/").content.decode()
    assert 'data-principle="1">0 of 5 done' in before

    response = leader_client.post(state_url("2026Q1", 2), {"state": "done"}, **HX)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment
    assert 'id="checklist-2"' in fragment
    assert (
        'value="done" class="button button-small state-button is-current" aria-pressed="true"'
        in (fragment)
    )
    # The example area's progress comes along, swapped out of band.
    assert 'id="example-progress"' in fragment and 'hx-swap-oob="true"' in fragment
    assert 'data-principle="1">1 of 5 done' in fragment
    assert states(leader_membership, frozen_now.date().replace(month=1, day=1))[2] == "done"

    leader_client.post(state_url("2026Q1", 11), {"state": "in_progress"}, **HX)
    after = leader_client.get("/meetings/progress/").content.decode()
    assert 'data-principle="1">1 of 5 done' in after
    assert 'data-principle="3">0 of 3 done</span><span class="muted"> · 1 in progress' in after
    # The chart's table carries the same number: 1 of 5 is 20%.
    assert '<th scope="row">Set the example</th><td>0</td><td>0</td><td>0</td><td>20</td>' in (
        after.replace("\n", "").replace("  ", "")
    )


def test_toggling_works_without_javascript(leader_client, leader_membership, frozen_now):
    response = leader_client.post(state_url("2026Q1", 4), {"state": "in_progress"})
    assert response.status_code == 302
    assert response["Location"] == "/meetings/checklist/?quarter=2026Q1#checklist-4"
    page = leader_client.get(response["Location"]).content.decode()
    assert "“Use all three channels” is now in progress." in page
    assert states(leader_membership, frozen_now.date().replace(month=1, day=1))[4] == "in_progress"


def test_setting_the_same_state_twice_changes_nothing_more(
    leader_client, leader_membership, frozen_now
):
    for _ in range(2):
        leader_client.post(state_url("2026Q1", 1), {"state": "done"}, **HX)
    assert (
        list(states(leader_membership, frozen_now.date().replace(month=1, day=1)).values()).count(
            "done"
        )
        == 1
    )


def test_a_new_quarter_inherits_the_notes_but_not_the_states(
    leader_client, leader_membership, frozen_now
):
    # FY2025 Q4: two actions with evidence, one done, one in progress.
    leader_client.post(state_url("2025Q4", 1), {"state": "done"}, **HX)
    leader_client.post(state_url("2025Q4", 7), {"state": "in_progress"}, **HX)
    leader_client.post(
        note_url("2025Q4", 1), {"note-1-note": "Listening course done", "note-1-version": 1}, **HX
    )
    leader_client.post(
        note_url("2025Q4", 7), {"note-7-note": "Two short trainings", "note-7-version": 1}, **HX
    )

    # FY2026 Q1 shows the notes before anything is written, and nothing started.
    page = leader_client.get("/meetings/checklist/?quarter=2026Q1").content.decode()
    assert "Listening course done" in page and "Two short trainings" in page
    assert "Evidence notes will come from your FY2025 Q4 checklist" in page
    assert 'value="done" class="button button-small state-button is-current"' not in page
    assert Checklist.objects.count() == 1

    # The first write of the new quarter creates it from those notes, every state reset.
    leader_client.post(state_url("2026Q1", 13), {"state": "in_progress"}, **HX)
    items = {
        item.action.number: item
        for item in ChecklistItem.objects.filter(
            checklist__membership=leader_membership, checklist__quarter_start="2026-01-01"
        ).select_related("action")
    }
    assert len(items) == 13
    assert items[1].note == "Listening course done"
    assert items[7].note == "Two short trainings"
    assert items[1].state == items[7].state == ActionState.NOT_STARTED
    assert items[13].state == ActionState.IN_PROGRESS
    assert sum(1 for item in items.values() if item.state != ActionState.NOT_STARTED) == 1
    # The old quarter keeps its own states.
    assert states(leader_membership, "2025-10-01")[1] == ActionState.DONE


def test_a_note_saved_from_an_outdated_form_is_refused(
    leader_client, leader_membership, frozen_now
):
    first = leader_client.post(
        note_url("2026Q1", 5), {"note-5-note": "Monthly numbers review", "note-5-version": 1}, **HX
    )
    assert first.status_code == 200
    assert "Monthly numbers review" in first.content.decode()
    second = leader_client.post(
        note_url("2026Q1", 5), {"note-5-note": "Something else", "note-5-version": 1}, **HX
    )
    assert second.status_code == 200  # htmx swaps the row with the message
    assert "Someone else saved this" in second.content.decode()
    item = ChecklistItem.objects.get(checklist__membership=leader_membership, action__number=5)
    assert (item.note, item.version) == ("Monthly numbers review", 2)


def test_a_note_that_is_too_long_comes_back_with_the_message(leader_client, frozen_now):
    response = leader_client.post(
        note_url("2026Q1", 5), {"note-5-note": "x" * 2001, "note-5-version": 1}, **HX
    )
    assert response.status_code == 200
    assert "at most 2000 characters" in response.content.decode()
    assert not ChecklistItem.objects.exclude(note="").exists()


def test_an_unknown_state_or_action_is_refused(leader_client, frozen_now):
    assert leader_client.post(state_url("2026Q1", 3), {"state": "finished"}).status_code == 400
    assert leader_client.post(state_url("2026Q1", 14), {"state": "done"}).status_code == 400
    assert not ChecklistItem.objects.filter(state="done").exists()


def test_a_quarter_that_has_not_begun_has_no_checklist_yet(leader_client, frozen_now):
    assert leader_client.post(state_url("2026Q2", 3), {"state": "done"}).status_code == 404
    assert leader_client.get("/meetings/checklist/?quarter=2026Q2").status_code == 400
    assert not Checklist.objects.exists()


@pytest.mark.parametrize("role", ["admin", "member", "outsider"])
def test_only_leaders_and_opted_in_managers_keep_a_checklist(role, role_clients, frozen_now):
    client = role_clients[role]
    assert client.get("/meetings/checklist/").status_code == 403
    assert client.post(state_url("2026Q1", 1), {"state": "done"}).status_code == 403
    assert not Checklist.objects.exists()


def test_a_manager_opts_in_and_then_keeps_a_checklist(
    manager_client, manager_membership, frozen_now
):
    offer = manager_client.get("/meetings/checklist/")
    assert offer.status_code == 200
    assert "Keep the checklist" in offer.content.decode()
    assert manager_client.post(state_url("2026Q1", 6), {"state": "done"}).status_code == 403

    response = manager_client.post("/meetings/checklist/opt-in/")
    assert response.status_code == 302
    assert ChecklistOptIn.objects.filter(membership=manager_membership).exists()
    assert manager_client.get("/meetings/checklist/").status_code == 200
    assert manager_client.post(state_url("2026Q1", 6), {"state": "done"}, **HX).status_code == 200
    assert states(manager_membership, "2026-01-01")[6] == "done"

    manager_client.post("/meetings/checklist/opt-in/", {"keep": "no"})
    assert not ChecklistOptIn.objects.exists()
    assert Checklist.objects.filter(membership=manager_membership).exists()  # kept
    assert manager_client.post(state_url("2026Q1", 7), {"state": "done"}).status_code == 403


def test_leaders_do_not_opt_in(leader_client):
    assert leader_client.post("/meetings/checklist/opt-in/").status_code == 403


def test_each_leader_has_their_own_checklist(
    org, leader_client, leader_membership, client, frozen_now
):
    other = OrgMembershipFactory(
        organization=org,
        role=Role.LEADER,
        member=PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP),
    )
    client.force_login(other.user)
    client.post(state_url("2026Q1", 9), {"state": "done"}, **HX)
    leader_client.post(state_url("2026Q1", 2), {"state": "done"}, **HX)
    assert states(other, "2026-01-01")[9] == "done"
    assert states(other, "2026-01-01")[2] == "not_started"
    assert states(leader_membership, "2026-01-01")[9] == "not_started"


def test_the_checklist_page_costs_a_fixed_number_of_queries(
    leader_client, django_assert_num_queries, frozen_now
):
    leader_client.post(state_url("2025Q4", 1), {"state": "done"}, **HX)
    with django_assert_num_queries(6):
        before = leader_client.get("/meetings/checklist/")
    leader_client.post(state_url("2026Q1", 1), {"state": "done"}, **HX)
    with django_assert_num_queries(6):
        after = leader_client.get("/meetings/checklist/")
    assert before.status_code == after.status_code == 200
