"""Objectives: everyone in the organization reads them; leaders and admins create them."""

from __future__ import annotations

import pytest

from partnerships.models import Objective
from tests.factories import ObjectiveFactory, PartnershipFactory

ORG_ROLES = ["admin", "leader", "manager", "member"]


@pytest.mark.parametrize("role", ORG_ROLES)
def test_it_lists_the_objectives_to_every_role(role, role_clients, quality):
    response = role_clients[role].get("/objectives/")
    assert response.status_code == 200
    assert "Zero defects" in response.content.decode()
    [objective] = response.context["objectives"]
    # Only the partnerships the role may read count (the manager and member are not in
    # "Back office"): the same that the objective's own page lists.
    assert objective.n_partnerships == (2 if role in ("admin", "leader") else 1)


def test_an_outsider_sees_none_of_the_organizations_objectives(outsider_client, quality):
    response = outsider_client.get("/objectives/")
    assert response.status_code == 200
    assert list(response.context["objectives"]) == []
    assert "Zero defects" not in response.content.decode()


def test_an_outsider_gets_404_for_an_objective(outsider_client, quality):
    assert outsider_client.get(f"/objectives/{quality.objective.pk}/").status_code == 404


@pytest.mark.parametrize("role", ORG_ROLES)
def test_the_objective_page_lists_only_partnerships_the_role_may_read(role, role_clients, quality):
    response = role_clients[role].get(f"/objectives/{quality.objective.pk}/")
    assert response.status_code == 200
    names = [p.name for p in response.context["partnerships"]]
    if role in ("admin", "leader"):
        assert names == ["Back office", "Quality drive"]
    else:
        assert names == ["Quality drive"]


@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("member", 403)])
def test_only_leaders_and_admins_create_objectives(role, status, role_clients, org):
    client = role_clients[role]
    assert client.get("/objectives/new/").status_code == status
    response = client.post(
        "/objectives/new/", {"title": "Growth", "emphasis": "growth", "starts_on": "2024-01-01"}
    )
    assert response.status_code == status
    assert not Objective.objects.exists()


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_it_creates_an_objective(role, role_clients, org, leader_membership):
    response = role_clients[role].post(
        "/objectives/new/",
        {
            "title": "On-time delivery",
            "description": "Parcels arrive when promised.",
            "emphasis": "customer_service",
            "owner": leader_membership.member.pk,
            "status": "active",
            "starts_on": "2024-01-01",
            "ends_on": "2024-12-31",
            "target_value": "98.5",
            "target_unit": "% on time",
        },
    )
    objective = Objective.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/objectives/{objective.pk}/"
    assert (objective.organization, objective.owner, objective.target_unit) == (
        org,
        leader_membership.member,
        "% on time",
    )


def test_it_asks_for_a_unit_with_a_target(leader_client, org):
    response = leader_client.post(
        "/objectives/new/",
        {
            "title": "Cheaper",
            "emphasis": "cost_reduction",
            "status": "active",
            "starts_on": "2024-01-01",
            "target_value": "10",
        },
    )
    assert response.status_code == 200
    assert "Say what the target counts" in response.content.decode()
    assert not Objective.objects.exists()


def test_it_refuses_an_end_before_the_start(leader_client, org):
    response = leader_client.post(
        "/objectives/new/",
        {
            "title": "Backwards",
            "emphasis": "quality",
            "status": "active",
            "starts_on": "2024-06-01",
            "ends_on": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert "must end after it starts" in response.content.decode()
    assert not Objective.objects.exists()


def test_an_outsider_creates_in_their_own_organization_only(outsider_client, other_org):
    outsider_client.post(
        "/objectives/new/",
        {"title": "Theirs", "emphasis": "growth", "status": "active", "starts_on": "2024-01-01"},
    )
    assert Objective.objects.get().organization == other_org


def test_the_objective_list_costs_the_same_for_few_and_many(
    leader_client, org, django_assert_num_queries
):
    ObjectiveFactory.create_batch(2, organization=org)
    with django_assert_num_queries(4):
        leader_client.get("/objectives/")
    ObjectiveFactory.create_batch(30, organization=org)
    with django_assert_num_queries(4):
        leader_client.get("/objectives/")


def test_the_objective_page_costs_the_same_for_few_and_many(
    leader_client, org, quality, django_assert_num_queries
):
    url = f"/objectives/{quality.objective.pk}/"
    # session, user, roles, the objective, its partnerships with counts per type
    with django_assert_num_queries(5):
        leader_client.get(url)
    PartnershipFactory.create_batch(30, organization=org, objective=quality.objective)
    with django_assert_num_queries(5):
        response = leader_client.get(url)
    assert len(response.context["partnerships"]) == 32
