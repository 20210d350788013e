"""Who sees what on the diagram, and the SVG and CSV downloads."""

from __future__ import annotations

import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest

from tests.diagram.conftest import DISSOLVED
from tests.diagram.test_diagram_page import labels, nonzero, svg_of
from tests.factories import PartnershipFactory, RelationshipFactory

BEFORE = (DISSOLVED - datetime.timedelta(days=1)).isoformat()


@pytest.fixture
def leaders_only(world, org):
    """A partnership neither the manager nor the member belongs to: Vera influences Dock."""
    partnership = PartnershipFactory(organization=org, objective=world.quality, name="Leaders only")
    RelationshipFactory(partnership=partnership, from_member=world.vera, to_member=world.dock)
    return partnership


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_leaders_and_admins_see_the_whole_organization(role, role_clients, world, leaders_only):
    _quadrants, flows = labels(svg_of(role_clients[role].get("/diagram/", {"as_of": BEFORE})))
    assert nonzero(flows) == {"LM": 1, "ME": 2, "LE": 2, "LT": 2, "MT": 1, "TE": 1, "LL": 1}


def test_a_manager_sees_the_partnerships_they_belong_to(manager_client, world, leaders_only):
    response = manager_client.get("/diagram/", {"as_of": BEFORE})
    _quadrants, flows = labels(svg_of(response))
    assert flows["LT"] == 1  # Vera → Dock in "Leaders only" is not theirs
    assert nonzero(flows) == {"LM": 1, "ME": 2, "LE": 2, "LT": 1, "MT": 1, "TE": 1, "LL": 1}
    assert b"limited to the partnerships you belong to" in response.content


def test_a_member_sees_only_their_own_partnerships(member_client, world, leaders_only):
    response = member_client.get("/diagram/", {"as_of": BEFORE})
    quadrants, flows = labels(svg_of(response))
    assert nonzero(flows) == {"LM": 1, "ME": 1, "LE": 1, "LT": 1, "MT": 1, "TE": 1, "LL": 1}
    assert nonzero(quadrants) == {"L": 2, "M": 1, "T": 1, "E": 1}  # Eli is not in theirs
    options = response.content.decode()
    assert "Cost crew" not in options and "Leaders only" not in options


def test_a_member_cannot_pick_a_partnership_they_are_not_in(member_client, world, leaders_only):
    response = member_client.get("/diagram/", {"partnership": leaders_only.pk})
    assert response.status_code == 400


def test_a_members_panels_are_limited_too(member_client, world):
    html = member_client.get("/diagram/quadrants/E/", {"as_of": BEFORE}).content.decode()
    assert "Mia Member" in html and "Eli Worker" not in html


def test_a_members_view_of_someone_else_is_limited(member_client, world):
    html = member_client.get(
        f"/diagram/members/{world.eli.pk}/", {"as_of": BEFORE}
    ).content.decode()
    assert "Vera Chief" not in html  # Vera guides Eli in the cost crew, not Mia's


def test_a_partnership_outside_ones_own_is_404_for_a_member(member_client, world, leaders_only):
    assert member_client.get(f"/diagram/partnerships/{leaders_only.pk}/").status_code == 404
    assert member_client.get(f"/diagram/partnerships/{world.quality_team.pk}/").status_code == 200


def test_another_organization_sees_only_its_own(outsider_client, world):
    response = outsider_client.get("/diagram/")
    quadrants, flows = labels(svg_of(response))
    assert nonzero(flows) == {}
    assert nonzero(quadrants) == {"L": 1}  # the outsider alone
    assert outsider_client.get("/diagram/", {"objective": world.quality.pk}).status_code == 400
    assert (
        outsider_client.get(
            "/diagram/export.csv", {"partnership": world.quality_team.pk}
        ).status_code
        == 400
    )


# --- exports ---------------------------------------------------------------------------------


def test_it_downloads_the_diagram_as_a_standalone_svg(world, leader_client):
    response = leader_client.get("/diagram/export.svg", {"as_of": BEFORE})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="partnership-diagram-{BEFORE}.svg"'
    )
    root = ET.fromstring(response.content)
    assert nonzero(labels(root)[1])["ME"] == 2
    hrefs = [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert f"http://testserver/diagram/quadrants/E/?as_of={BEFORE}" in hrefs
    assert not any(a.get("hx-get") for a in root.iter("{http://www.w3.org/2000/svg}a"))


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_it_downloads_the_relationships_behind_the_filter_as_csv(world, leader_client):
    response = leader_client.get(
        "/diagram/export.csv", {"objective": world.cost.pk, "as_of": BEFORE}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv(response)
    assert sorted((r["from"], r["to"], r["type"]) for r in rows) == [
        ("Max Manager", "Eli Worker", "influential"),
        ("Vera Chief", "Eli Worker", "guidance"),
    ]
    assert {r["partnership"] for r in rows} == {"Cost crew"}
    assert rows[0]["starts on"] == "2024-01-01" and rows[0]["ends on"] == DISSOLVED.isoformat()


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ('<script>x</script> & "Q"', '<script>x</script> & "Q"'),
    ],
)
def test_csv_cells_are_safe_for_spreadsheets(world, leader_client, name, cell):
    world.mia.name = name
    world.mia.save()
    world.quality_team.name = name
    world.quality_team.save()
    rows = _csv(leader_client.get("/diagram/export.csv", {"partnership": world.quality_team.pk}))
    to_mia = [r for r in rows if r["to"] == cell]
    assert len(to_mia) == 3
    assert {r["partnership"] for r in rows} == {cell}


def test_a_member_exports_only_their_partnerships(member_client, world, leaders_only):
    rows = _csv(member_client.get("/diagram/export.csv", {"as_of": BEFORE}))
    assert {r["partnership"] for r in rows} == {"Quality circle"}
