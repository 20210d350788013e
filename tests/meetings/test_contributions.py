"""Sessions that belong to their members: every person of the partnership with a login adds
agenda items, their successes and their feedback (shared, or for the facilitator only), marked
as theirs, and changes only their own; another partnership's session is a 404."""

from __future__ import annotations

import re

import pytest

from meetings.models import AgendaItem, FeedbackItem, Session, SessionSuccess
from org.models import AuditEntry, Quadrant, Role, WriteKey
from tests.factories import (
    OrgMembershipFactory,
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    SessionFactory,
)

KEY = re.compile(r'<input type="hidden" name="once" value="([A-Za-z0-9_-]+)">')


def url(session, rest=""):
    return f"/meetings/sessions/{session.pk}/{rest}"


def agenda_post(text, part="objectives", **extra):
    return {"my-agenda-part": part, "my-agenda-text": text, **extra}


# --- a member adds to the agenda -------------------------------------------------------------


def test_a_member_adds_an_agenda_item_the_facilitator_sees_in_its_part(
    session, member_client, leader_client, member_membership
):
    page = member_client.get(url(session)).content.decode()
    assert "Add to the agenda" in page
    key = KEY.findall(page)[0]
    response = member_client.post(
        url(session, "add/agenda/"), agenda_post("Night shift handover", once=key)
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url(session)}#agenda"
    item = AgendaItem.objects.get()
    assert (item.session, item.part, item.text) == (session, "objectives", "Night shift handover")
    assert item.added_by == member_membership.member
    assert item.author == member_membership.user
    mine = member_client.get(url(session)).content.decode()
    assert "Night shift handover" in mine
    assert "(you)" in mine
    assert f"/meetings/contributions/agenda/{item.pk}/edit/" in mine
    theirs = leader_client.get(url(session)).content.decode()
    objectives = theirs.split('id="agenda-objectives"')[1].split('id="agenda-feedback"')[0]
    assert "Night shift handover" in objectives
    assert "Added by <bdi>Mia Member</bdi>" in objectives
    assert AuditEntry.objects.filter(object_type="agenda_item", action="added").count() == 1


