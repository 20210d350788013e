"""The people & teams page: grouped by quadrant, searchable, paginated, for every role."""

from __future__ import annotations

import datetime
import re

import pytest

from org.models import Member, Quadrant, TeamMembership
from tests.factories import PersonFactory, TeamFactory, TeamMembershipFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def headings(page: str) -> list[str]:
    return re.findall(r'<h2 id="quadrant-(\w)">', page)


def test_it_requires_login(client, org):
    response = client.get("/org/members/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/org/members/"


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "member", "outsider"])
def test_it_is_readable_by_every_role_and_shows_only_their_organization(
    role, role_clients, org, other_org
):
    PersonFactory(organization=org, name="Ours Only")
    PersonFactory(organization=other_org, name="Theirs Only")
    response = role_clients[role].get("/org/members/")
    assert response.status_code == 200
    page = response.content.decode()
    if role == "outsider":
        assert "Theirs Only" in page
        assert "Ours Only" not in page
    else:
        assert "Ours Only" in page
        assert "Theirs Only" not in page


def test_it_groups_members_by_quadrant_in_order_with_counts(admin_client, org):
    PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Eve Employee")
    PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Ed Employee")
    PersonFactory(organization=org, quadrant=Quadrant.MANAGERS, name="Mo Manager")
    PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP, name="Lia Leader")
    TeamFactory(organization=org, name="Night Shift")

    page = admin_client.get("/org/members/").content.decode()

    assert headings(page) == ["L", "M", "T", "E"]
    assert '<section class="quadrant-group q-E"' in page
    assert re.search(r'Employees</h2>\s*<span class="muted count">2 people</span>', page)
    assert re.search(r'Teams</h2>\s*<span class="muted count">1 team</span>', page)
    assert page.index("Ed Employee") < page.index("Eve Employee")


def test_it_links_each_member_to_its_page(admin_client, org):
    person = PersonFactory(organization=org, name="Pat Person")
    page = admin_client.get("/org/members/").content.decode()
    assert f'<a href="/org/members/{person.pk}/"><bdi>Pat Person</bdi></a>' in page


def test_it_shows_a_teams_size(admin_client, org):
    team = TeamFactory(organization=org, name="Night Shift")
    TeamMembershipFactory.create_batch(3, team=team)
    page = admin_client.get("/org/members/").content.decode()
    assert re.search(r"Night Shift</bdi></a>\s*<span class=\"muted\">3 people</span>", page)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("grace", "Grace Hopper"),
        ("admiral", "Grace Hopper"),
        ("hopper@navy", "Grace Hopper"),
        ("cobol", "Grace Hopper"),  # the name of a team she sits on
        ("COBOL Crew", "COBOL Crew"),
    ],
)
def test_it_searches_by_name_title_email_and_team_name(admin_client, org, query, expected):
    grace = PersonFactory(
        organization=org, name="Grace Hopper", title="Rear Admiral", email="hopper@navy.example"
    )
    PersonFactory(organization=org, name="Alan Turing", title="Mathematician")
    team = TeamFactory(organization=org, name="COBOL Crew")
    TeamMembershipFactory(team=team, person=grace)

    page = admin_client.get("/org/members/", {"q": query}).content.decode()

    assert expected in page
    assert "Alan Turing" not in page


def test_search_by_team_name_lists_each_person_once(admin_client, org):
    person = PersonFactory(organization=org, name="Twice Seated")
    for name in ["Loading A", "Loading B"]:
        TeamMembershipFactory(team=TeamFactory(organization=org, name=name), person=person)
    page = admin_client.get("/org/members/", {"q": "loading"}).content.decode()
    assert page.count("Twice Seated") == 1


def test_it_filters_by_quadrant_and_keeps_the_counts_of_all_quadrants(admin_client, org):
    PersonFactory(organization=org, quadrant=Quadrant.MANAGERS, name="Mo Manager")
    PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Eve Employee")
    page = admin_client.get("/org/members/", {"quadrant": "M"}).content.decode()
    assert headings(page) == ["M"]
    assert "Eve Employee" not in page
    assert re.search(r"Employees</span> <span class=\"count\">1</span>", page)


