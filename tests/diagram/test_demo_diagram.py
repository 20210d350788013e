"""The diagram on the demo organization agrees with its rows, day by day."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from demo.organizations import DEMO_SLUG, demo_seed
from org.models import Organization
from partnerships.models import Partnership
from tests.diagram.test_diagram_page import expected_counts, labels, nonzero, svg_of


@pytest.fixture
def demo(db):
    demo_seed()
    return Organization.objects.get(slug=DEMO_SLUG)


@pytest.fixture
def demo_leader() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="leader"))
    return client


def test_the_demo_diagram_shows_the_counts_of_its_rows(demo, demo_leader):
    response = demo_leader.get("/diagram/")
    quadrants, flows = labels(svg_of(response))
    members, relationships = expected_counts(demo, demo.today())
    assert nonzero(quadrants) == members
    assert nonzero(flows) == relationships
    assert all(flows[f"{s}{t}"] > 0 for s, t in ["LM", "TE", "LT", "ME", "LE", "MT"])
    assert set(members) == {"L", "M", "T", "E"}


def test_the_demo_diagram_changes_across_a_dissolution(demo, demo_leader):
    dissolved = (
        Partnership.objects.for_org(demo).filter(dissolved_on__isnull=False).order_by("pk").first()
    )
    assert dissolved is not None, "the demo keeps dissolved partnerships as history"
    day_before = dissolved.dissolved_on - datetime.timedelta(days=1)
    ended = [r for r in dissolved.relationships.all() if r.is_active_on(day_before)]
    assert ended
    for day in (day_before, dissolved.dissolved_on):
        flows = labels(svg_of(demo_leader.get("/diagram/", {"as_of": day.isoformat()})))[1]
        assert nonzero(flows) == expected_counts(demo, day)[1]
    # The partnership alone: its relationships the day before, none on the day it dissolved.
    query = {"partnership": dissolved.pk}
    before = demo_leader.get("/diagram/", query | {"as_of": day_before.isoformat()})
    after = demo_leader.get("/diagram/", query | {"as_of": dissolved.dissolved_on.isoformat()})
    assert sum(labels(svg_of(before))[1].values()) == len(ended)
    assert sum(labels(svg_of(after))[1].values()) == 0
