"""What changed between two days: relationships, partnerships, quadrant moves, counts per type."""

from __future__ import annotations

import datetime

import pytest

from org.models import QuadrantMove
from partnerships.models import Relationship
from partnerships.services import partnership_dissolve, relationship_add, relationship_end
from tests.factories import PartnershipFactory

D = datetime.date


@pytest.fixture
def history(quality, org, admin_membership):
    """Between 1 Mar and 1 Jul 2024: a guidance line forms, an influential one ends, Back
    office dissolves, a pilot forms, and Mia moves from Employees to Managers."""
    relationship_add(
        partnership=quality.drive,
        from_member=quality.lee,
        to_member=quality.mia,
        starts_on=D(2024, 4, 1),
    )
    relationship_end(
        relationship=quality.drive.relationships.get(from_member=quality.max),
        on=D(2024, 5, 1),
    )
    partnership_dissolve(partnership=quality.back_office, on=D(2024, 6, 1))
    PartnershipFactory(
        organization=org, objective=quality.objective, name="Pilot", formed_on=D(2024, 6, 15)
    )
    QuadrantMove.objects.create(
        organization=org,
        member=quality.mia,
        from_quadrant="E",
        to_quadrant="M",
        moved_on=D(2024, 6, 20),
    )
    return quality


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_it_compares_two_days(role, role_clients, history):
    response = role_clients[role].get(
        "/partnerships/changes/", {"since": "2024-03-01", "until": "2024-07-01"}
    )
    changes = response.context["changes"]

    assert response.status_code == 200
    assert [(r.from_member.name, r.to_member.name) for r in changes.relationships_formed] == [
        ("Lee Leader", "Mia Member")
    ]
    assert sorted((r.from_member.name, r.type) for r in changes.relationships_ended) == [
        ("Cora Cfo", "guidance"),
        ("Max Manager", "influential"),
    ]
    assert [p.name for p in changes.partnerships_formed] == ["Pilot"]
    assert [p.name for p in changes.partnerships_dissolved] == ["Back office"]
    assert [m.member.name for m in changes.moves] == ["Mia Member"]
    assert changes.per_type == [
        {"type": "direct", "label": "Direct", "formed": 0, "ended": 0},
        {"type": "influential", "label": "Influential", "formed": 0, "ended": 1},
        {"type": "guidance", "label": "Guidance", "formed": 1, "ended": 1},
    ]
    body = response.content.decode()
    assert "1 relationship formed and 2 ended" in body
    assert "1 member moved quadrant" in body


DAYS = {"since": "2024-03-01", "until": "2024-07-01"}


def test_htmx_gets_only_the_results(leader_client, history):
    response = leader_client.get("/partnerships/changes/", DAYS, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(leader_client, history):
    response = leader_client.get(
        "/partnerships/changes/",
        DAYS,
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    body = response.content.decode()
    assert "<html" in body and 'class="filter-form"' in body
    assert body.count('id="results"') == 1
    assert "HX-Request" in response["Vary"]


def test_the_whole_page_varies_with_htmx(leader_client, history):
    response = leader_client.get("/partnerships/changes/", DAYS)
    assert "HX-Request" in response["Vary"]
    assert 'hx-target="#results" hx-swap="outerHTML"' in response.content.decode()


def test_the_first_day_is_excluded_and_the_last_included(leader_client, history):
    response = leader_client.get(
        "/partnerships/changes/", {"since": "2024-04-01", "until": "2024-06-01"}
    )
    changes = response.context["changes"]
    assert changes.relationships_formed == []  # it formed on 1 Apr, the day compared from
    assert [p.name for p in changes.partnerships_dissolved] == ["Back office"]


@pytest.mark.parametrize("role", ["manager", "member"])
def test_only_leaders_and_admins_see_what_changed(role, role_clients, history):
    assert role_clients[role].get("/partnerships/changes/").status_code == 403


def test_an_outsider_sees_nothing_of_the_organization(outsider_client, history):
    response = outsider_client.get(
        "/partnerships/changes/", {"since": "2024-01-01", "until": "2024-12-31"}
    )
    assert response.status_code == 200
    assert response.context["changes"].counts["relationships_formed"] == 0
    assert "Lee Leader" not in response.content.decode()


def test_it_refuses_dates_in_the_wrong_order(leader_client, history):
    response = leader_client.get(
        "/partnerships/changes/", {"since": "2024-07-01", "until": "2024-03-01"}
    )
    assert response.status_code == 400


def test_it_defaults_to_the_last_90_days(leader_client, org, history):
    response = leader_client.get("/partnerships/changes/")
    changes = response.context["changes"]
    assert changes.until == org.today()
    assert changes.since == org.today() - datetime.timedelta(days=90)


def test_it_costs_the_same_for_few_and_many_changes(
    leader_client, history, django_assert_num_queries
):
    with django_assert_num_queries(11):
        leader_client.get("/partnerships/changes/", {"since": "2024-03-01", "until": "2024-07-01"})
    drive = history.drive
    Relationship.objects.bulk_create(
        Relationship(
            organization=drive.organization,
            partnership=drive,
            from_member=history.lee,
            to_member=history.max,
            from_quadrant="L",
            to_quadrant="M",
            type="direct",
            starts_on=D(2024, 3, 2),
            ends_on=D(2024, 3, 3) + datetime.timedelta(days=i),
        )
        for i in range(50)
    )
    with django_assert_num_queries(11):
        response = leader_client.get(
            "/partnerships/changes/", {"since": "2024-03-01", "until": "2024-07-01"}
        )
    assert response.context["changes"].counts["formed_direct"] == 50
