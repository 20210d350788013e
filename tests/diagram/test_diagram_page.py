"""The diagram page: counts from the database, filters, "as of" dates, htmx fragments."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from org.models import Member
from partnerships.models import Relationship
from tests.diagram.conftest import DISSOLVED
from tests.factories import ObjectiveFactory, PersonFactory

SVG = "{http://www.w3.org/2000/svg}"
HTMX = {"HTTP_HX_REQUEST": "true"}
BEFORE = (DISSOLVED - datetime.timedelta(days=1)).isoformat()
AFTER = DISSOLVED.isoformat()
HOSTILE = '<script>x</script> & "Q"'


def svg_of(response) -> ET.Element:
    """The diagram's <svg> element, parsed as XML."""
    html = response.content.decode()
    match = re.search(
        r'<svg xmlns="http://www.w3.org/2000/svg" class="diagram diagram-overview".*?</svg>',
        html,
        re.S,
    )
    assert match, "no diagram in the page"
    return ET.fromstring(match.group(0))


def labels(root: ET.Element) -> tuple[dict[str, int], dict[str, int]]:
    """The numbers printed in the drawing: per quadrant and per flow (loops included)."""
    quadrants, flows = {}, {}
    for text in root.iter(f"{SVG}text"):
        if "diagram-count" not in (text.get("class") or ""):
            continue
        if text.get("data-quadrant"):
            quadrants[text.get("data-quadrant")] = int(text.text)
        if text.get("data-flow"):
            flows[text.get("data-flow")] = int(text.text)
    return quadrants, flows


def expected_counts(organization, day: datetime.date, relationships=None):
    """Counted in Python from the rows, independently of the page's SQL aggregates."""
    members = Counter(
        m.quadrant for m in Member.objects.filter(organization=organization) if m.is_active_on(day)
    )
    rows = (
        relationships
        if relationships is not None
        else Relationship.objects.filter(organization=organization).select_related(
            "from_member", "to_member"
        )
    )
    flows = Counter(
        f"{r.from_member.quadrant}{r.to_member.quadrant}" for r in rows if r.is_active_on(day)
    )
    return dict(members), dict(flows)


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {key: n for key, n in counts.items() if n}


def test_it_requires_login(client):
    response = client.get("/diagram/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/diagram/")


def test_it_shows_the_counts_the_database_holds(world, org, leader_client):
    response = leader_client.get("/diagram/", {"as_of": BEFORE})
    assert response.status_code == 200
    quadrants, flows = labels(svg_of(response))
    members, relationships = expected_counts(org, datetime.date.fromisoformat(BEFORE))
    assert nonzero(quadrants) == members
    assert nonzero(flows) == relationships
    assert set(flows) >= {"LM", "TE", "LT", "ME", "LE", "MT"}  # all six, even at zero
    assert relationships == {"LM": 1, "ME": 2, "LE": 2, "LT": 1, "MT": 1, "TE": 1, "LL": 1}


def test_the_counts_change_across_a_dissolution(world, org, leader_client):
    before = labels(svg_of(leader_client.get("/diagram/", {"as_of": BEFORE})))[1]
    after = labels(svg_of(leader_client.get("/diagram/", {"as_of": AFTER})))[1]
    # The cost crew (Vera guides Eli, Max influences Eli) ended with the partnership.
    assert before["LE"] - after["LE"] == 1
    assert before["ME"] - after["ME"] == 1
    assert {k: v for k, v in after.items() if k not in ("LE", "ME")} == {
        k: v for k, v in before.items() if k not in ("LE", "ME")
    }
    assert nonzero(after) == expected_counts(org, DISSOLVED)[1]


def test_the_as_of_default_is_the_organizations_today(world, leader_client):
    response = leader_client.get("/diagram/")
    assert response.context["scope"].day == world.lee.organization.today()


def test_it_filters_by_objective(world, org, leader_client):
    response = leader_client.get("/diagram/", {"objective": world.cost.pk, "as_of": BEFORE})
    quadrants, flows = labels(svg_of(response))
    assert nonzero(flows) == {"LE": 1, "ME": 1}
    # Inside a filter, the quadrants count the members the relationships involve.
    assert nonzero(quadrants) == {"L": 1, "M": 1, "E": 1}
    names = [
        t.text.strip("\u2068\u2069")  # each name isolated for bidirectional text
        for t in svg_of(response).iter(f"{SVG}text")
        if t.get("class") == "diagram-name"
    ]
    assert sorted(names) == ["Eli Worker", "Max Manager", "Vera Chief"]


