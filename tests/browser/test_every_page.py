"""Every page the navigation reaches, for every role, on a phone and on a laptop: nothing
scrolls sideways, axe-core finds nothing serious, and the diagram's text stays readable.

One demo organization and one browser serve the whole sweep; each role has one tab (one
login) whose viewport changes between the two sizes.
"""

from __future__ import annotations

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page, expect

from demo.organizations import DEMO_PASSWORD, demo_seed

ROLES = ("admin", "leader", "manager", "member")
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
PERSONA_PASSWORD = "correct horse battery staple"  # tests/factories.py
HEADER_ON_A_PHONE = 64  # px, at most
DIAGRAM_TEXT_ON_A_PHONE = 12  # px, at least

# The rendered size of each visible piece of SVG text on the page, in CSS pixels: its font
# size scaled by how much larger its box is drawn than its own coordinates say.
SVG_TEXT_SIZES = """(selector) => [...document.querySelectorAll(selector + ' text')]
  .filter((text) => text.getBoundingClientRect().height > 0 && text.getBBox().height > 0)
  .map((text) => parseFloat(getComputedStyle(text).fontSize)
    * text.getBoundingClientRect().height / text.getBBox().height)"""


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)  # the landing page, loaded
    expect(page.locator(".site-menu")).to_have_count(1)


def hrefs(page: Page, selector: str) -> list[str]:
    links = page.locator(selector).evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    return list(dict.fromkeys(links))


def pages_to_visit(page: Page) -> list[str]:
    """The pages the main navigation links to and the user's account page; then the two a
    step away that matter most on a phone: a session's log, and the diagram with a panel open."""
    paths = hrefs(page, ".site-nav a, .site-user a")
    page.goto("/meetings/")
    paths += hrefs(page, "main a[href^='/meetings/sessions/']")[:1]
    paths.append("/diagram/quadrants/E/")
    return paths


def settle(page: Page) -> None:
    """Wait until htmx has no request in flight (the health page loads its brokers after)."""
    expect(page.locator(".htmx-request")).to_have_count(0)


def problems_on(page: Page, path: str, size: str) -> list[str]:
    found = []
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    if width > viewport:
        found.append(f"scrolls sideways ({width} px wide in {viewport})")
    for violation in page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"][:3]]
            found.append(f"axe {violation['impact']}: {violation['id']} at {targets}")
    if size == "phone":
        header = page.locator(".site-header").bounding_box()["height"]
        if header > HEADER_ON_A_PHONE:
            found.append(f"the header is {header:.0f} px tall")
        if path.startswith("/diagram/"):
            sizes = page.evaluate(SVG_TEXT_SIZES, "svg.diagram")
            if not sizes:
                found.append("no diagram text is visible")
            elif min(sizes) < DIAGRAM_TEXT_ON_A_PHONE:
                found.append(f"the diagram's smallest text is {min(sizes):.1f} px")
    return [f"{size} {path}: {problem}" for problem in found]


def test_every_page_fits_a_phone_and_a_laptop_and_passes_axe_for_every_role(open_tab):
    demo_seed()
    problems = []
    visited = 0
    for role in ROLES:
        page = open_tab(viewport=PHONE)
        page.context.add_init_script(AXE_SCRIPT)  # once per tab, not parsed again per check
        log_in(page, role)
        paths = pages_to_visit(page)
        assert "/diagram/" in paths and "/meetings/" in paths, paths
        for size, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
            page.set_viewport_size(viewport)
            for path in paths:
                page.goto(path)
                settle(page)
                problems += [f"{role} {p}" for p in problems_on(page, path, size)]
                visited += 1
        page.context.close()
    assert visited >= 4 * 2 * 8
    assert not problems, "\n".join(problems)


def test_the_phone_menu_opens_without_javascript_and_marks_the_current_page(
    open_tab, leader_membership
):
    page = open_tab(viewport=PHONE, java_script_enabled=False)
    log_in(page, "lee_leader", PERSONA_PASSWORD)
    page.goto("/diagram/")
    menu = page.get_by_text("Menu", exact=True)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Diagram")).to_be_hidden()
    menu.click()
    current = nav.get_by_role("link", name="Diagram")
    expect(current).to_be_visible()
    expect(current).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("sessions")
    assert page.locator(".site-header").bounding_box()["height"] <= HEADER_ON_A_PHONE


def test_on_a_laptop_the_navigation_is_shown_without_a_menu(open_tab, leader_membership):
    page = open_tab(viewport=LAPTOP)
    log_in(page, "lee_leader", PERSONA_PASSWORD)
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Diagram")
    ).to_be_visible()
