"""The session page is kept in the cache under the organization's data versions (issue 20):
whatever changes what a person may see or what the page shows must show at once, whoever
writes it (a view, a service, a bulk update, the admin site), without the cache being
cleared. Each test asks for the page once (so that it is kept), writes through the ORM as a
script or the admin site would, and asks again."""

from __future__ import annotations

import pytest

from meetings.models import (
    ActionItem,
    AgendaItem,
    FeedbackItem,
    ObjectiveProgress,
    Session,
    SessionAgenda,
)
from org.models import Member, OrgMembership, Role
from partnerships.models import Objective, Relationship
from tests.factories import ActionItemFactory, PersonFactory, SuccessFactory

from .test_session_log import url


@pytest.fixture
def kept_page(session, manager_client):
    """The manager's page of the session, asked once so that it is kept."""
    page = manager_client.get(url(session))
    assert page.status_code == 200
    return page.content.decode()


def again(client, session) -> str:
    response = client.get(url(session))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_entry_of_each_kind_shows_at_once(session, manager_client, kept_page, org):
    lee = session.facilitator
    SuccessFactory(session=session, text="Shipped the kiosk", shared_by=lee)
    assert "Shipped the kiosk" in again(manager_client, session)
    FeedbackItem.objects.create(organization=org, session=session, text="More time for Q&A")
    assert "More time for Q&amp;A" in again(manager_client, session)
    ActionItemFactory(session=session, owner=lee, text="Call the supplier")
    assert "Call the supplier" in again(manager_client, session)
    AgendaItem.objects.create(
        organization=org, session=session, part="objectives", text="Budget for spring"
    )
    assert "Budget for spring" in again(manager_client, session)
    objective = session.partnership.objective
    ObjectiveProgress.objects.create(
        organization=org, session=session, objective=objective, call="on_track"
    )
    assert objective.title in again(manager_client, session)


def test_an_edit_or_a_delete_shows_at_once(session, manager_client, org):
    item = ActionItemFactory(session=session, owner=session.facilitator, text="Draft the memo")
    assert "Draft the memo" in again(manager_client, session)
    ActionItem.objects.filter(pk=item.pk).update(text="Send the memo")
    page = again(manager_client, session)
    assert "Send the memo" in page and "Draft the memo" not in page
    ActionItem.objects.filter(pk=item.pk).delete()
    assert "Send the memo" not in again(manager_client, session)


def test_the_sessions_own_row_and_its_agenda_minutes_show_at_once(
    session, manager_client, kept_page
):
    assert "Harbour room" not in kept_page
    Session.objects.filter(pk=session.pk).update(place="Harbour room")
    assert "Harbour room" in again(manager_client, session)
    SessionAgenda.objects.create(
        organization=session.organization,
        session=session,
        successes_minutes=10,
        objectives_minutes=50,
        feedback_minutes=20,
        close_minutes=10,
    )
    assert "50 min" in again(manager_client, session)


def test_a_renamed_person_or_objective_shows_at_once(session, manager_client, kept_page):
    lee = session.facilitator
    Member.objects.filter(pk=lee.pk).update(name="Leona Renamed")
    assert "Leona Renamed" in again(manager_client, session)
    objective = session.partnership.objective
    Objective.objects.filter(pk=objective.pk).update(title="Quality, renamed")
    assert "Quality, renamed" in again(manager_client, session)


def test_who_is_no_longer_in_the_partnership_gets_404(session, manager_client, manager_membership):
    """The manager attends nothing and was in the partnership only by relationships: once
    they are gone (deleted, not ended: who left keeps reading), the kept page is not served."""
    session.attendees.remove(manager_membership.member)
    assert again(manager_client, session)
    Relationship.objects.filter(from_member=manager_membership.member).delete()
    Relationship.objects.filter(to_member=manager_membership.member).delete()
    assert manager_client.get(url(session)).status_code == 404


def test_a_changed_role_changes_what_the_page_offers(
    session, manager_client, manager_membership, kept_page
):
    """A role is no data version: it is part of the key."""
    assert "Mark held" in kept_page
    OrgMembership.objects.filter(pk=manager_membership.pk).update(role=Role.MEMBER)
    assert "Mark held" not in again(manager_client, session)


def test_two_people_do_not_share_a_kept_page(session, manager_client, member_client, org):
    """Feedback for the facilitator only: the member who wrote it sees it, the manager not,
    whichever asked first."""
    member = Member.objects.get(pk=session.attendees.exclude(pk=session.facilitator_id).last().pk)
    author = OrgMembership.objects.get(member=member).user
    FeedbackItem.objects.create(
        organization=org,
        session=session,
        text="Only for the facilitator",
        from_member=member,
        author=author,
        for_facilitator_only=True,
    )
    writer = member_client.get(url(session)).content.decode()
    reader = manager_client.get(url(session)).content.decode()
    if "Only for the facilitator" in writer:
        assert "Only for the facilitator" not in reader
    else:  # the author was the manager's person: the other way round
        assert "Only for the facilitator" in reader


def test_a_new_attendee_shows_at_once(session, manager_client, kept_page, org):
    """Attendees are written with their session's row (the services), so its version moves."""
    from meetings.services import session_mark_held

    newcomer = PersonFactory(organization=org, name="Nia Newcomer")
    session_mark_held(
        session=session, version=session.version, attendees=[*session.attendees.all(), newcomer]
    )
    assert "Nia Newcomer" in again(manager_client, session)


def test_who_only_attends_sees_the_previous_session_they_attended_and_no_other(
    session, org, client, triad, leader_membership
):
    """A manager outside the partnership, invited to this session: the page's "since the
    last session" names only an earlier session they attended too (the path that asks which
    sessions involve them, not the partnership's)."""
    import datetime

    from tests.factories import OrgMembershipFactory, SessionFactory

    guest = OrgMembershipFactory(
        organization=org,
        role=Role.MANAGER,
        member=PersonFactory(organization=org, quadrant="M", name="Gil Guest"),
    )
    lee = leader_membership.member
    attended = SessionFactory(
        partnership=triad,
        facilitator=lee,
        starts_at=datetime.datetime(2025, 8, 12, 9, 0, tzinfo=datetime.UTC),
        attendees=[lee, guest.member],
    )
    Session.objects.filter(pk=attended.pk).update(status=Session.Status.HELD)
    session.attendees.add(guest.member)
    client.force_login(guest.user)
    assert "FY2025 Q3" in again(client, session)
    SessionFactory(  # a later one of the partnership, without the guest
        partnership=triad,
        facilitator=lee,
        starts_at=datetime.datetime(2025, 11, 12, 9, 0, tzinfo=datetime.UTC),
        attendees=[lee],
        status=Session.Status.HELD,
    )
    page = again(client, session)
    assert "FY2025 Q3" in page and "FY2025 Q4" not in page
