"""The scenario's own pages: its diagram, health, a member's place, compare; removing a step;
what leaders may not draft; the queries a page costs, whatever the size."""

from __future__ import annotations

import pytest
from django.urls import reverse

from org.models import Quadrant
from partnerships import rules
from scenarios.models import Scenario, ScenarioStep
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory
from tests.scenarios.test_scenarios import _draft, company  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_diagram_health_and_a_members_place_show_the_scenario(
    org,
    admin_client,
    company,  # noqa: F811
):
    people, main = company
    scenario = _draft(admin_client, org, people, main)
    diagram = admin_client.get(reverse("scenarios:diagram", args=[scenario.pk]))
    overview = diagram.context["overview"]
    # Ezra moved to Managers, Milo archived: 2 managers (Mara, Ezra), 3 employees
    assert overview.quadrants["M"].count == 2
    assert overview.quadrants["E"].count == 3
    assert "scenario-banner" in diagram.content.decode()

    found = admin_client.get(reverse("scenarios:diagram", args=[scenario.pk]), {"q": "Elif"})
    assert "Elif Emp" in found.content.decode()

    health = admin_client.get(reverse("scenarios:health", args=[scenario.pk]))
    assert health.status_code == 200
    assert health.context["before"].members == 9
    assert health.context["after"].members == 8  # Milo archived
    assert "Risks by kind" in health.content.decode()

    place = admin_client.get(
        reverse("scenarios:member", args=[scenario.pk, people["Elif Emp"].pk])
    ).content.decode()
    assert "Leo Lead → Elif Emp" in place  # the new guidance line, in the scenario only
    archived = admin_client.get(
        reverse("scenarios:member", args=[scenario.pk, people["Milo Manager"].pk])
    ).content.decode()
    assert "the scenario archives them" in archived

    other = Scenario.objects.create(organization=org, name="Do nothing", effective_on=org.today())
    compared = admin_client.get(reverse("scenarios:compare"), {"a": scenario.pk, "b": other.pk})
    text = compared.content.decode()
    assert "Merge care" in text and "Do nothing" in text


def test_removing_a_step_renumbers_the_others(org, admin_client, company):  # noqa: F811
    people, main = company
    scenario = _draft(admin_client, org, people, main)
    first = scenario.steps.get(position=1)
    response = admin_client.post(reverse("scenarios:step_remove", args=[scenario.pk, first.pk]))
    assert response.status_code == 302
    assert list(scenario.steps.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
        3,
        4,
    ]
    assert (
        scenario.steps.get(position=1).label == "Archive Milo Manager (also ends 2 relationships)"
    )


def test_a_leader_cannot_draft_a_reporting_line(org, leader_client, company):  # noqa: F811
    people, _main = company
    chain = PartnershipFactory(organization=org, name=rules.CHAIN_OF_COMMAND)
    scenario = Scenario.objects.create(organization=org, name="S", effective_on=org.today())
    response = leader_client.post(
        reverse("scenarios:step_add", args=[scenario.pk, "add_relationship"]),
        {"member_query": "Leo Lead", "other_query": "Mara Manager", "partnership": chain.pk},
    )
    assert response.status_code == 400
    assert "Reporting lines change only through the organization" in response.content.decode()
    assert not ScenarioStep.objects.exists()


def test_several_matches_are_offered_to_pick(org, admin_client, company):  # noqa: F811
    scenario = Scenario.objects.create(organization=org, name="S", effective_on=org.today())
    url = reverse("scenarios:step_add", args=[scenario.pk, "archive"])
    response = admin_client.post(url, {"member_query": "Emp"})
    assert response.status_code == 200  # asked to pick: not a mistake
    text = response.content.decode()
    assert "Pick one of the members matching “Emp”" in text
    assert "Eva Emp" in text and "Enzo Emp" in text
    assert not scenario.steps.exists()
    nobody = admin_client.post(url, {"member_query": "Zyx"})
    assert nobody.status_code == 400
    assert "No member active on the effective day matches “Zyx”" in nobody.content.decode()


def _grow(org, count: int) -> None:
    partnership = PartnershipFactory(organization=org, name="Growth")
    manager = PersonFactory(organization=org, quadrant=Quadrant.MANAGERS)
    for _ in range(count):
        employee = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES)
        RelationshipFactory(partnership=partnership, from_member=manager, to_member=employee)


@pytest.mark.parametrize("extra", [5, 60])
def test_the_pages_run_a_fixed_number_of_queries(
    extra,
    org,
    admin_client,
    company,  # noqa: F811
    django_assert_num_queries,
):
    people, main = company
    scenario = _draft(admin_client, org, people, main)
    _grow(org, extra)
    # session, user, role; the scenario; its steps; the data version (twice: the figures'
    # key and the live side's); the live data (relationships, members, seats, partnerships);
    # planned sessions; the other scenarios
    with django_assert_num_queries(13):
        admin_client.get(reverse("scenarios:detail", args=[scenario.pk]))
    url = reverse("scenarios:diagram", args=[scenario.pk])
    admin_client.get(url)
    # cached: session, user, role, the scenario, the data version, the steps
    with django_assert_num_queries(6):
        admin_client.get(url)


def test_a_partnerships_page_in_the_scenario(org, admin_client, company):  # noqa: F811
    people, main = company
    scenario = _draft(admin_client, org, people, main)
    detail = admin_client.get(reverse("scenarios:detail", args=[scenario.pk])).content.decode()
    assert reverse("scenarios:partnership", args=[scenario.pk, main.pk]) in detail
    page = admin_client.get(reverse("scenarios:partnership", args=[scenario.pk, main.pk]))
    live, in_scenario = page.context["sides"]
    assert live[1].count == 8
    # the guidance line the scenario adds is there, in the scenario only
    assert "Leo Lead → Elif Emp (guidance in Customer care)" in in_scenario[1].by_type[2][1]
    assert "Leo Lead → Elif Emp (guidance in Customer care)" not in live[1].by_type[2][1]


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_is_paged_and_runs_a_fixed_number_of_queries(
    count, org, leader_client, django_assert_num_queries
):
    for n in range(count):
        Scenario.objects.create(organization=org, name=f"Scenario {n:02}", effective_on=org.today())
    # session, user, role; the count of the page and its scenarios with their step counts
    with django_assert_num_queries(5):
        response = leader_client.get(reverse("scenarios:list"))
    assert len(response.context["scenarios"]) == min(count, 25)
    if count > 25:
        assert "Page 1 of 2" in response.content.decode()
