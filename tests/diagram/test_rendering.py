"""The SVG drawings on their own: plain data in, well-formed and accessible SVG out."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from partnerships.diagram.drawing import (
    COMPACT_MIN_FONT,
    COMPACT_WIDTH,
    Badge,
    Edge,
    Node,
    Overview,
    flow_sentence,
    layout_network,
    network_capacity,
    render_compact,
    render_network,
    render_overview,
    standalone,
)
from partnerships.rules import FLOWS, LEGEND, RELATIONSHIP_RULE
from partnerships.rules import type_for_quadrants as flow_type

SVG = "{http://www.w3.org/2000/svg}"


def _overview(**overrides) -> Overview:
    values = {
        "quadrant_counts": {"L": 4, "M": 21, "T": 15, "E": 250},
        "flow_counts": {
            ("L", "M"): 40,
            ("T", "E"): 412,
            ("L", "T"): 30,
            ("M", "E"): 180,
            ("L", "E"): 12,
            ("M", "T"): 45,
            ("M", "M"): 5,
        },
        "names": {"L": ["Ada Lovelace", "Bo Chen"], "M": ["Max Manager"]},
        "quadrant_href": {q: f"/diagram/quadrants/{q}/" for q in "LMTE"},
        "flow_href": {(s, t): f"/diagram/flows/{s}{t}/" for s in "LMTE" for t in "LMTE"},
    }
    values.update(overrides)
    return Overview.build(**values)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _labels(root: ET.Element, attribute: str) -> dict[str, str]:
    """The number printed for each quadrant or flow, read back from the drawing."""
    return {
        el.get(attribute): el.text
        for el in root.iter(f"{SVG}text")
        if el.get(attribute) and "diagram-count" in (el.get("class") or "")
    }


def test_it_agrees_with_the_rule_of_types_in_the_models():
    for (source, target), kind in RELATIONSHIP_RULE.items():
        assert flow_type(source, target) == kind
    assert flow_type("E", "L") is None
    assert flow_type("T", "M") is None


def test_it_draws_well_formed_svg():
    root = _parse(render_overview(_overview()))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 1000 840"


def test_it_places_the_quadrants_as_the_seed_does():
    root = _parse(render_overview(_overview()))
    boxes = {}
    for link in root.iter(f"{SVG}a"):
        if link.get("data-quadrant"):
            rect = link.find(f"{SVG}rect")
            boxes[link.get("data-quadrant")] = (float(rect.get("x")), float(rect.get("y")))
    assert boxes["L"][0] < boxes["T"][0] and boxes["L"][1] == boxes["T"][1]  # top row
    assert boxes["M"][0] < boxes["E"][0] and boxes["M"][1] == boxes["E"][1]  # bottom row
    assert boxes["L"][1] < boxes["M"][1] and boxes["L"][0] == boxes["M"][0]  # left column


def test_it_labels_each_quadrant_and_flow_with_its_count():
    root = _parse(render_overview(_overview()))
    assert _labels(root, "data-quadrant") == {"L": "4", "M": "21", "T": "15", "E": "250"}
    flows = _labels(root, "data-flow")
    assert flows == {
        "LM": "40",
        "TE": "412",
        "LT": "30",
        "ME": "180",
        "LE": "12",
        "MT": "45",
        "MM": "5",
    }


def test_it_draws_the_six_flows_each_in_the_style_of_its_type():
    root = _parse(render_overview(_overview()))
    styles = {}
    for link in root.iter(f"{SVG}a"):
        key = link.get("data-flow")
        if key and len(key) == 2 and key[0] != key[1]:
            drawn = [
                el
                for el in link.iter()
                if el.tag in (f"{SVG}line", f"{SVG}path")
                and el.get("fill") == "none"
                and el.get("stroke") not in ("transparent", "#ffbf47")
            ]
            styles[key] = (
                link.get("data-type"),
                drawn[0].get("stroke-dasharray"),
                drawn[0].get("stroke"),
            )
    assert set(styles) == {f"{s}{t}" for s, t, _ in FLOWS}
    assert {k: v[0] for k, v in styles.items()} == {f"{s}{t}": kind for s, t, kind in FLOWS}
    assert styles["LM"][1] is None and styles["TE"][1] is None  # direct: solid
    influential, guidance = styles["LT"][1], styles["LE"][1]
    assert influential and guidance and influential != guidance
    assert guidance.startswith("0.1 ")  # dots: near-zero dashes with round caps
    assert len({styles["LM"][2], styles["LT"][2], styles["LE"][2]}) == 3  # a colour per type


def test_thicker_arrows_carry_more_relationships():
    root = _parse(render_overview(_overview()))

    def width(key: str) -> float:
        link = next(a for a in root.iter(f"{SVG}a") if a.get("data-flow") == key)
        line = next(
            el
            for el in link.iter(f"{SVG}line")
            if el.get("stroke") not in ("transparent", "#ffbf47")
        )
        return float(line.get("stroke-width"))

    assert width("TE") > width("ME") > width("LM") > width("LE")


def test_each_quadrant_and_flow_is_a_named_link():
    root = _parse(render_overview(_overview()))
    names = {a.get("aria-label"): a.get("href") for a in root.iter(f"{SVG}a")}
    assert names["Influential: managers to employees, 180 relationships"] == "/diagram/flows/ME/"
    assert names["Direct: teams to employees, 412 relationships"] == "/diagram/flows/TE/"
    assert names["Guidance: leadership to employees, 12 relationships"] == "/diagram/flows/LE/"
    assert names["Employees: 250 active members"] == "/diagram/quadrants/E/"
    assert names["Teams: 15 active teams"] == "/diagram/quadrants/T/"
    assert names["Direct within managers: 5 relationships"] == "/diagram/flows/MM/"


def test_it_marks_a_reporting_line_inside_a_quadrant_only_when_there_is_one():
    root = _parse(render_overview(_overview()))
    loops = {a.get("data-flow") for a in root.iter(f"{SVG}a") if "diagram-loop" in a.get("class")}
    assert loops == {"MM"}


def test_links_ask_htmx_for_the_panel_when_given_a_target():
    svg = render_overview(_overview(), panel_target="#panel")
    root = _parse(svg)
    link = next(a for a in root.iter(f"{SVG}a") if a.get("data-quadrant") == "E")
    assert link.get("hx-get") == "/diagram/quadrants/E/"
    assert link.get("hx-target") == "#panel"
    assert link.get("hx-push-url") == "true"
    assert "hx-get" not in render_overview(_overview())


def test_it_explains_the_three_types_in_the_legend():
    root = _parse(render_overview(_overview()))
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    for sentence in LEGEND.values():
        assert sentence in text


def test_it_escapes_names_with_markup():
    hostile = ['<script>alert("x")</script>', "Bo & Co", 'O\'Neil "Quotes"']
    svg = render_overview(_overview(names={"L": hostile}, title="<b>Acme</b> & Sons"))
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg
    assert "Bo &amp; Co" in svg
    assert "O&#x27;Neil &quot;Quotes&quot;" in svg
    root = _parse(svg)  # still well-formed
    names = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "diagram-name"]
    assert names == [f"\u2068{name}\u2069" for name in hostile]  # isolated, bidi-safe


def test_it_escapes_links():
    svg = render_overview(
        _overview(quadrant_href={"L": '/x?a=1&b="><script>'}), panel_target="#panel"
    )
    assert 'href="/x?a=1&amp;b=&quot;&gt;&lt;script&gt;"' in svg
    _parse(svg)


def test_it_shortens_long_names_and_says_how_many_more():
    svg = render_overview(
        _overview(names={"E": ["A" * 80, "Bea", "Cy", "Di", "Ed"]}, quadrant_counts={"E": 250})
    )
    assert re.search(r">\u2068A{20,40}…\u2069</text>", svg)
    assert "and 246 more" in svg
    assert ">Ed<" not in svg


def test_an_empty_organization_still_draws_every_flow_with_zero():
    root = _parse(render_overview(Overview.build(quadrant_counts={}, flow_counts={})))
    assert set(_labels(root, "data-flow").values()) == {"0"}
    assert len(_labels(root, "data-flow")) == 6
    assert "nobody active" in ET.tostring(root, encoding="unicode")


def test_sentences_agree_in_number():
    assert flow_sentence("M", "E", 1) == "Influential: managers to employees, 1 relationship"
    assert flow_sentence("L", "L", 2) == "Direct within leadership: 2 relationships"


def test_the_standalone_file_is_an_xml_document():
    document = standalone(render_overview(_overview()))
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns=')
    ET.fromstring(document.encode())


def test_overview_totals():
    overview = _overview()
    assert overview.total_members == 290
    assert overview.type_totals() == {"direct": 457, "influential": 210, "guidance": 57}


# --- the network drawing -------------------------------------------------------------------


def _nodes() -> list[Node]:
    return [
        Node(1, "L", "Lee <Leader>", "/diagram/members/1/"),
        Node(2, "M", "Max & Co", "/diagram/members/2/", centre=True),
        Node(3, "T", "Team 'Alpha'"),
        Node(4, "E", "Eve"),
    ]


def test_it_places_each_member_inside_their_quadrant():
    positions = layout_network(_nodes())
    assert positions[1].x < positions[3].x and positions[1].y < positions[2].y
    assert positions[4].x > positions[2].x and positions[4].y > positions[3].y


def test_the_network_layout_refuses_too_many_for_one_quadrant():
    crowd = [Node(i, "E", f"E{i}") for i in range(network_capacity() + 1)]
    with pytest.raises(ValueError, match="do not fit in Employees"):
        layout_network(crowd)
    assert len(layout_network(crowd[:-1])) == network_capacity()


def test_the_network_spreads_a_crowd_without_overlap():
    crowd = [Node(i, "E", f"E{i}") for i in range(network_capacity())]
    spots = {(round(p.x), round(p.y)) for p in layout_network(crowd).values()}
    assert len(spots) == network_capacity()


def test_it_draws_typed_edges_and_highlights_paths():
    edges = [
        Edge(1, 2, "direct", highlight=True),
        Edge(2, 4, "influential", detail="on-time <delivery>"),
        Edge(1, 4, "guidance"),
        Edge(2, 3, "guidance"),
    ]
    svg = render_network(_nodes(), edges, title="Max & Co")
    root = _parse(svg)
    groups = [g for g in root.iter(f"{SVG}g") if "diagram-edge" in (g.get("class") or "")]
    assert sorted(g.get("data-type") for g in groups) == [
        "direct",
        "guidance",
        "guidance",
        "influential",
    ]
    highlighted = [g for g in groups if "diagram-edge-path" in g.get("class")]
    assert [g.get("data-type") for g in highlighted] == ["direct"]
    titles = [g.find(f"{SVG}title").text for g in groups]
    assert "Influential: Max & Co to Eve (on-time <delivery>)" in titles
    assert "&lt;Leader&gt;" in svg and "Max &amp; Co" in svg and "<Leader>" not in svg
    links = {a.get("data-member"): a.get("href") for a in root.iter(f"{SVG}a")}
    assert links == {"1": "/diagram/members/1/", "2": "/diagram/members/2/"}
    assert "shortest path to leadership" in svg


def test_the_network_ignores_edges_to_members_not_drawn():
    svg = render_network(_nodes(), [Edge(1, 99, "direct")], title="x")
    assert "diagram-edge" not in svg
    assert re.search(r"0 direct, 0 influential and 0 guidance", svg)


# --- the narrow drawing, for a phone ---------------------------------------------------------


def test_the_narrow_drawing_keeps_the_quadrants_in_their_places_two_by_two():
    root = _parse(render_compact(_overview()))
    assert root.get("viewBox").startswith(f"0 0 {COMPACT_WIDTH} ")
    boxes = {}
    for link in root.iter(f"{SVG}a"):
        if link.get("data-quadrant"):
            rect = link.find(f"{SVG}rect")
            boxes[link.get("data-quadrant")] = (float(rect.get("x")), float(rect.get("y")))
    assert boxes["L"][0] < boxes["T"][0] and boxes["L"][1] == boxes["T"][1]
    assert boxes["M"][0] < boxes["E"][0] and boxes["M"][1] == boxes["E"][1]
    assert boxes["L"][1] < boxes["M"][1] and boxes["L"][0] == boxes["M"][0]


def test_the_narrow_drawing_gives_each_flow_a_labelled_row_with_its_count_and_link():
    root = _parse(render_compact(_overview()))
    assert _labels(root, "data-quadrant") == {"L": "4", "M": "21", "T": "15", "E": "250"}
    assert _labels(root, "data-flow") == {
        "LM": "40",
        "TE": "412",
        "LT": "30",
        "ME": "180",
        "LE": "12",
        "MT": "45",
        "MM": "5",  # loops only when there is one
    }
    rows = {a.get("data-flow"): a for a in root.iter(f"{SVG}a") if a.get("data-flow")}
    assert rows["ME"].get("href") == "/diagram/flows/ME/"
    # Its name holds what it shows, in the same order (axe's label-content-name-mismatch).
    assert rows["ME"].get("aria-label") == (
        "Managers to employees, influential (dashed): 180 relationships"
    )
    texts = ["".join(t.itertext()) for t in rows["ME"].iter(f"{SVG}text")]
    assert texts == ["Managers to employees", "Influential (dashed)", "180"]


def test_no_text_in_the_narrow_drawing_is_smaller_than_a_phone_can_read():
    root = _parse(render_compact(replace_badges(_overview())))
    sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
    assert sizes and min(sizes) >= COMPACT_MIN_FONT


def test_the_narrow_drawing_asks_htmx_for_the_panel_when_given_a_target():
    svg = render_compact(_overview(), panel_target="#panel")
    assert svg.count('hx-target="#panel"') == 4 + 7


def replace_badges(overview: Overview) -> Overview:
    return replace(overview, badges={"E": Badge(2, "2 risks in Employees", "/health/?quadrant=E")})


# --- what a reader notices: the selection, the counts, the names of the links ------------------


def _words(text: str) -> str:
    """Text as axe-core compares it: lower case, punctuation and runs of spaces dropped."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def test_the_selected_quadrant_or_flow_is_marked_in_both_drawings():
    for selected in ("E", "ME", "MM"):
        overview = replace(_overview(), selected=selected)
        for svg in (render_overview(overview), render_compact(overview)):
            marked = [a for a in _parse(svg).iter(f"{SVG}a") if a.get("aria-current")]
            assert [a.get("aria-current") for a in marked] == ["true"]
            assert (marked[0].get("data-quadrant") or marked[0].get("data-flow")) == selected
    assert "aria-current" not in render_overview(_overview())


