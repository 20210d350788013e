"""The diagram as Chromium draws it: long names stay inside their boxes (the widths the browser
measures, not ours), the part whose panel is open is marked, the guidance counts stand apart,
the risk badges show their count, and axe-core finds nothing serious for any role."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.db.models import Count
from playwright.sync_api import Page, expect

from demo.organizations import DEMO_PASSWORD, DEMO_SLUG, demo_seed
from org.models import Member
from partnerships.models import Partnership

ROLES = ("admin", "leader", "manager", "member")
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
LONG = ("Aa MWANGI-WAMBUGU WANJIRU " * 8)[:199] + "W"  # 200 characters, wide capitals

# Each drawn name's right end, and how far it may reach: the right edge of the box it starts
# in, and in a network the next dot on its row. getBBox measures the text as drawn.
NAMES_AND_LIMITS = """(svg) => {
  const boxes = [...svg.querySelectorAll('rect.diagram-box, g[class^="q-"] > rect')]
    .map((r) => r.getBBox());
  const dots = [...svg.querySelectorAll('.diagram-node circle:not(.diagram-focus)')]
    .map((c) => ({x: c.cx.baseVal.value - c.r.baseVal.value, y: c.cy.baseVal.value}));
  return [...svg.querySelectorAll('text.diagram-name')].map((text) => {
    const b = text.getBBox();
    const middle = b.y + b.height / 2;
    const box = boxes.find((r) => b.x >= r.x && b.x < r.x + r.width
      && middle >= r.y && middle <= r.y + r.height);
    const next = dots.filter((d) => d.x > b.x && Math.abs(d.y - middle) < 8).map((d) => d.x);
    return {
      name: [...text.childNodes].filter((n) => n.nodeType === 3).map((n) => n.data).join(''),
      right: b.x + b.width,
      limit: Math.min(box ? box.x + box.width : -Infinity, ...next),
    };
  });
}"""


# The words each badge covers: any text of the drawing, outside the badge, whose box meets it.
BADGES_COVERING_TEXT = """(svg) => {
  const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom
    && b.top < a.bottom;
  const texts = [...svg.querySelectorAll('text')].filter((t) => !t.closest('.diagram-badge'));
  return [...svg.querySelectorAll('.diagram-badge rect')].flatMap((badge) => texts
    .filter((t) => meets(badge.getBoundingClientRect(), t.getBoundingClientRect()))
    .map((t) => `${badge.parentNode.getAttribute('aria-label')} covers ${t.textContent}`));
}"""


@pytest.fixture
def demo(transactional_db) -> None:
    demo_seed()


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # The landing page has loaded (and htmx with it) once the URL has left the login page.
    page.wait_for_url(lambda url: "/login/" not in url)


def open_diagram(page: Page, path: str = "/diagram/") -> None:
    page.goto(path)
    expect(page.locator("svg.diagram").first).to_be_attached()


def names_outside_their_boxes(page: Page, selector: str) -> tuple[list[dict], list[dict]]:
    names = page.locator(selector).evaluate(NAMES_AND_LIMITS)
    for n in names:  # each name is isolated (U+2068…U+2069); they draw nothing
        n["name"] = n["name"].strip("\u2068\u2069")
    return names, [n for n in names if n["right"] > n["limit"]]


def long_names() -> Partnership:
    """The employee listed first in the box gets a 200-character name, and so does one of the
    employees of the smallest partnership (drawn member by member); returns that partnership."""
    first = (
        Member.objects.filter(organization__slug=DEMO_SLUG, quadrant="E")
        .order_by("name", "pk")
        .first()
    )
    smallest = (
        Partnership.objects.filter(organization__slug=DEMO_SLUG, relationships__to_quadrant="E")
        .annotate(size=Count("relationships"))
        .order_by("size", "pk")
        .first()
    )
    theirs = smallest.relationships.filter(to_quadrant="E").first().to_member_id
    Member.objects.filter(pk__in=[first.pk, theirs]).update(name=LONG)
    return smallest


def test_a_200_character_name_stays_inside_its_box_in_the_diagram_map_and_export(page: Page, demo):
    partnership = long_names()
    page.set_viewport_size(LAPTOP)
    log_in(page, "leader")

    open_diagram(page)
    names, outside = names_outside_their_boxes(page, "svg.diagram-overview")
    assert any(n["name"].startswith("Aa MWANGI") and n["name"].endswith("…") for n in names)
    assert not outside, outside
    # The whole name is one hover away.
    expect(page.locator("svg.diagram-overview text.diagram-name title").first).to_have_text(LONG)

    open_diagram(page, f"/diagram/partnerships/{partnership.pk}/")
    names, outside = names_outside_their_boxes(page, "svg.diagram-network")
    assert any(n["name"].startswith("Aa MWANGI") and n["name"].endswith("…") for n in names)
    assert not outside, outside

    export = page.request.get("/diagram/export.svg")
    assert export.ok
    page.set_content(export.text().split("\n", 1)[1])
    names, outside = names_outside_their_boxes(page, "svg")
    assert any(n["name"].startswith("Aa MWANGI") for n in names)
    assert not outside, outside
    # Nothing in the exported file reaches past its canvas.
    width = page.locator("svg").evaluate("(svg) => svg.viewBox.baseVal.width")
    assert max(n["right"] for n in names) <= width


def outline(page: Page, drawing: str, key: str):
    attribute = "data-flow" if len(key) == 2 else "data-quadrant"
    return page.locator(f"svg.{drawing} a[{attribute}='{key}']")


def test_the_diagram_marks_the_quadrant_or_flow_whose_panel_is_open(page: Page, demo):
    page.set_viewport_size(LAPTOP)
    log_in(page, "leader")
    open_diagram(page)
    employees = outline(page, "diagram-overview", "E")
    employees.click()
    expect(page.locator("#panel-title")).to_contain_text("Employees")
    page.mouse.move(0, 0)  # not hovering: what stays outlined is the selection
    expect(employees).to_have_attribute("aria-current", "true")
    expect(employees.locator(".diagram-focus")).to_have_css("visibility", "visible")
    # The phone's drawing (hidden here) marks the same quadrant, and nothing else is marked.
    expect(outline(page, "diagram-compact", "E")).to_have_attribute("aria-current", "true")
    expect(page.locator("svg.diagram a[aria-current]")).to_have_count(2)

    flow = outline(page, "diagram-overview", "ME")
    flow.click()
    expect(page.locator("#panel-title")).to_contain_text("Influential: managers to employees")
    page.mouse.move(0, 0)
    expect(flow).to_have_attribute("aria-current", "true")
    expect(flow.locator(".diagram-focus")).to_have_css("visibility", "visible")
    expect(employees).not_to_have_attribute("aria-current", "true")
    expect(employees.locator(".diagram-focus")).to_have_css("visibility", "hidden")

    page.keyboard.press("Escape")
    expect(page.locator("#panel-title")).to_have_count(0)
    expect(page.locator("svg.diagram a[aria-current]")).to_have_count(0)

    # A panel opened by its address (no script involved) is marked by the page itself.
    page.set_viewport_size(PHONE)
    open_diagram(page, "/diagram/flows/LT/")
    row = outline(page, "diagram-compact", "LT")
    expect(row).to_have_attribute("aria-current", "true")
    expect(row.locator(".diagram-focus")).to_have_css("visibility", "visible")


def overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_two_guidance_counts_stand_apart_each_on_its_own_arrow(page: Page, demo):
    page.set_viewport_size(LAPTOP)
    log_in(page, "leader")
    open_diagram(page)
    pills = {}
    for key in ("LE", "MT"):
        count = page.locator(f"svg.diagram-overview text.diagram-count[data-flow='{key}']")
        expect(count).to_be_visible()
        # The pill behind the count, as drawn on the screen.
        pills[key] = count.locator(
            "xpath=preceding-sibling::*[local-name()='rect'][1]"
        ).bounding_box()
    assert not overlap(pills["LE"], pills["MT"]), pills
    gap = pills["MT"]["x"] - (pills["LE"]["x"] + pills["LE"]["width"])
    assert gap >= 2 * pills["LE"]["height"], pills  # side by side, well apart


def test_each_risk_badge_shows_its_count_and_says_it(page: Page, demo):
    log_in(page, "leader")
    for size in (LAPTOP, PHONE):
        page.set_viewport_size(size)
        open_diagram(page)
        drawing = "svg.diagram-overview" if size is LAPTOP else "svg.diagram-compact"
        badges = page.locator(f"{drawing} a.diagram-badge")
        expect(badges.first).to_be_visible()
        for badge in badges.all():
            shown = badge.locator("text").text_content()
            assert re.fullmatch(r"\d+", shown), shown
            expect(badge).to_have_attribute("aria-label", re.compile(rf"^{shown} risks? in "))
        # A badge covers none of the drawing's words and numbers.
        covered = page.locator(drawing).evaluate(BADGES_COVERING_TEXT)
        assert not covered, covered


@pytest.mark.parametrize("role", ROLES)
def test_axe_finds_nothing_serious_on_the_diagram(open_tab, demo, role):
    """With axe's experimental rules on as well: label-content-name-mismatch is one."""
    page = open_tab(viewport=LAPTOP)
    page.context.add_init_script(AXE_SCRIPT)
    log_in(page, role)
    problems = []
    for size, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for path in ("/diagram/", "/diagram/quadrants/E/", "/diagram/flows/ME/"):
            open_diagram(page, path)
            found = page.evaluate(
                """() => axe.run(document, {
                     resultTypes: ['violations'],
                     rules: {'label-content-name-mismatch': {enabled: true}},
                   })"""
            )["violations"]
            problems += [
                f"{size} {path}: {v['impact']} {v['id']} at {[n['target'] for n in v['nodes'][:3]]}"
                for v in found
                if v["impact"] in ("serious", "critical")
            ]
    assert not problems, "\n".join(problems)
