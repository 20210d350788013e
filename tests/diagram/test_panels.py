"""Drill-down panels: a quadrant's members and a flow's relationships."""

from __future__ import annotations

import datetime

from org.models import Member
from tests.diagram.conftest import DISSOLVED
from tests.factories import PersonFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
PANEL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "panel"}
RESULTS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "panel-results"}
BEFORE = (DISSOLVED - datetime.timedelta(days=1)).isoformat()


def test_a_quadrant_panel_lists_its_members(world, leader_client):
    response = leader_client.get("/diagram/quadrants/E/", **PANEL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="diagram-view"' not in html
    assert "2 members" in html
    assert f'href="/org/members/{world.mia.pk}/"' in html
    assert f'href="/diagram/members/{world.mia.pk}/"' in html
    assert "Eli Worker" in html
    assert "Max Manager" not in html


def test_without_htmx_the_panel_opens_beside_the_whole_diagram(world, leader_client):
    response = leader_client.get("/diagram/quadrants/E/")
    html = response.content.decode()
    assert "<html" in html
    assert 'class="diagram diagram-overview"' in html
    assert "Mia Member" in html
    assert 'id="panel-title"' in html


def test_a_quadrant_panel_follows_the_filters(world, leader_client):
    response = leader_client.get(
        "/diagram/quadrants/E/", {"objective": world.cost.pk, "as_of": BEFORE}, **PANEL
    )
    html = response.content.decode()
    assert "1 member" in html and "Eli Worker" in html and "Mia Member" not in html
    # The panel's own search keeps the filters.
    assert f'name="objective" value="{world.cost.pk}"' in html
    assert f'name="as_of" value="{BEFORE}"' in html


def test_a_quadrant_panel_searches(world, leader_client):
    response = leader_client.get("/diagram/quadrants/E/", {"q": "eli"}, **RESULTS)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="panel-results">')
    assert "Eli Worker" in html and "Mia Member" not in html
    assert "matching “eli”" in html


def test_a_quadrant_panel_pages(world, org, leader_client):
    Member.objects.bulk_create(
        Member(
            organization=org,
            quadrant="E",
            name=f"Worker {i:02}",
            active_from=datetime.date(2020, 1, 1),
        )
        for i in range(30)
    )
    first = leader_client.get("/diagram/quadrants/E/", **PANEL).content.decode()
    assert "Page 1 of 2" in first and "Worker 22" in first and "Worker 23" not in first
    second = leader_client.get("/diagram/quadrants/E/", {"page": 2}, **RESULTS).content.decode()
    assert "Worker 23" in second and "Page 2 of 2" in second


def test_a_flow_panel_lists_its_relationships(world, leader_client):
    response = leader_client.get("/diagram/flows/ME/", {"as_of": BEFORE}, **PANEL)
    html = response.content.decode()
    assert "Influential: managers to employees" in html
    assert "2 relationships" in html
    assert "Mia Member" in html and "Eli Worker" in html
    assert f'href="/partnerships/{world.quality_team.pk}/"' in html
    assert f'href="/diagram/partnerships/{world.quality_team.pk}/"' in html  # its map
    assert "Quality circle" in html and "Cost crew" in html


def test_a_flow_panel_searches_names_and_partnerships(world, leader_client):
    html = leader_client.get(
        "/diagram/flows/ME/", {"as_of": BEFORE, "q": "cost"}, **RESULTS
    ).content.decode()
    assert "1 relationship" in html and "Cost crew" in html and "Quality circle" not in html


def test_a_loop_panel_lists_lines_inside_a_quadrant(world, leader_client):
    html = leader_client.get("/diagram/flows/LL/", **PANEL).content.decode()
    assert "Direct within leadership" in html and "Vera Chief" in html


def test_unknown_quadrants_and_flows_are_404(world, leader_client):
    assert leader_client.get("/diagram/quadrants/X/").status_code == 404
    assert leader_client.get("/diagram/flows/EL/").status_code == 404  # points back up
    assert leader_client.get("/diagram/flows/TM/").status_code == 404
    assert leader_client.get("/diagram/flows/LMT/").status_code == 404


def test_names_with_markup_are_escaped_in_the_panel(world, org, leader_client):
    PersonFactory(organization=org, quadrant="E", name='<script>alert(1)</script> & "Q"')
    html = leader_client.get("/diagram/quadrants/E/", **PANEL).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Q&quot;" in html


def test_the_search_box_finds_members_by_name_title_or_team(world, org, leader_client):
    PersonFactory(organization=org, quadrant="M", name="Rosa Diaz", title="Dock supervisor")
    html = leader_client.get("/diagram/search/", {"q": "dock"}, **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="search-results"')
    assert "Rosa Diaz" in html and "Dock Team" in html
    assert f'href="/diagram/members/{world.dock.pk}/"' in html
    assert "Mia Member" not in html


def test_the_search_page_works_without_javascript(world, leader_client):
    response = leader_client.get("/diagram/search/", {"q": "mia"})
    assert "<html" in response.content.decode()
    assert "Mia Member" in response.content.decode()


def test_the_search_box_says_when_nobody_matches(world, leader_client):
    html = leader_client.get("/diagram/search/", {"q": "zzz"}, **HTMX).content.decode()
    assert "Nobody active matches “zzz”" in html


def test_the_page_marks_the_part_of_the_diagram_whose_panel_is_open(world, leader_client):
    html = leader_client.get("/diagram/flows/ME/").content.decode()
    # Both drawings (the wide box and the phone's) mark the flow, and nothing else.
    assert html.count('aria-current="true"') == 2
    assert html.count('data-flow="ME" data-type="influential" aria-current="true"') == 2
    assert 'data-selects="ME"' in html  # diagram.js keeps the mark in step after each swap
    html = leader_client.get("/diagram/").content.decode()
    assert 'aria-current="true"' not in html
