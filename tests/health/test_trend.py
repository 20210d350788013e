"""Per kind of risk, the day asked for against the end of the quarter before, so that a leader
sees whether the organization is getting better."""

from __future__ import annotations

import datetime
import re

from partnerships import services
from tests.health.conftest import AS_OF


def rows(html: str) -> dict[str, list[str]]:
    found = {}
    for kind, body in re.findall(r'<tr data-kind="(\w+)">(.*?)</tr>', html, re.S):
        found[kind] = [re.sub(r"<[^>]+>", "", cell).strip() for cell in body.split("<td>")[1:]]
    return found


def test_it_compares_each_kind_with_the_end_of_last_quarter(world, leader_client):
    services.relationship_add(
        partnership=world.quality_team,
        from_member=world.dock,
        to_member=world.olga,
        starts_on=datetime.date(2025, 1, 6),
    )

    response = leader_client.get(f"/health/trend/?{AS_OF}", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert "at the end of last quarter (31 Dec 2024) and now" in html
    found = rows(html)
    assert found["orphan"] == ["1", "0", "-1 better"]
    assert found["one_channel"] == ["2", "3", "+1 worse"]
    assert found["team_not_influenced"] == ["1", "1", "same"]


def test_the_page_fetches_the_trend_once_loaded(world, leader_client):
    html = leader_client.get(f"/health/?{AS_OF}").content.decode()

    assert f'hx-get="/health/trend/?{AS_OF}" hx-trigger="load"' in html
    assert f'<a href="/health/trend/?{AS_OF}">' in html


def test_without_javascript_it_is_a_page(world, member_client):
    response = member_client.get(f"/health/trend/?{AS_OF}")

    assert response.status_code == 200
    assert "Partnership health: the trend" in response.content.decode()


def test_it_costs_the_same_queries_when_cached(world, leader_client, django_assert_num_queries):
    url = f"/health/trend/?{AS_OF}"
    leader_client.get(url, HTTP_HX_REQUEST="true")
    # Session, user and memberships (3); the data version (1); both reports from the cache.
    with django_assert_num_queries(4):
        assert leader_client.get(url, HTTP_HX_REQUEST="true").status_code == 200


def test_the_first_quarter_there_is_has_nothing_before_it(world, leader_client):
    # The first day a date can be: no quarter before it, so the trend compares the day with
    # itself (it used to fail with "date value out of range").
    response = leader_client.get("/health/trend/?as_of=0001-01-01", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "date value out of range" not in response.content.decode()
