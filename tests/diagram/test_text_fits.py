"""Names people typed fit their boxes in every drawing: shortened by measured width (the
table of partnerships/diagram/text_width.py), an ellipsis where cut, the whole name kept in
a <title>. The browser checks the same with the widths Chromium draws
(tests/browser/test_diagram_drawing.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from partnerships.diagram.drawing import (
    BOX_W,
    BOX_XY,
    NET_CELL_W,
    NET_CELL_XY,
    Node,
    Overview,
    layout_network,
    render_network,
    render_overview,
)
from partnerships.diagram.text_width import fit, text_width
from tests.factories import PersonFactory

SVG = "{http://www.w3.org/2000/svg}"
LONG = ("Aa MWANGI-WAMBUGU WANJIRU " * 8)[:199] + "W"  # 200 characters, wide capitals


def names_drawn(svg: str) -> list[tuple[ET.Element, str]]:
    """Each drawn name: its <text> and the string shown (its <title> apart)."""
    root = ET.fromstring(svg)
    found = []
    for text in root.iter(f"{SVG}text"):
        if "diagram-name" in (text.get("class") or ""):
            title = text.find(f"{SVG}title")
            shown = "".join(text.itertext())
            if title is not None:
                shown = shown.replace(title.text, "", 1)
            # Every name is isolated (U+2068…U+2069: a right-to-left name cannot reorder the
            # words beside it); the isolates draw nothing and measure nothing.
            assert shown.startswith("\u2068") and shown.endswith("\u2069"), shown
            found.append((text, shown[1:-1]))
    return found


def width_of(text: ET.Element, shown: str) -> float:
    size = float(text.get("font-size"))
    return text_width(shown, size, bold=text.get("font-weight") == "700")


def test_a_short_name_is_drawn_whole_and_without_a_title():
    assert fit("  Ada   Lovelace ", 17, 300) == "Ada Lovelace"
    (text, shown), *_ = names_drawn(
        render_overview(
            Overview.build(quadrant_counts={"L": 1}, flow_counts={}, names={"L": ["Ada Lovelace"]})
        )
    )
    assert shown == "Ada Lovelace" and text.find(f"{SVG}title") is None


def test_narrow_letters_fit_more_than_wide_ones():
    narrow, wide = fit("i" * 200, 17, 294), fit("W" * 200, 17, 294)
    assert narrow.endswith("…") and wide.endswith("…")
    assert len(narrow) > 2 * len(wide)
    assert text_width(narrow, 17) <= 294 and text_width(wide, 17) <= 294


def test_characters_outside_the_table_count_a_full_em():
    shown = fit("漢字" * 100, 20, 200)
    assert shown.endswith("…")
    assert len(shown) - 1 <= 200 / 20  # at most ten ideographs of 20 units in 200
    assert text_width("\u2068Ann\u2069", 10) == text_width("Ann", 10)  # isolates draw nothing


def test_a_200_character_name_stays_inside_its_quadrant_in_the_box():
    svg = render_overview(
        Overview.build(quadrant_counts={"E": 2}, flow_counts={}, names={"E": [LONG, "Bo"]})
    )
    (text, shown), _ = names_drawn(svg)
    assert shown.endswith("…") and LONG.startswith(shown[:-1])
    assert text.find(f"{SVG}title").text == LONG  # the whole name, on hover
    box_x = BOX_XY["E"][0]
    assert float(text.get("x")) + width_of(text, shown) <= box_x + BOX_W - 10


def test_a_200_character_name_stays_inside_its_column_in_the_network():
    nodes = [Node(i, "E", LONG if i == 2 else f"E{i}", href="/x/") for i in range(1, 9)]
    nodes.append(Node(20, "L", LONG, centre=True))  # drawn bold
    dots = [(p.x, p.y) for p in layout_network(nodes).values()]
    drawn = names_drawn(render_network(nodes, [], title="t"))
    assert sorted(s for _, s in drawn if not s.startswith("Aa")) == [
        f"E{i}" for i in (1, *range(3, 9))
    ]
    for text, shown in drawn:
        x, y = float(text.get("x")), float(text.get("y")) - 5  # the name's dot is 13 to its left
        next_dot = min((dx for dx, dy in dots if dx > x and dy == y), default=None)
        cell = NET_CELL_XY["L" if x < NET_CELL_XY["T"][0] else "E"][0] + NET_CELL_W
        limit = (next_dot - 10) if next_dot is not None else cell - 10
        assert x + width_of(text, shown) <= limit, shown
        if shown.startswith("Aa"):
            assert shown.endswith("…")


def test_the_svg_export_shortens_a_200_character_name_by_its_width(world, leader_client):
    PersonFactory(organization=world.lee.organization, quadrant="L", name=LONG)
    svg = leader_client.get("/diagram/export.svg").content.decode()
    drawn = [(t, s) for t, s in names_drawn(svg.split("\n", 1)[1]) if s.startswith("Aa MWANGI")]
    assert len(drawn) == 1
    text, shown = drawn[0]
    assert shown.endswith("…") and text.find(f"{SVG}title").text == LONG
    assert float(text.get("x")) + width_of(text, shown) <= BOX_XY["L"][0] + BOX_W - 10


def test_the_partnership_map_shortens_a_200_character_name_by_its_width(world, leader_client):
    world.mia.name = LONG
    world.mia.save()
    svg = leader_client.get(f"/diagram/partnerships/{world.quality_team.pk}/").content.decode()
    svg = svg[svg.index("<svg") : svg.index("</svg>") + 6]
    drawn = [(t, s) for t, s in names_drawn(svg) if s.startswith("Aa MWANGI")]
    assert len(drawn) == 1
    text, shown = drawn[0]
    assert shown.endswith("…")
    assert float(text.get("x")) + width_of(text, shown) <= NET_CELL_XY["E"][0] + NET_CELL_W - 10
