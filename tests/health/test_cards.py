"""The health page names a few things to fix: risks of the same kind with the same remedy form
one card, ranked by the members concerned times severity, at most ten on the first screen."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.cache import cache

from demo.organizations import demo_seed
from org.models import Organization, OrgMembership, Quadrant
from partnerships import graph
from partnerships.health.analysis import analyse, load
from partnerships.scope import Scope
from tests.factories import PersonFactory, RelationshipFactory
from tests.health.conftest import AS_OF


def cards(html: str) -> list[str]:
    return [part.split("</li>")[0] for part in html.split('<li class="risk-card')[1:]]


@pytest.fixture
def yard_crew(world, org):
    """Three more employees whose only line is the Yard team's, in the cost crew."""
    people = [
        PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name=name)
        for name in ("Yara Stacker", "Yusuf Driver", "Yoko Picker")
    ]
    for person in people:
        RelationshipFactory(partnership=world.cost_team, from_member=world.yard, to_member=person)
    return people


def test_it_groups_the_risks_that_share_a_remedy_into_one_card(
    world, yard_crew, leader_client, clock
):
    html = leader_client.get(f"/health/?{AS_OF}").content.decode()

    found = cards(html)
    employees = next(card for card in found if "only through the chain of command" in card)
    assert "4 employees are reached only through the chain of command (a direct line)." in (
        employees
    )
    # It names who is concerned, and what would close it: Sam guides their team.
    for name in ("Yves Loader", "Yara Stacker", "Yusuf Driver", "Yoko Picker"):
        assert name in employees
    assert (
        "Add influential relationships from 1 manager to their 4 employees (the manager who "
        "guides each employee&#x27;s team)." in employees
    )
    assert "Preview and apply" in employees
    # Each card once, the widest first: Sam carries five members, the four employees next.
    assert "Every path from leadership to 5 members passes through Sam Supervisor." in found[0]
    assert len(found) == 7
    assert '<span class="figure">10</span> risks' in html


def test_its_cards_count_every_risk_once(world, yard_crew, org):
    loaded = load(Scope(organization=org, day=world.lee.active_from.replace(year=2025, month=3)))
    report = analyse(loaded)

    assert sum(group.count for group in report.groups) == report.risk_count == 10
    by_kind = Counter()
    for group in report.groups:
        by_kind[str(group.kind)] += group.count
    assert dict(by_kind) == report.risk_counts_by_kind


def test_a_manager_sees_the_cards_without_acting_on_them(world, manager_client, clock):
    RelationshipFactory(partnership=world.cost_team, from_member=world.max, to_member=world.yves)
    html = manager_client.get(f"/health/?{AS_OF}").content.decode()

    assert cards(html)
    assert "Preview and apply" not in html
    assert "Accept this risk" not in html


def test_a_past_day_offers_no_remedy(world, leader_client):
    """Remedies start today: the page of another day shows the cards, not the buttons."""
    html = leader_client.get(f"/health/?{AS_OF}").content.decode()

    assert cards(html)
    assert "Preview and apply" not in html


@pytest.fixture
def demo(db):
    demo_seed()
    cache.clear()
    return Organization.objects.get(name="Northwind Freight")


def test_on_the_demo_the_first_screen_shows_at_most_ten_cards_that_add_up(demo, client):
    leader = OrgMembership.objects.get(organization=demo, role="leader")
    client.force_login(leader.user)
    html = client.get("/health/").content.decode()

    shown = cards(html)
    assert 1 <= len(shown) <= 10
    assert any(
        "242 employees are reached only through the chain of command" in card for card in shown
    )
    assert "betweenness 0." not in html
    # The grouped counts add up to the analysis of every risk, kind by kind.
    scope = Scope(organization=demo, day=demo.today())
    loaded = load(scope)
    risks = graph.health(
        loaded.graph,
        partnerships=loaded.partnerships,
        partnership_names=loaded.partnership_names,
    ).risks
    report = analyse(loaded)
    grouped = Counter()
    for group in report.groups:
        grouped[str(group.kind)] += group.count
    assert grouped == Counter(str(risk.kind) for risk in risks)
    assert sum(grouped.values()) == len(risks) == report.risk_count


def test_a_card_without_proposals_opens_the_form_filled_in(world, leader_client, clock):
    html = leader_client.get("/health/").content.decode()

    lacking = next(card for card in cards(html) if "Cost crew lacks" in card)
    href = f"/partnerships/{world.cost_team.pk}/?from=Lee+Leader&amp;to=Yard+Team#add-heading"
    assert f'href="{href}">Open the form, filled in' in lacking
    form = leader_client.get(
        f"/partnerships/{world.cost_team.pk}/?from=Lee+Leader&to=Yard+Team"
    ).content.decode()
    assert 'name="from_query" id="id_from_query" value="Lee Leader"' in form
    assert 'name="to_query" id="id_to_query" value="Yard Team"' in form
