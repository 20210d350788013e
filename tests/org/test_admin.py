"""The organization's tables are in the Django admin for staff."""

from __future__ import annotations

import pytest

from org.models import QuadrantMove
from tests.factories import PersonFactory, TeamFactory, TeamMembershipFactory


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "x")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", ["organization", "member", "teammembership", "orgmembership", "quadrantmove"]
)
def test_staff_can_list_and_search_each_table(staff_client, org, admin_membership, model):
    seat = TeamMembershipFactory(team__organization=org, person__name="Grace Hopper")
    QuadrantMove.objects.create(
        organization=org,
        member=seat.person,
        from_quadrant="E",
        to_quadrant="M",
        moved_on="2024-01-01",
    )
    response = staff_client.get(f"/admin/org/{model}/", {"q": "a"})
    assert response.status_code == 200


def test_staff_can_open_a_team_with_its_people(staff_client, org):
    seat = TeamMembershipFactory(
        team__organization=org, team__name="Night Shift", person__name="Ada"
    )
    response = staff_client.get(f"/admin/org/member/{seat.team.pk}/change/")
    assert response.status_code == 200
    assert b"Night Shift" in response.content


def test_the_admin_filters_members_by_quadrant(staff_client, org):
    PersonFactory(organization=org, quadrant="L", name="Lia Leader")
    PersonFactory(organization=org, quadrant="E", name="Eve Employee")
    page = staff_client.get("/admin/org/member/", {"quadrant__exact": "L"}).content.decode()
    assert "Lia Leader" in page
    assert "Eve Employee" not in page


def test_the_admin_is_for_staff_only(admin_client):
    response = admin_client.get("/admin/org/member/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_can_seat_a_person_on_a_team(staff_client, org):
    team = TeamFactory(organization=org, name="Night Shift")
    ada = PersonFactory(organization=org, name="Ada")
    data = {
        "organization": org.pk,
        "kind": "team",
        "quadrant": "T",
        "name": "Night Shift",
        "title": "",
        "email": "",
        "external_id": "",
        "active_from": "2020-01-01",
        "active_until": "",
        "team_seats-TOTAL_FORMS": "1",
        "team_seats-INITIAL_FORMS": "0",
        "team_seats-MIN_NUM_FORMS": "0",
        "team_seats-MAX_NUM_FORMS": "1000",
        "team_seats-0-person": ada.pk,
        "team_seats-0-team": team.pk,
    }
    response = staff_client.post(f"/admin/org/member/{team.pk}/change/", data)
    assert response.status_code == 302
    seat = team.team_seats.get()
    assert (seat.person, seat.organization) == (ada, org)
