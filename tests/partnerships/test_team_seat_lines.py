"""Seating someone on a team gives the team its direct line to them in Team stewardship (on by
default), so that the seat reaches them; taking the line away again ends it."""

from __future__ import annotations

import datetime

import pytest

from org.models import AuditEntry, Quadrant, TeamMembership
from partnerships import services
from partnerships.models import Relationship
from tests.factories import PartnershipFactory, PersonFactory, TeamFactory


@pytest.fixture
def stewardship(org):
    return PartnershipFactory(organization=org, name="Team stewardship")


@pytest.fixture
def dock(org):
    return TeamFactory(organization=org, name="Dock Team")


@pytest.fixture
def nina(org):
    return PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Nina New")


def seat(client, team, person, **extra):
    data = {"action": "add", "person": person.pk, **extra}
    return client.post(f"/org/members/{team.pk}/seat/", data)


def test_seating_an_employee_gives_the_team_its_line(admin_client, stewardship, dock, nina, org):
    response = seat(admin_client, dock, nina, line="on")

    assert response.status_code == 302
    assert TeamMembership.objects.filter(team=dock, person=nina).exists()
    line = Relationship.objects.get(from_member=dock, to_member=nina)
    assert (line.partnership, line.type, line.starts_on) == (stewardship, "direct", org.today())
    page = admin_client.get(f"/org/members/{dock.pk}/people/").content.decode()
    assert "Added Nina New. Dock Team directs them in Team stewardship." in page
    assert AuditEntry.objects.filter(object_type="relationship", action="added").count() == 1


def test_without_the_box_the_seat_alone_is_made(admin_client, stewardship, dock, nina):
    response = seat(admin_client, dock, nina)

    assert response.status_code == 302
    assert TeamMembership.objects.filter(team=dock, person=nina).exists()
    assert not Relationship.objects.filter(to_member=nina).exists()


def test_the_page_offers_the_line_ticked(admin_client, dock):
    page = admin_client.get(f"/org/members/{dock.pk}/people/").content.decode()

    assert 'name="line" value="on" checked' in page
    assert f'action="/org/members/{dock.pk}/seat/"' in page


def test_a_manager_on_a_team_gets_no_line(admin_client, stewardship, dock, org):
    boss = PersonFactory(organization=org, quadrant=Quadrant.MANAGERS, name="Mo Manager")

    assert seat(admin_client, dock, boss, line="on").status_code == 302
    assert TeamMembership.objects.filter(team=dock, person=boss).exists()
    assert not Relationship.objects.filter(to_member=boss).exists()


def test_without_a_team_stewardship_partnership_the_seat_is_made_alone(admin_client, dock, nina):
    assert seat(admin_client, dock, nina, line="on").status_code == 302
    assert TeamMembership.objects.filter(team=dock, person=nina).exists()
    assert not Relationship.objects.exists()


def test_a_refused_seat_makes_no_line(admin_client, stewardship, dock, nina):
    seat(admin_client, dock, nina, line="on")

    response = seat(admin_client, dock, nina, line="on")

    assert response.status_code == 200
    assert "Nina New already sits on Dock Team." in response.content.decode()
    assert Relationship.objects.filter(to_member=nina).count() == 1


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_admins_seat_people(role_clients, role, stewardship, dock, nina):
    assert seat(role_clients[role], dock, nina, line="on").status_code == 403
    assert not TeamMembership.objects.exists()
    assert not Relationship.objects.exists()


def test_ending_the_seats_line_ends_it_from_that_day(stewardship, dock, nina, org):
    start = datetime.date(2025, 1, 6)
    services.team_seat_line_add(team=dock, person=nina, on=start)

    ended = services.team_seat_line_end(team=dock, person=nina, on=start + datetime.timedelta(7))

    assert ended.ends_on == datetime.date(2025, 1, 13)
    assert Relationship.objects.get(to_member=nina).ends_on == datetime.date(2025, 1, 13)


def test_taking_someone_off_the_team_ends_its_line_and_undo_seats_them_again(
    admin_client, stewardship, dock, nina, org
):
    seat(admin_client, dock, nina, line="on")
    # The seat and its line were made today: taking them off today means the line never was.
    response = admin_client.post(
        f"/org/members/{dock.pk}/seat/",
        {"action": "remove", "person": nina.pk},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert (
        "Took Nina New off the team. Dock Team&#x27;s line to them in Team stewardship ended."
        in page
    )
    assert not TeamMembership.objects.filter(team=dock, person=nina).exists()
    assert not Relationship.objects.filter(from_member=dock, to_member=nina).exists()
    # The Undo in that message seats them again, with the line.
    assert 'name="action" value="add"' in page and 'name="line" value="on"' in page
    seat(admin_client, dock, nina, line="on")
    assert TeamMembership.objects.filter(team=dock, person=nina).exists()
    assert Relationship.objects.filter(from_member=dock, to_member=nina, ends_on=None).exists()


def test_the_remove_buttons_take_the_line_with_them(admin_client, dock, nina):
    seat(admin_client, dock, nina)
    page = admin_client.get(f"/org/members/{dock.pk}/people/").content.decode()
    assert 'name="action" value="remove"' in page
    assert page.count(f'action="/org/members/{dock.pk}/seat/"') == 2  # Remove Nina, and Add
