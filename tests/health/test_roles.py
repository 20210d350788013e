"""Who sees which health: leaders and admins the whole organization, managers and members the
partnerships they belong to; other organizations' objectives are 404, as on the diagram."""

from __future__ import annotations

import pytest

from org.models import Role
from tests.factories import OrgMembershipFactory
from tests.health.conftest import AS_OF


def test_it_requires_login(world, client):
    response = client.get("/health/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/health/"


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_it_shows_the_whole_organization_to_leaders_and_admins(world, role_clients, role):
    html = role_clients[role].get(f"/health/?{AS_OF}").content.decode()

    assert "<bdi>Acme Logistics</bdi>,\n    as of 3 Mar 2025" in html
    assert '<span class="figure">7 of 8</span> members reached' in html
    assert "Olga Alone" in html
    assert "Sam Supervisor" in html
    assert "You see the partnerships you belong to" not in html


@pytest.mark.parametrize("role", ["manager", "member"])
def test_it_limits_managers_and_members_to_their_partnerships(world, role_clients, role):
    response = role_clients[role].get(f"/health/?{AS_OF}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your partnerships,\n    as of 3 Mar 2025" in html
    assert "You see the partnerships you belong to" in html
    # Max and Mia belong to the quality crew only: its four members, none of the cost crew.
    assert '<span class="figure">4 of 4</span> members reached' in html
    for outside in ("Olga Alone", "Sam Supervisor", "Yard Team", "Cost crew", "Lower cost"):
        assert outside not in html


@pytest.mark.parametrize("role", ["manager", "member"])
def test_it_answers_404_for_an_objective_of_partnerships_they_do_not_belong_to(
    world, role_clients, role
):
    response = role_clients[role].get(f"/health/?objective={world.cost.pk}&{AS_OF}")

    assert response.status_code == 404
    assert "Sam Supervisor" not in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "member"])
def test_it_analyses_an_objective_they_can_see(world, role_clients, role):
    response = role_clients[role].get(f"/health/?objective={world.quality.pk}&{AS_OF}")

    assert response.status_code == 200
    assert '<span class="figure">4 of 4</span> members reached' in response.content.decode()


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "member", "outsider"])
def test_it_answers_404_for_another_organizations_objective(world, role_clients, role):
    foreign = world.quality.pk if role == "outsider" else 999_999
    response = role_clients[role].get(f"/health/?objective={foreign}&{AS_OF}")

    assert response.status_code == 404
    assert "On-time quality" not in response.content.decode()


def test_it_shows_the_outsider_only_their_own_organization(world, outsider_client):
    html = outsider_client.get(f"/health/?{AS_OF}").content.decode()

    assert "<bdi>Globex Rival</bdi>,\n    as of 3 Mar 2025" in html
    assert "This organization has no relationship active on 3 Mar 2025 yet." in html
    for name in ("Acme Logistics", "On-time quality", "Olga Alone", "Lee Leader"):
        assert name not in html


def test_it_shows_a_login_without_a_member_an_empty_analysis(world, org, client):
    membership = OrgMembershipFactory(organization=org, role=Role.MANAGER, member=None)
    client.force_login(membership.user)

    html = client.get(f"/health/?{AS_OF}").content.decode()

    assert "You belong to no partnership with a relationship active on 3 Mar 2025." in html
    assert "Olga Alone" not in html


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "member"])
def test_every_role_finds_the_page_in_the_navigation(world, role_clients, role):
    html = role_clients[role].get("/org/members/").content.decode()

    assert '<li><a href="/health/" >Health</a></li>' in html
