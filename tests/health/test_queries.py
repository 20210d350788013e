"""The health page costs the same number of queries for a handful of members or hundreds:
three to load the graph when the analysis is not cached, none when it is."""

from __future__ import annotations

import datetime

import pytest

from org.models import Member, Quadrant
from partnerships.models import Relationship
from tests.health.conftest import AS_OF

# Session, user and memberships (3); the objectives of the filter form (1); the accepted risks
# in force (1); the data version (1); the weak channels from meetings, kept in the cache under
# the structure's and the sessions' data versions (2), and when not kept, looked for among
# what refresh_health stored (1) and computed (1: the held sessions of the two quarters before;
# no partnership of these worlds held any, so neither their attendees nor the relationships are
# read, tests/progress/test_buy_in.py counts those); when not cached, the relationships, their
# members and the partnerships' names (3).
WEAK_KEPT = 2
WEAK_STORED = WEAK_KEPT + 1
WEAK_COLD = WEAK_STORED + 1
CACHED = 6 + WEAK_KEPT
NOT_CACHED = 6 + 3 + WEAK_COLD
# Asking for an objective reads it once more to check the choice.
FOR_OBJECTIVE = 1


def grow(world, org, employees: int) -> None:
    """Many employees directed by the Dock team in the quality crew, and some nobody reaches."""
    people = Member.objects.bulk_create(
        Member(
            organization=org,
            quadrant=Quadrant.EMPLOYEES,
            name=f"Employee {n:04}",
            active_from=datetime.date(2020, 1, 1),
        )
        for n in range(employees)
    )
    Relationship.objects.bulk_create(
        Relationship(
            organization=org,
            partnership=world.quality_team,
            from_member=source,
            to_member=person,
            from_quadrant=source.quadrant,
            to_quadrant=Quadrant.EMPLOYEES,
            type=kind,
            starts_on=datetime.date(2024, 1, 1),
        )
        for person in people[: employees * 9 // 10]
        for source, kind in ((world.dock, "direct"), (world.max, "influential"))
    )


def report(response) -> str:
    html = response.content.decode()
    return html[html.index('<div id="report"') :]


@pytest.mark.parametrize("size", [0, 300])
@pytest.mark.parametrize("role", ["leader", "manager"])
def test_the_page_costs_the_same_queries_whatever_the_size(
    world, org, role_clients, role, size, django_assert_num_queries
):
    grow(world, org, size)
    client = role_clients[role]

    with django_assert_num_queries(NOT_CACHED):
        response = client.get(f"/health/?{AS_OF}")
    assert response.status_code == 200
    with django_assert_num_queries(CACHED):
        again = client.get(f"/health/?{AS_OF}")

    assert report(again) == report(response)
    reached = 7 + size * 9 // 10 if role == "leader" else 4 + size * 9 // 10
    members = 8 + size if role == "leader" else 4 + size * 9 // 10
    assert f'<span class="figure">{reached} of {members}</span>' in report(response)


@pytest.mark.parametrize("size", [0, 300])
def test_an_objectives_page_costs_the_same_queries_whatever_the_size(
    world, org, leader_client, size, django_assert_num_queries
):
    grow(world, org, size)
    url = f"/health/?objective={world.quality.pk}&{AS_OF}&quadrant=E"

    with django_assert_num_queries(NOT_CACHED + FOR_OBJECTIVE):
        assert leader_client.get(url).status_code == 200
    with django_assert_num_queries(CACHED + FOR_OBJECTIVE):
        assert leader_client.get(url).status_code == 200


def test_the_empty_page_costs_no_more(world, org, outsider_client, django_assert_num_queries):
    with django_assert_num_queries(NOT_CACHED):
        assert outsider_client.get(f"/health/?{AS_OF}").status_code == 200
    with django_assert_num_queries(CACHED):
        assert outsider_client.get(f"/health/?{AS_OF}").status_code == 200


@pytest.mark.parametrize("size", [0, 300])
def test_the_brokers_cost_the_same_queries_whatever_the_size(
    world, org, leader_client, size, django_assert_num_queries
):
    grow(world, org, size)
    url = f"/health/brokers/?{AS_OF}"
    leader_client.get(f"/health/?{AS_OF}")  # the page caches the report, not the brokers

    # The section alone renders no filter form and no cards: neither the objectives nor the
    # accepted risks are read.
    with django_assert_num_queries(NOT_CACHED - 2 - WEAK_COLD):
        response = leader_client.get(url, HTTP_HX_REQUEST="true")
    assert "health-brokers" in response.content.decode()
    with django_assert_num_queries(CACHED - 2 - WEAK_KEPT):
        assert leader_client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    with django_assert_num_queries(CACHED):  # the page now shows them at once
        assert "health-brokers" in leader_client.get(f"/health/?{AS_OF}").content.decode()


@pytest.mark.parametrize("size", [0, 300])
def test_a_later_page_of_the_list_costs_the_same_queries_whatever_the_size(
    world, org, leader_client, size, django_assert_num_queries
):
    grow(world, org, size)
    url = f"/health/?{AS_OF}&risks=all&page=2"
    leader_client.get(url)

    # The page's own, and the data version once more for the list kept under its own key.
    with django_assert_num_queries(CACHED + 1):
        assert leader_client.get(url).status_code == 200