def test_the_two_guidance_counts_stand_apart():
    root = _parse(render_overview(_overview(flow_counts={("L", "E"): 1234, ("M", "T"): 5678})))
    pills = {}
    for link in root.iter(f"{SVG}a"):
        if link.get("data-flow") in ("LE", "MT"):
            rect = [r for r in link.iter(f"{SVG}rect") if r.get("rx") == "14"][0]
            x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
            pills[link.get("data-flow")] = (x, y, x + w, y + h)
    left, right = sorted(pills.values())
    assert right[0] - left[2] >= 2 * (left[3] - left[1])  # two pill heights between them


def test_a_risk_badge_shows_its_count_and_says_it():
    overview = replace(
        _overview(),
        badges={
            "E": Badge(2, "2 risks in Employees", "/health/?quadrant=E"),
            "T": Badge(1234, "1234 risks in Teams", "/health/?quadrant=T"),
        },
    )
    for svg in (render_overview(overview), render_compact(overview)):
        badges = [a for a in _parse(svg).iter(f"{SVG}a") if a.get("class") == "diagram-badge"]
        shown = {"".join(a.find(f"{SVG}text").itertext()): a.get("aria-label") for a in badges}
        assert shown == {"2": "2 risks in Employees", "1234": "1234 risks in Teams"}


def test_every_link_is_named_with_the_words_it_shows():
    overview = replace(
        _overview(names={"E": ["Ada Lovelace", "W" * 80]}),
        badges={"E": Badge(2, "2 risks in Employees", "/health/")},
    )
    for svg in (render_overview(overview), render_compact(overview)):
        for link in _parse(svg).iter(f"{SVG}a"):
            shown = " ".join(
                "".join(t.itertext()) for t in link.iter(f"{SVG}text")
            )  # <title> is not drawn; it is not inside a <text> either
            assert _words(shown) in _words(link.get("aria-label")), (shown, link.get("aria-label"))
