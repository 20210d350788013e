"""The demo organization's objectives and partnerships, including the seed's three triads."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model

from demo import organizations as demo
from org.models import Member, Organization
from partnerships import selectors
from partnerships.models import Partnership

pytestmark = pytest.mark.django_db


@pytest.fixture
def northwind():
    demo.demo_seed()
    return Organization.objects.get(slug=demo.DEMO_SLUG)


def _quadrants(triad) -> list[str]:
    return sorted(member.quadrant for member in triad["members"])


def test_the_demo_holds_the_seeds_three_examples_as_complete_triads(northwind):
    today = northwind.today()
    triads = {
        name: selectors.partnership_map(Partnership.objects.get(name=name), today).triads
        for name in ["Dock quality circle", "Customer care promise", "Last-mile route project"]
    }
    assert [_quadrants(t) for t in triads["Dock quality circle"]] == [["L", "M", "T"]]
    assert [_quadrants(t) for t in triads["Customer care promise"]] == [["E", "L", "M"]]
    assert [_quadrants(t) for t in triads["Last-mile route project"]] == [["E", "M", "T"]]


def test_the_demo_has_a_partnership_lacking_guidance(northwind):
    partnership = Partnership.objects.get(name="Key accounts growth")
    map_ = selectors.partnership_map(partnership, northwind.today())
    assert [c.type for c in map_.missing] == ["guidance"]
    assert {s["type"] for s in map_.completions} == {"guidance"}
    assert ("Account Manager", "Key Accounts") in [
        (s["from"].title, s["to"].name) for s in map_.completions
    ]


def test_the_demo_keeps_dissolved_partnerships_as_history(northwind):
    today = northwind.today()
    dissolved = Partnership.objects.for_org(northwind).dissolved_by(today)
    assert sorted(p.name for p in dissolved) == ["Idle-engine pilot", "Safety walk"]
    for partnership in dissolved:
        assert selectors.relationships_as_of(partnership, today) == []
        before = partnership.dissolved_on - datetime.timedelta(days=1)
        assert selectors.relationships_as_of(partnership, before)


def test_the_demo_logins_see_their_partnerships(northwind, client):
    client.force_login(get_user_model().objects.get(username="member"))
    response = client.get("/partnerships/")
    # the employee's team directs them in the chain of command; the care triad reaches them
    assert [p.name for p in response.context["page"]] == [
        "Chain of command",
        "Customer care promise",
    ]


def test_the_demo_has_a_chain_of_command_down_the_tree(northwind):
    today = northwind.today()
    chain = Partnership.objects.get(organization=northwind, name="Chain of command")
    lines = selectors.relationships_as_of(chain, today)
    assert {(r.from_quadrant, r.to_quadrant) for r in lines} == {("L", "L"), ("L", "M"), ("T", "E")}
    # every active employee hears from at least one team, every manager from one leader
    employees = Member.objects.for_org(northwind).active_on(today).filter(quadrant="E")
    directed = {r.to_member_id for r in lines}
    assert set(employees.values_list("pk", flat=True)) <= directed
    managers = Member.objects.for_org(northwind).filter(quadrant="M")
    assert set(managers.values_list("pk", flat=True)) <= directed
