"""Admins manage a team's people, in place with HTMX and without JavaScript.

The person to add is found by typing part of a name or title, never picked from a list of the
whole organization.
"""

from __future__ import annotations

import datetime

import pytest

from org.models import Member, TeamMembership
from tests.factories import PersonFactory, TeamFactory, TeamMembershipFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
D = datetime.date


@pytest.fixture
def team(org):
    return TeamFactory(organization=org, name="Night Shift")


@pytest.fixture
def ada(org):
    return PersonFactory(organization=org, name="Ada Lovelace")


def seated(team) -> list[str]:
    return sorted(TeamMembership.objects.filter(team=team).values_list("person__name", flat=True))


def _search(client, team, text, **params):
    return client.get(f"/org/members/{team.pk}/people/search/", {"query": text, **params}, **HTMX)


def _add(client, team, htmx=True, **data):
    headers = HTMX if htmx else {}
    return client.post(f"/org/members/{team.pk}/seat/", {"action": "add", **data}, **headers)


def test_it_requires_login(client, team):
    response = client.get(f"/org/members/{team.pk}/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_htmx_gets_the_teams_people_alone(admin_client, team):
    response = admin_client.get(f"/org/members/{team.pk}/people/", **HTMX)
    page = response.content.decode()
    assert '<section class="card" id="team-people"' in page and "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(admin_client, team):
    response = admin_client.get(
        f"/org/members/{team.pk}/people/", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )
    page = response.content.decode()
    assert (
        "<h1>People on <bdi>Night Shift</bdi></h1>" in page and page.count('id="team-people"') == 1
    )
    assert "HX-Request" in response["Vary"]


def test_it_shows_the_page_to_admins(admin_client, team, ada):
    TeamMembershipFactory(team=team, person__name="Grace Hopper")
    response = admin_client.get(f"/org/members/{team.pk}/people/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>People on <bdi>Night Shift</bdi></h1>" in page
    assert "Grace Hopper" in page
    assert '<input type="search" name="query" id="id_query"' in page
    assert f'hx-get="/org/members/{team.pk}/people/search/"' in page
    assert 'hx-trigger="input changed delay:250ms, search"' in page
    assert "Type part of a name or title, then pick the person." in page


def test_the_page_lists_nobody_to_add_until_a_name_is_typed(admin_client, org, team, ada):
    Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"Eve {i:03d}", active_from=D(2020, 1, 1))
        for i in range(50)
    )
    page = admin_client.get(f"/org/members/{team.pk}/people/").content.decode()
    assert "<select" not in page
    assert "<option" not in page
    assert 'type="radio"' not in page
    assert "Ada Lovelace" not in page
    assert "Eve 001" not in page


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_non_admins_are_refused(role, role_clients, team, ada):
    client = role_clients[role]
    assert client.get(f"/org/members/{team.pk}/people/").status_code == 403
    assert _search(client, team, "ada").status_code == 403
    response = client.post(f"/org/members/{team.pk}/seat/", {"action": "add", "person": ada.pk})
    assert response.status_code == 403
    assert seated(team) == []


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "member"])
def test_another_organizations_team_is_404(role, role_clients, other_org, ada):
    theirs = TeamFactory(organization=other_org)
    url, seat = f"/org/members/{theirs.pk}/people/", f"/org/members/{theirs.pk}/seat/"
    assert role_clients[role].get(url).status_code == 404
    assert role_clients[role].post(seat, {"action": "add", "person": ada.pk}).status_code == 404
    assert (
        role_clients[role].post(seat, {"action": "add", "query": "Ada Lovelace"}).status_code == 404
    )
    assert _search(role_clients[role], theirs, "ada").status_code == 404
    assert seated(theirs) == []


def test_a_person_has_no_people_page(admin_client, ada):
    assert admin_client.get(f"/org/members/{ada.pk}/people/").status_code == 404
    assert _search(admin_client, ada, "a").status_code == 404


