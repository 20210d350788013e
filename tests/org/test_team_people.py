"""Admins manage a team's people, in place with HTMX and without JavaScript."""

from __future__ import annotations

import datetime

import pytest

from org.models import Member, TeamMembership
from tests.factories import PersonFactory, TeamFactory, TeamMembershipFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def team(org):
    return TeamFactory(organization=org, name="Night Shift")


@pytest.fixture
def ada(org):
    return PersonFactory(organization=org, name="Ada Lovelace")


def seated(team) -> list[str]:
    return sorted(TeamMembership.objects.filter(team=team).values_list("person__name", flat=True))


def test_it_requires_login(client, team):
    response = client.get(f"/org/members/{team.pk}/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_shows_the_page_to_admins(admin_client, team, ada):
    TeamMembershipFactory(team=team, person__name="Grace Hopper")
    response = admin_client.get(f"/org/members/{team.pk}/people/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>People on Night Shift</h1>" in page
    assert "Grace Hopper" in page
    assert f'<option value="{ada.pk}">Ada Lovelace (Employees)</option>' in page


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_non_admins_are_refused(role, role_clients, team, ada):
    client = role_clients[role]
    assert client.get(f"/org/members/{team.pk}/people/").status_code == 403
    response = client.post(f"/org/members/{team.pk}/people/", {"action": "add", "person": ada.pk})
    assert response.status_code == 403
    assert seated(team) == []


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "member"])
def test_another_organizations_team_is_404(role, role_clients, other_org, ada):
    theirs = TeamFactory(organization=other_org)
    url = f"/org/members/{theirs.pk}/people/"
    assert role_clients[role].get(url).status_code == 404
    assert role_clients[role].post(url, {"action": "add", "person": ada.pk}).status_code == 404
    assert seated(theirs) == []


def test_a_person_has_no_people_page(admin_client, ada):
    assert admin_client.get(f"/org/members/{ada.pk}/people/").status_code == 404


def test_it_adds_a_person_in_place_with_htmx(admin_client, team, ada):
    response = admin_client.post(
        f"/org/members/{team.pk}/people/", {"action": "add", "person": ada.pk}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section class="card" id="team-people"')
    assert "<html" not in page
    assert "Added Ada Lovelace." in page
    assert f'<input type="hidden" name="person" value="{ada.pk}">' in page  # her remove button
    assert seated(team) == ["Ada Lovelace"]
    assert TeamMembership.objects.get().organization == team.organization


def test_it_adds_a_person_without_javascript(admin_client, team, ada):
    response = admin_client.post(
        f"/org/members/{team.pk}/people/", {"action": "add", "person": ada.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/org/members/{team.pk}/people/"
    assert seated(team) == ["Ada Lovelace"]


def test_it_removes_a_person(admin_client, team, ada):
    TeamMembershipFactory(team=team, person=ada)
    response = admin_client.post(
        f"/org/members/{team.pk}/people/", {"action": "remove", "person": ada.pk}, **HTMX
    )
    assert response.status_code == 200
    assert "Took Ada Lovelace off the team." in response.content.decode()
    assert seated(team) == []
    assert Member.objects.filter(pk=ada.pk).exists()  # only the seat goes


def test_the_add_list_offers_only_active_people_not_yet_on_the_team(admin_client, org, team, ada):
    TeamMembershipFactory(team=team, person__name="Already Seated")
    PersonFactory(organization=org, name="Long Gone", active_until=datetime.date(2021, 1, 1))
    TeamFactory(organization=org, name="Day Shift")
    page = admin_client.get(f"/org/members/{team.pk}/people/").content.decode()
    select = page[page.index("<select") : page.index("</select>")]
    assert "Ada Lovelace" in select
    for absent in ["Already Seated", "Long Gone", "Day Shift"]:
        assert absent not in select


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("on_team", "Ada Lovelace already sits on Night Shift."),
        ("archived", "Old Timer is not active today and cannot join a team."),
        ("a_team", "Day Shift is a team; only people sit on teams."),
        ("foreign", "That person is not in this organization."),
        ("missing", "Choose a person."),
    ],
)
def test_a_bad_addition_is_refused_with_a_message(
    admin_client, org, other_org, team, ada, case, message
):
    TeamMembershipFactory(team=team, person=ada)
    person = {
        "on_team": lambda: ada.pk,
        "archived": lambda: (
            PersonFactory(
                organization=org, name="Old Timer", active_until=datetime.date(2021, 1, 1)
            ).pk
        ),
        "a_team": lambda: TeamFactory(organization=org, name="Day Shift").pk,
        "foreign": lambda: PersonFactory(organization=other_org).pk,
        "missing": lambda: "",
    }[case]()
    response = admin_client.post(
        f"/org/members/{team.pk}/people/", {"action": "add", "person": person}, **HTMX
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert seated(team) == ["Ada Lovelace"]


def test_removing_someone_not_on_the_team_is_refused(admin_client, team, ada):
    response = admin_client.post(
        f"/org/members/{team.pk}/people/", {"action": "remove", "person": ada.pk}
    )
    assert response.status_code == 200
    assert "Ada Lovelace does not sit on Night Shift." in response.content.decode()
