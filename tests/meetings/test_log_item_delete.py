"""Deleting an entry of a session's log written by mistake, and putting it back with Undo.

Whoever may edit an entry may delete it (meetings/access.py: the partnership's current
managers, leaders and admins); a confirmation page comes first, the audit trail keeps what the
entry said, and the message after the deletion offers Undo.
"""

from __future__ import annotations

import datetime
import html

import pytest

from meetings import services
from meetings.models import ActionItem, FeedbackItem, ObjectiveProgress, SessionSuccess
from org.models import AuditEntry
from tests.factories import ObjectiveFactory


def _page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def action(session, manager_membership):
    return services.action_item_add(
        session=session,
        text="Call the carrier",
        owner=manager_membership.member,
        due_on=datetime.date(2026, 3, 1),
    )


def test_it_asks_before_deleting_an_entry(manager_client, action):
    response = manager_client.get(f"/meetings/log/actions/{action.pk}/delete/")
    assert response.status_code == 200
    page = _page(response)
    assert "Delete this action item?" in page
    assert "Call the carrier" in page
    assert ActionItem.objects.filter(pk=action.pk).exists()


def test_the_session_page_offers_delete_beside_edit(manager_client, session, action):
    page = _page(manager_client.get(f"/meetings/sessions/{session.pk}/"))
    assert f"/meetings/log/actions/{action.pk}/delete/" in page


def test_it_deletes_an_entry_and_keeps_its_values_in_the_audit_trail(
    manager_client, session, action, manager_membership
):
    response = manager_client.post(f"/meetings/log/actions/{action.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"/meetings/sessions/{session.pk}/"
    page = _page(response)
    assert "The action item “Call the carrier” is deleted." in page
    assert "Call the carrier</p>" not in page  # gone from the log itself
    assert not ActionItem.objects.exists()
    entry = AuditEntry.objects.get(action="removed", object_type="action_item")
    assert entry.actor.username == "max_manager"
    assert entry.changes["text"] == ["Call the carrier", None]
    assert entry.changes["due_on"] == ["2026-03-01", None]
    assert entry.changes["owner"][0]["id"] == manager_membership.member.pk
    assert entry.changes["session"][0]["id"] == session.pk


def test_undo_puts_the_entry_back_once(manager_client, session, action, manager_membership):
    manager_client.post(f"/meetings/log/actions/{action.pk}/delete/")
    entry = AuditEntry.objects.get(action="removed", object_type="action_item")
    page = _page(manager_client.get(f"/meetings/sessions/{session.pk}/"))
    assert f'action="/meetings/log/restore/{entry.pk}/"' in page  # the message's Undo

    response = manager_client.post(f"/meetings/log/restore/{entry.pk}/", follow=True)
    assert "The action item is back." in _page(response)
    back = ActionItem.objects.get()
    assert (back.text, back.owner, back.due_on, back.session) == (
        "Call the carrier",
        manager_membership.member,
        datetime.date(2026, 3, 1),
        session,
    )
    assert AuditEntry.objects.filter(action="restored", object_id=back.pk).exists()

    again = manager_client.post(f"/meetings/log/restore/{entry.pk}/", follow=True)
    assert "That removal was already undone." in _page(again)
    assert ActionItem.objects.count() == 1


def test_the_message_after_deleting_offers_undo(manager_client, action):
    response = manager_client.post(f"/meetings/log/actions/{action.pk}/delete/", follow=True)
    entry = AuditEntry.objects.get(action="removed", object_type="action_item")
    page = _page(response)
    assert f'action="/meetings/log/restore/{entry.pk}/"' in page
    assert ">Undo</button>" in page


def test_every_kind_of_entry_can_be_deleted_and_put_back(leader_client, session, org):
    objective = ObjectiveFactory(organization=org)
    entries = {
        "successes": services.success_add(session=session, text="Won a tender", shared_by=None),
        "progress": services.progress_add(
            session=session, objective=objective, call="on_track", note="Fine"
        ),
        "feedback": services.feedback_add(session=session, from_member=None, text="Too long"),
    }
    for slug, item in entries.items():
        assert leader_client.post(f"/meetings/log/{slug}/{item.pk}/delete/").status_code == 302
    assert not SessionSuccess.objects.exists()
    assert not ObjectiveProgress.objects.exists()
    assert not FeedbackItem.objects.exists()
    for entry in AuditEntry.objects.filter(action="removed"):
        assert leader_client.post(f"/meetings/log/restore/{entry.pk}/").status_code == 302
    assert SessionSuccess.objects.get().text == "Won a tender"
    assert ObjectiveProgress.objects.get().note == "Fine"
    assert FeedbackItem.objects.get().text == "Too long"


def test_a_member_may_not_delete_an_entry_or_undo(member_client, manager_client, action):
    url = f"/meetings/log/actions/{action.pk}/delete/"
    assert member_client.get(url).status_code == 403
    assert member_client.post(url).status_code == 403
    assert ActionItem.objects.filter(pk=action.pk).exists()
    manager_client.post(url)
    entry = AuditEntry.objects.get(action="removed", object_type="action_item")
    assert member_client.post(f"/meetings/log/restore/{entry.pk}/").status_code == 403
    assert not ActionItem.objects.exists()


def test_another_organizations_entry_and_undo_are_404(outsider_client, manager_client, action):
    url = f"/meetings/log/actions/{action.pk}/delete/"
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url).status_code == 404
    assert ActionItem.objects.filter(pk=action.pk).exists()
    manager_client.post(url)
    entry = AuditEntry.objects.get(action="removed", object_type="action_item")
    assert outsider_client.post(f"/meetings/log/restore/{entry.pk}/").status_code == 404
    assert not ActionItem.objects.exists()


def test_undo_restores_only_log_entries(manager_client, leader_client, session, triad):
    """The log's Undo reads only removals of log entries: a removed relationship is not one."""
    line = triad.relationships.first()
    leader_client.post(f"/partnerships/{triad.pk}/relationships/{line.pk}/remove/")
    entry = AuditEntry.objects.get(action="removed", object_type="relationship")
    assert manager_client.post(f"/meetings/log/restore/{entry.pk}/").status_code == 404