def test_it_filters_by_partnership(world, leader_client):
    response = leader_client.get("/diagram/", {"partnership": world.quality_team.pk})
    _quadrants, flows = labels(svg_of(response))
    assert nonzero(flows) == {"LM": 1, "ME": 1, "LE": 1, "LT": 1, "MT": 1, "TE": 1, "LL": 1}


def test_links_carry_the_filters(world, leader_client):
    response = leader_client.get("/diagram/", {"objective": world.quality.pk, "as_of": BEFORE})
    html = response.content.decode()
    query = f"?objective={world.quality.pk}&amp;as_of={BEFORE}"
    assert f'href="/diagram/quadrants/E/{query}"' in html
    assert f'href="/diagram/flows/ME/{query}"' in html
    assert f'href="/diagram/export.csv{query}"' in html


def test_each_part_has_an_accessible_name(world, leader_client):
    root = svg_of(leader_client.get("/diagram/", {"as_of": BEFORE}))
    names = {a.get("aria-label") for a in root.iter(f"{SVG}a")}
    assert "Influential: managers to employees, 2 relationships" in names
    assert "Employees: 2 active members" in names
    assert "Direct within leadership: 1 relationship" in names


def test_it_gives_the_same_numbers_as_a_table(world, leader_client):
    response = leader_client.get("/diagram/", {"as_of": BEFORE})
    html = response.content.decode()
    table = html[html.index('id="numbers-title"') :]
    assert re.search(r'<td data-flow="ME">2</td>', table)
    assert re.search(r'<td data-quadrant="E">2</td>', table)
    assert "Managers to employees" in table


def test_htmx_gets_the_diagram_alone(world, leader_client):
    response = leader_client.get("/diagram/", {"objective": world.cost.pk}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="diagram-view"')
    assert "<html" not in html
    assert response["Vary"].count("HX-Request") == 1


def test_a_history_restore_gets_the_whole_page(world, leader_client):
    response = leader_client.get("/diagram/", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"as_of": "yesterday"}, {"objective": "999999"}, {"partnership": "abc"}],
)
def test_it_refuses_bad_filters(world, leader_client, query):
    response = leader_client.get("/diagram/", query)
    assert response.status_code == 400
    assert b"These filters cannot be shown" in response.content


def test_htmx_shows_bad_filters_with_a_200_so_they_swap_in(world, leader_client):
    response = leader_client.get("/diagram/", {"as_of": "31/12"}, **HTMX)
    assert response.status_code == 200
    assert b"YYYY-MM-DD" in response.content


def test_another_organizations_objective_is_refused(world, leader_client, other_org):
    theirs = ObjectiveFactory(organization=other_org)
    response = leader_client.get("/diagram/", {"objective": theirs.pk})
    assert response.status_code == 400


def test_names_with_markup_are_escaped_in_the_svg(world, org, leader_client):
    world.lee.name = HOSTILE
    world.lee.save()
    response = leader_client.get("/diagram/")
    html = response.content.decode()
    assert "<script>x" not in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; &quot;Q&quot;" in html
    names = [
        t.text.strip("\u2068\u2069")  # each name isolated for bidirectional text
        for t in svg_of(response).iter(f"{SVG}text")
        if t.get("class") == "diagram-name"
    ]
    assert HOSTILE in names


@pytest.mark.parametrize(
    ("role", "location"),
    [
        ("admin", "/diagram/"),
        ("leader", "/diagram/"),
        ("manager", "/meetings/"),
        ("member", "/meetings/"),
    ],
)
def test_leaders_and_admins_land_on_the_diagram_and_others_on_their_sessions(
    role, location, role_clients
):
    response = role_clients[role].get("/")
    assert response.status_code == 302
    assert response["Location"] == location


def test_an_organization_without_partnerships_is_told_how_to_form_one(org, leader_client):
    PersonFactory(organization=org, quadrant="E", name="Una Reached")

    page = leader_client.get("/diagram/").content.decode()

    assert "No relationship joins anyone yet, so every member counts as a risk below." in page
    assert 'href="/partnerships/">Partnerships</a> page' in page