def test_it_adds_a_person_in_place_with_htmx(admin_client, team, ada):
    response = admin_client.post(
        f"/org/members/{team.pk}/seat/", {"action": "add", "person": ada.pk}, **HTMX
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
        f"/org/members/{team.pk}/seat/", {"action": "add", "person": ada.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/org/members/{team.pk}/people/"
    assert seated(team) == ["Ada Lovelace"]


def test_it_removes_a_person(admin_client, team, ada):
    TeamMembershipFactory(team=team, person=ada)
    response = admin_client.post(
        f"/org/members/{team.pk}/seat/", {"action": "remove", "person": ada.pk}, **HTMX
    )
    assert response.status_code == 200
    assert "Took Ada Lovelace off the team." in response.content.decode()
    assert seated(team) == []
    assert Member.objects.filter(pk=ada.pk).exists()  # only the seat goes


# --- the HTMX search --------------------------------------------------------------------------


def test_the_search_lists_the_matching_people_as_radio_buttons(admin_client, org, team, ada):
    PersonFactory(organization=org, name="Mira Quay", title="Data Analyst")
    response = _search(admin_client, team, "ANALYST")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="people-choices"')
    assert "<html" not in body
    mira = Member.objects.get(name="Mira Quay")
    assert [p.name for p in response.context["choices"].people] == ["Mira Quay"]
    assert f'<input type="radio" name="person" value="{mira.pk}"> <bdi>Mira Quay</bdi>' in body
    assert '<span class="quadrant-tag q-E">Employees</span>' in body
    assert '<span class="muted"><bdi>Data Analyst</bdi></span>' in body


def test_the_search_offers_only_active_people_not_yet_on_the_team(
    admin_client, org, other_org, team, ada
):
    TeamMembershipFactory(team=team, person__name="Ada Already Seated")
    PersonFactory(organization=org, name="Ada Long Gone", active_until=D(2021, 1, 1))
    PersonFactory(organization=org, name="Ada Not Yet", active_from=D(2999, 1, 1))
    TeamFactory(organization=org, name="Ada's Crew")
    PersonFactory(organization=other_org, name="Ada Elsewhere")
    response = _search(admin_client, team, "ada")
    assert [p.name for p in response.context["choices"].people] == ["Ada Lovelace"]
    body = response.content.decode()
    for absent in ["Already Seated", "Long Gone", "Not Yet", "Crew", "Elsewhere"]:
        assert absent not in body


def test_the_search_shows_at_most_twenty_people(admin_client, org, team):
    Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"Ann {i:02d}", active_from=D(2020, 1, 1))
        for i in range(30)
    )
    response = _search(admin_client, team, "ann")
    body = response.content.decode()
    assert len(response.context["choices"].people) == 20
    assert body.count('type="radio"') == 20
    assert "Only the first matches are shown: type more of the name." in body


def test_the_person_picked_so_far_stays_first_and_checked(admin_client, org, team, ada):
    PersonFactory(organization=org, name="Bea Boss", quadrant="L", title="Director")
    PersonFactory(organization=org, name="Cy Clerk", title="Clerk")

    def listed(text: str) -> list[str]:
        response = _search(admin_client, team, text, person=ada.pk)
        assert f'<input type="radio" name="person" value="{ada.pk}" checked>' in (
            response.content.decode()
        )
        return [p.name for p in response.context["choices"].people]

    # Bea, a leader, comes before Ada in quadrant order, but the pick stays first...
    assert listed("c") == ["Ada Lovelace", "Bea Boss", "Cy Clerk"]
    # ... also when the text no longer matches her.
    assert listed("clerk") == ["Ada Lovelace", "Cy Clerk"]


def test_a_pick_who_cannot_join_is_not_kept(admin_client, org, other_org, team, ada):
    TeamMembershipFactory(team=team, person=ada)
    stranger = PersonFactory(organization=other_org, name="Carl Stranger")
    for pk in (ada.pk, stranger.pk):
        response = _search(admin_client, team, "carl", person=pk)
        assert response.context["choices"].people == []
        assert "No active person matches “carl”." in response.content.decode()


def test_the_search_answers_400_to_garbled_input(admin_client, team):
    assert _search(admin_client, team, "x" * 101).status_code == 400
    assert _search(admin_client, team, "a", person="me").status_code == 400
    assert _search(admin_client, team, "a\x00").status_code == 400


# --- adding without a pick: the text is submitted -------------------------------------------


def test_a_unique_exact_name_is_taken_without_javascript(admin_client, org, team, ada):
    PersonFactory(organization=org, name="Ada Lovelace-King")
    response = _add(admin_client, team, htmx=False, query="ada LOVELACE")
    assert response.status_code == 302
    assert response["Location"] == f"/org/members/{team.pk}/people/"
    assert seated(team) == ["Ada Lovelace"]