def test_the_same_agenda_post_twice_makes_one_item(session, member_client):
    data = agenda_post("Twice sent", once="r" * 24)
    first = member_client.post(url(session, "add/agenda/"), data)
    second = member_client.post(url(session, "add/agenda/"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert AgendaItem.objects.count() == 1
    assert WriteKey.objects.get(key="r" * 24).purpose == "contribute:agenda"


def test_an_empty_agenda_item_is_refused_with_a_message_and_nothing_stored(session, member_client):
    response = member_client.post(url(session, "add/agenda/"), agenda_post("  ", part="nope"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say what you would like to discuss." in page
    assert "Select a valid choice." in page
    assert not AgendaItem.objects.exists()


# --- successes and feedback of one's own -----------------------------------------------------


def test_a_member_adds_their_own_success_marked_as_theirs(
    session, member_client, manager_client, member_membership
):
    response = member_client.post(
        url(session, "add/successes/"), {"my-successes-text": "Fewer returns"}
    )
    assert response.status_code == 302
    success = SessionSuccess.objects.get()
    assert success.shared_by == member_membership.member
    assert success.author == member_membership.user
    mine = member_client.get(url(session)).content.decode()
    assert "Fewer returns" in mine
    assert "(added by you)" in mine
    theirs = manager_client.get(url(session)).content.decode()
    assert "Fewer returns" in theirs
    assert "(added by you)" not in theirs


def test_private_feedback_is_seen_by_its_author_and_the_facilitator_only(
    session, member_client, manager_client, leader_client, member_membership
):
    member_client.post(
        url(session, "add/feedback/"),
        {"my-feedback-text": "Meetings run long", "my-feedback-audience": "facilitator"},
    )
    member_client.post(
        url(session, "add/feedback/"),
        {"my-feedback-text": "Good minutes", "my-feedback-audience": "shared"},
    )
    private = FeedbackItem.objects.get(text="Meetings run long")
    assert private.for_facilitator_only
    assert private.from_member == member_membership.member
    assert not FeedbackItem.objects.get(text="Good minutes").for_facilitator_only
    for client, sees in ((member_client, True), (leader_client, True), (manager_client, False)):
        page = client.get(url(session)).content.decode()
        assert ("Meetings run long" in page) is sees
        assert "Good minutes" in page
    # not through the entry's own address either
    assert manager_client.get(f"/meetings/log/feedback/{private.pk}/edit/").status_code == 404
    assert (
        manager_client.get(f"/meetings/log/feedback/{private.pk}/", HTTP_HX_REQUEST="true")
    ).status_code == 404


def test_feedback_without_an_audience_is_refused(session, member_client):
    response = member_client.post(url(session, "add/feedback/"), {"my-feedback-text": "Hm"})
    assert response.status_code == 400
    assert "Choose who sees it." in response.content.decode()
    assert not FeedbackItem.objects.exists()


# --- changing one's own, and only one's own --------------------------------------------------


@pytest.fixture
def mias_item(session, member_client):
    member_client.post(url(session, "add/agenda/"), agenda_post("Parking at the depot"))
    return AgendaItem.objects.get()


def test_a_member_edits_and_deletes_their_own_agenda_item(session, member_client, mias_item):
    edit = f"/meetings/contributions/agenda/{mias_item.pk}/edit/"
    assert member_client.get(edit).status_code == 200
    response = member_client.post(
        edit,
        {
            f"my-agenda-{mias_item.pk}-part": "feedback",
            f"my-agenda-{mias_item.pk}-text": "Parking, again",
            f"my-agenda-{mias_item.pk}-version": 1,
        },
    )
    assert response.status_code == 302
    mias_item.refresh_from_db()
    assert (mias_item.part, mias_item.text, mias_item.version) == ("feedback", "Parking, again", 2)
    delete = f"/meetings/contributions/agenda/{mias_item.pk}/delete/"
    assert "Delete the agenda item" in member_client.get(delete).content.decode()
    assert member_client.post(delete).status_code == 302
    assert not AgendaItem.objects.exists()
    assert AuditEntry.objects.filter(object_type="agenda_item", action="removed").exists()


def test_another_member_cannot_change_it_but_the_facilitator_can(
    session, org, client, mias_item, leader_client
):
    other = OrgMembershipFactory(
        organization=org,
        role=Role.MEMBER,
        member=PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Olga Other"),
    )
    session.attendees.add(other.member)
    client.force_login(other.user)
    edit = f"/meetings/contributions/agenda/{mias_item.pk}/edit/"
    delete = f"/meetings/contributions/agenda/{mias_item.pk}/delete/"
    assert client.get(edit).status_code == 403
    assert client.post(delete).status_code == 403
    assert "/edit/" not in client.get(url(session)).content.decode().split('id="agenda"')[1][:3000]
    assert AgendaItem.objects.exists()
    assert leader_client.post(delete).status_code == 302
    assert not AgendaItem.objects.exists()


def test_once_the_session_is_held_a_member_adds_and_changes_nothing(
    session, member_client, mias_item
):
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    page = member_client.get(url(session)).content.decode()
    assert "Add to the agenda" not in page
    assert member_client.post(url(session, "add/agenda/"), agenda_post("Late")).status_code == 403
    edit = f"/meetings/contributions/agenda/{mias_item.pk}/edit/"
    assert member_client.get(edit).status_code == 403
    assert AgendaItem.objects.count() == 1


# --- other partnerships, other organizations -------------------------------------------------


def test_a_member_of_another_partnership_gets_404(session, org, client, mias_item):
    elsewhere = PartnershipFactory(organization=org, name="Other partnership")
    outsider = OrgMembershipFactory(
        organization=org,
        role=Role.MEMBER,
        member=PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES),
    )
    boss = PersonFactory(organization=org, quadrant=Quadrant.MANAGERS)
    RelationshipFactory(partnership=elsewhere, from_member=boss, to_member=outsider.member)
    SessionFactory(partnership=elsewhere, facilitator=boss, attendees=[boss, outsider.member])
    client.force_login(outsider.user)
    assert client.get(url(session)).status_code == 404
    assert client.post(url(session, "add/agenda/"), agenda_post("Mine")).status_code == 404
    edit = f"/meetings/contributions/agenda/{mias_item.pk}/edit/"
    assert client.get(edit).status_code == 404
    assert AgendaItem.objects.count() == 1


def test_another_organization_gets_404(session, outsider_client, mias_item):
    assert outsider_client.post(url(session, "add/agenda/"), agenda_post("X")).status_code == 404
    edit = f"/meetings/contributions/agenda/{mias_item.pk}/edit/"
    assert outsider_client.get(edit).status_code == 404


def test_my_sessions_lists_a_members_upcoming_session(session, member_client):
    page = member_client.get("/meetings/?quarter=2026Q1").content.decode()
    assert "My sessions" in page
    assert url(session) in page
