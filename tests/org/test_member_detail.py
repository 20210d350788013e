"""A member's page: the facts, a team's people or a person's teams, readable in the organization."""

from __future__ import annotations

import datetime

import pytest

from org.models import Member, QuadrantMove, TeamMembership
from tests.factories import (
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    TeamFactory,
    TeamMembershipFactory,
)


@pytest.fixture
def grace(org):
    return PersonFactory(
        organization=org,
        quadrant="M",
        name="Grace Hopper",
        title="Rear Admiral",
        email="grace@example.com",
        external_id="HR-1906",
        active_from=datetime.date(2021, 3, 1),
    )


def test_it_requires_login(client, grace):
    response = client.get(f"/org/members/{grace.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/org/members/{grace.pk}/"


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("leader", 200), ("manager", 200), ("member", 200), ("outsider", 404)],
)
def test_every_role_of_the_organization_reads_it_and_an_outsider_gets_404(
    role, status, role_clients, grace
):
    response = role_clients[role].get(f"/org/members/{grace.pk}/")
    assert response.status_code == status
    if status == 404:
        assert b"Grace Hopper" not in response.content


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "member"])
def test_another_organizations_member_is_404_for_every_role(role, role_clients, other_org):
    theirs = PersonFactory(organization=other_org, name="Their Secret")
    response = role_clients[role].get(f"/org/members/{theirs.pk}/")
    assert response.status_code == 404
    assert b"Their Secret" not in response.content


def test_it_shows_a_persons_facts_and_teams(member_client, org, grace):
    team = TeamFactory(organization=org, name="COBOL Crew")
    TeamMembershipFactory(team=team, person=grace)
    TeamFactory(organization=org, name="Other Crew")

    page = member_client.get(f"/org/members/{grace.pk}/").content.decode()

    for fact in [
        "Managers",
        "Person",
        "Rear Admiral",
        "grace@example.com",
        "HR-1906",
        "1 Mar 2021",
    ]:
        assert fact in page
    assert f'<a href="/org/members/{team.pk}/"><bdi>COBOL Crew</bdi></a>' in page
    assert "Other Crew" not in page


def test_it_shows_a_teams_people(member_client, org):
    team = TeamFactory(organization=org, name="COBOL Crew")
    TeamMembershipFactory(team=team, person__name="Ada Lovelace")
    PersonFactory(organization=org, name="Not On It")

    page = member_client.get(f"/org/members/{team.pk}/").content.decode()

    assert "People on <bdi>COBOL Crew</bdi>" in page
    assert "Ada Lovelace" in page
    assert "Not On It" not in page


def test_it_shows_the_quadrant_history(member_client, grace, leader_membership):
    QuadrantMove.objects.create(
        organization=grace.organization,
        member=grace,
        from_quadrant="E",
        to_quadrant="M",
        moved_on=datetime.date(2024, 5, 2),
        moved_by=leader_membership.user,
    )
    page = member_client.get(f"/org/members/{grace.pk}/").content.decode()
    assert "Quadrant history" in page
    assert "2 May 2024" in page
    assert "Lee Leader" in page  # who moved them: the person, not the login "lee_leader"
    assert "lee_leader" not in page


@pytest.mark.parametrize(
    ("role", "sees_actions"),
    [("admin", True), ("leader", False), ("manager", False), ("member", False)],
)
def test_it_shows_the_admin_actions_only_to_admins(role, sees_actions, role_clients, grace, org):
    team = TeamFactory(organization=org, name="COBOL Crew")
    page = role_clients[role].get(f"/org/members/{grace.pk}/").content.decode()
    assert (f'href="/org/members/{grace.pk}/edit/"' in page) is sees_actions
    assert (f'href="/org/members/{grace.pk}/archive/"' in page) is sees_actions
    assert (f'href="/org/members/{grace.pk}/move/"' in page) is sees_actions
    page = role_clients[role].get(f"/org/members/{team.pk}/").content.decode()
    assert (f'action="/org/members/{team.pk}/seat/"' in page) is sees_actions


def test_a_team_offers_no_move(admin_client, org):
    team = TeamFactory(organization=org)
    page = admin_client.get(f"/org/members/{team.pk}/").content.decode()
    assert f"/org/members/{team.pk}/move/" not in page


@pytest.mark.parametrize("people", [2, 40])
def test_a_teams_page_costs_the_same_queries_for_few_and_many_people(
    people, admin_client, org, django_assert_num_queries
):
    team = TeamFactory(organization=org)
    Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"P{i}") for i in range(people)
    )
    TeamMembership.objects.bulk_create(
        TeamMembership(organization=org, team=team, person=p)
        for p in Member.objects.filter(name__startswith="P")
    )
    # session, user, roles, the team, its moves, its partnerships, its people (the add form
    # lists nobody until a name is typed)
    with django_assert_num_queries(7):
        response = admin_client.get(f"/org/members/{team.pk}/")
    assert response.content.decode().count('name="action" value="remove"') == people


def test_it_lists_the_partnerships_that_reach_the_person_and_by_which_channel(
    leader_client, org, grace
):
    partnership = PartnershipFactory(organization=org, name="Quality first")
    lead = PersonFactory(organization=org, quadrant="L", name="Lin Leader")
    RelationshipFactory(partnership=partnership, from_member=lead, to_member=grace)
    page = leader_client.get(f"/org/members/{grace.pk}/").content.decode()
    assert "Quality first" in page
    assert "Lin Leader" in page
    assert f'href="/diagram/members/{grace.pk}/"' in page
    # with htmx the drawing of the member's place loads into the page
    assert f'hx-get="/diagram/members/{grace.pk}/" hx-trigger="load"' in page


def test_a_member_does_not_see_partnerships_they_are_not_in(member_client, org, grace):
    partnership = PartnershipFactory(organization=org, name="Secret venture")
    lead = PersonFactory(organization=org, quadrant="L", name="Lin Leader")
    RelationshipFactory(partnership=partnership, from_member=lead, to_member=grace)
    page = member_client.get(f"/org/members/{grace.pk}/").content.decode()
    assert "Secret venture" not in page
    assert "belongs to no partnership you can see" in page


@pytest.mark.parametrize("partners", [2, 40])
def test_a_persons_page_costs_the_same_queries_for_few_and_many_partnerships(
    partners, leader_client, org, grace, django_assert_num_queries
):
    for i in range(partners):
        partnership = PartnershipFactory(organization=org, name=f"Venture {i}")
        lead = PersonFactory(organization=org, quadrant="L", name=f"Lead {i}")
        RelationshipFactory(partnership=partnership, from_member=lead, to_member=grace)
    # session, user, roles, the person, their moves, their partnerships, their teams
    with django_assert_num_queries(7):
        response = leader_client.get(f"/org/members/{grace.pk}/")
    assert response.content.decode().count("Venture ") == partners