def test_an_ambiguous_text_shows_the_people_to_pick_from(admin_client, org, team, ada):
    ann = PersonFactory(organization=org, name="Ann Adams")
    response = _add(admin_client, team, htmx=False, query="ad")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>People on <bdi>Night Shift</bdi></h1>" in body  # the whole page, without JavaScript
    assert "Pick one of the people matching “ad”." in body
    assert f'<input type="radio" name="person" value="{ada.pk}">' in body
    assert f'<input type="radio" name="person" value="{ann.pk}">' in body
    assert 'value="ad"' in body  # the text stays in its box
    assert 'aria-invalid="true"' in body
    assert seated(team) == []

    # The second step: the pick is posted with the text.
    response = _add(admin_client, team, htmx=False, query="ad", person=ann.pk)
    assert response.status_code == 302
    assert seated(team) == ["Ann Adams"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type part of a name or title, then pick the person."),
        ("   ", "Type part of a name or title, then pick the person."),
        ("nobody at all", "No active person matches “nobody at all”."),
        ("Old", "No active person matches “Old”."),  # only an archived person
        ("Night", "No active person matches “Night”."),  # only the team itself
        ("e", "Pick one of the people matching “e”."),
    ],
)
def test_a_text_that_names_nobody_to_add_is_refused(admin_client, org, team, ada, query, message):
    PersonFactory(organization=org, name="Old Timer", active_until=D(2021, 1, 1))
    PersonFactory(organization=org, name="Grace Hopper")
    before = TeamMembership.objects.count()
    response = _add(admin_client, team, query=query)
    body = response.content.decode()
    assert response.status_code == 200
    alert = body[body.index('<div class="form-errors" role="alert">') :]
    assert f"<p>{message}</p>" in alert[: alert.index("</div>")]
    assert TeamMembership.objects.count() == before == 0


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("on_team", "Ada Lovelace already sits on Night Shift."),
        ("archived", "Old Timer is not active today and cannot join a team."),
        ("a_team", "Day Shift is a team; only people sit on teams."),
        ("foreign", "That person is not in this organization."),
        ("on_team_by_name", "Ada Lovelace already sits on Night Shift."),
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
        "on_team_by_name": lambda: None,
    }[case]()
    data = {"person": person} if person else {"query": "Ada Lovelace"}
    response = _add(admin_client, team, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert seated(team) == ["Ada Lovelace"]
    assert TeamMembership.objects.count() == 1


def test_removing_someone_not_on_the_team_is_refused(admin_client, team, ada):
    response = admin_client.post(
        f"/org/members/{team.pk}/seat/", {"action": "remove", "person": ada.pk}
    )
    assert response.status_code == 200
    assert "Ada Lovelace does not sit on Night Shift." in response.content.decode()


def test_removing_nobody_is_refused(admin_client, team, ada):
    TeamMembershipFactory(team=team, person=ada)
    response = admin_client.post(f"/org/members/{team.pk}/seat/", {"action": "remove"}, **HTMX)
    assert response.status_code == 200
    assert "Choose a person to take off the team." in response.content.decode()
    assert seated(team) == ["Ada Lovelace"]


# --- the cost does not grow with the organization ------------------------------------------


@pytest.mark.parametrize("people", [3, 3000])
def test_the_page_and_the_search_cost_the_same_for_few_and_many_people(
    people, admin_client, org, team, django_assert_num_queries
):
    Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"Eve {i:04d}", active_from=D(2020, 1, 1))
        for i in range(people)
    )
    TeamMembership.objects.bulk_create(
        TeamMembership(organization=org, team=team, person=p)
        for p in Member.objects.filter(name__in=["Eve 0000", "Eve 0001"])
    )
    picked = Member.objects.get(name="Eve 0002")
    # session, user, roles, the team, its people
    with django_assert_num_queries(5):
        page = admin_client.get(f"/org/members/{team.pk}/people/").content.decode()
    assert page.count('name="action" value="remove"') == 2
    assert 'type="radio"' not in page
    # session, user, roles, the team, the picked person, the matches
    with django_assert_num_queries(6):
        response = _search(admin_client, team, "eve", person=picked.pk)
    assert len(response.context["choices"].people) == min(people - 2, 20)
    # session, user, roles, the team, the exact name, the matches, its people
    with django_assert_num_queries(7):
        response = _add(admin_client, team, query="eve")
    assert response.content.decode().count('type="radio"') == min(people - 2, 20)
    assert seated(team) == ["Eve 0000", "Eve 0001"]


def test_the_page_takes_no_posts_its_forms_go_to_the_seat_view(admin_client, team, ada):
    # A seat is given where the team's direct line can be given with it (partnerships).
    response = admin_client.post(
        f"/org/members/{team.pk}/people/", {"action": "add", "person": ada.pk}
    )
    assert response.status_code == 405
    assert seated(team) == []
    page = admin_client.get(f"/org/members/{team.pk}/people/").content.decode()
    assert f'action="/org/members/{team.pk}/seat/"' in page