def test_it_hides_archived_members_unless_asked(admin_client, org):
    PersonFactory(organization=org, name="Gone Person", active_until=datetime.date(2021, 1, 1))
    PersonFactory(organization=org, name="Still Here")

    page = admin_client.get("/org/members/").content.decode()
    assert "Gone Person" not in page
    assert "Still Here" in page

    page = admin_client.get("/org/members/", {"archived": "on"}).content.decode()
    assert "Gone Person" in page
    assert "archived" in page


def test_it_returns_only_the_results_fragment_to_htmx(admin_client, org):
    PersonFactory(organization=org, name="Pat Person")
    response = admin_client.get("/org/members/", {"q": "pat"}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="results"')
    assert "<html" not in page
    assert "Pat Person" in page


def test_htmx_restoring_history_gets_the_whole_page(admin_client, org):
    response = admin_client.get(
        "/org/members/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_a_full_request_gets_the_whole_page(admin_client, org):
    page = admin_client.get("/org/members/").content.decode()
    assert "<html" in page
    assert 'id="results"' in page
    assert 'role="search"' in page


def test_it_paginates_with_and_without_htmx(admin_client, org):
    Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"Person {i:03}") for i in range(60)
    )
    first = admin_client.get("/org/members/").content.decode()
    assert "Person 049" in first
    assert "Person 050" not in first
    assert "Page 1 of 2" in first
    assert 'href="?page=2"' in first
    assert 'hx-get="/org/members/?page=2"' in first

    second = admin_client.get("/org/members/", {"page": 2}, **HTMX).content.decode()
    assert "<html" not in second
    assert "Person 050" in second
    assert "Person 049" not in second
    assert 'href="?page=1"' in second


def test_pagination_keeps_the_search(admin_client, org):
    Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"Welder {i:03}") for i in range(55)
    )
    page = admin_client.get("/org/members/", {"q": "welder"}).content.decode()
    assert 'href="?q=welder&amp;page=2"' in page


def test_it_shows_an_empty_state(admin_client, org):
    page = admin_client.get("/org/members/").content.decode()
    assert "no people or teams yet" in page
    assert "Add the first person" in page

    page = admin_client.get("/org/members/", {"q": "nobody"}).content.decode()
    assert "No people or teams match “nobody”." in page


def test_it_refuses_an_invalid_filter(admin_client):
    assert admin_client.get("/org/members/", {"quadrant": "X"}).status_code == 400
    assert admin_client.get("/org/members/", {"page": "zero"}).status_code == 400


@pytest.mark.parametrize(
    ("role", "sees_buttons"),
    [("admin", True), ("leader", False), ("manager", False), ("member", False)],
)
def test_it_offers_add_buttons_only_to_admins(role, sees_buttons, role_clients):
    page = role_clients[role].get("/org/members/").content.decode()
    assert ('href="/org/members/new/?kind=person"' in page) is sees_buttons
    assert ('href="/org/members/new/?kind=team"' in page) is sees_buttons


def _populate(org, count: int) -> None:
    """`count` members spread over the quadrants, teams with people, one bulk insert each."""
    quadrants = ["L", "M", "T", "E", "E", "E"]
    Member.objects.bulk_create(
        Member(
            organization=org,
            kind="team" if quadrants[i % 6] == "T" else "person",
            quadrant=quadrants[i % 6],
            name=f"Member {i:05}",
            external_id=f"X{i}",
        )
        for i in range(count)
    )
    members = list(Member.objects.for_org(org))
    teams = [m for m in members if m.is_team]
    people = [m for m in members if not m.is_team]
    TeamMembership.objects.bulk_create(
        TeamMembership(organization=org, team=teams[i % len(teams)], person=person)
        for i, person in enumerate(people)
    )


@pytest.mark.parametrize("count", [10, 1000])
def test_the_members_page_costs_the_same_queries_for_10_and_1000(
    count, admin_client, org, django_assert_num_queries
):
    _populate(org, count)
    # session, user, the user's roles, per-quadrant counts, page count, the page of members
    with django_assert_num_queries(6):
        response = admin_client.get("/org/members/")
    assert response.status_code == 200
    with django_assert_num_queries(6):
        admin_client.get("/org/members/", {"q": "member 0", "page": 2}, **HTMX)
