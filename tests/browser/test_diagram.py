"""A leader, in a real browser: the diagram, a filter, the employees panel, a member's place."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from demo.organizations import DEMO_PASSWORD, demo_seed
from partnerships.models import Objective


@pytest.fixture
def demo(transactional_db) -> None:
    demo_seed()


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    # Wait for the landing page to load (its scripts, htmx among them, run before that):
    # acting on it earlier would reach a page whose forms and links htmx has not set up yet.
    page.wait_for_url(lambda url: "/login/" not in url)


def objective_reaching_employees() -> Objective:
    """An objective whose partnerships, today, reach employees."""
    return (
        Objective.objects.filter(
            partnerships__relationships__to_quadrant="E",
            partnerships__relationships__ends_on__isnull=True,
        )
        .distinct()
        .order_by("title")
        .first()
    )


def flow_label(page: Page, key: str) -> str:
    return page.locator(f'svg text.diagram-count[data-flow="{key}"]').first.text_content()


def test_a_leader_filters_drills_down_and_finds_a_members_place(page: Page, demo):
    log_in(page, "leader")
    # Leaders land on the diagram.
    expect(page).to_have_url(re.compile(r"/diagram/$"))
    diagram = page.locator("svg.diagram-overview")
    expect(diagram).to_be_visible()
    for name in ("Leadership", "Teams", "Managers", "Employees"):
        expect(diagram.get_by_role("link", name=re.compile(f"^{name}: "))).to_have_count(1)
    whole = {key: flow_label(page, key) for key in ("LM", "TE", "LT", "ME", "LE", "MT")}

    # Filter by an objective: the SVG changes in place, the URL follows, no page load.
    page.evaluate("window.stillHere = true")
    objective = objective_reaching_employees()
    page.get_by_label("Objective").select_option(label=objective.title)
    expect(page).to_have_url(re.compile(rf"/diagram/\?objective={objective.pk}"))
    expect(page.locator("svg.diagram-overview")).to_contain_text(objective.title)
    filtered = {key: flow_label(page, key) for key in whole}
    assert filtered != whole
    assert page.evaluate("window.stillHere") is True

    # Open the employees panel from the quadrant, again without a page load.
    employees = page.locator("svg.diagram-overview").get_by_role(
        "link", name=re.compile(r"^Employees: \d+ active")
    )
    employees.click()
    expect(page).to_have_url(re.compile(r"/diagram/quadrants/E/\?objective="))
    panel = page.locator("#panel")
    expect(panel.get_by_role("heading", name="Employees")).to_be_visible()
    assert page.evaluate("window.stillHere") is True

    # Follow the first employee listed to their place on the map.
    first = panel.locator(".panel-list li").first
    name = first.locator("a").first.inner_text()
    first.get_by_role("link", name=re.compile("Place on the map")).click()
    expect(page).to_have_url(re.compile(r"/diagram/members/\d+/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    expect(page.get_by_role("heading", name=f"Who reaches {name}")).to_be_visible()
    expect(page.locator("svg.diagram-network .diagram-centre")).to_have_count(1)


def test_the_quadrant_links_work_from_the_keyboard(page: Page, demo):
    log_in(page, "leader")
    link = page.locator("svg.diagram-overview a[data-quadrant='M']")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/diagram/quadrants/M/$"))
    heading = page.locator("#panel").get_by_role("heading", name="Managers")
    expect(heading).to_be_visible()
    # The panel's heading takes the focus; Escape closes the panel and returns to the quadrant.
    expect(heading).to_be_focused()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"/diagram/$"))
    expect(heading).to_have_count(0)
    expect(page.locator("svg.diagram-overview a[data-quadrant='M']")).to_be_focused()


def test_on_a_phone_the_diagram_is_drawn_narrow_and_its_rows_open_the_panel(page: Page, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "leader")
    expect(page.locator("svg.diagram-overview")).to_be_hidden()
    compact = page.locator("svg.diagram-compact")
    expect(compact).to_be_visible()
    # The filters wait behind their toggle; the diagram starts on the first screen.
    expect(page.get_by_label("Objective")).to_be_hidden()
    assert compact.bounding_box()["y"] < 844
    compact.locator("a[data-flow='TE']").click()
    expect(page).to_have_url(re.compile(r"/diagram/flows/TE/$"))
    expect(page.locator("#panel-title")).to_contain_text("Direct: teams to employees")
    expect(page.locator("#panel-title")).to_be_focused()
    page.get_by_text("Filters: objective, partnership, day").click()
    page.get_by_label("Objective").select_option(label=objective_reaching_employees().title)
    expect(page).to_have_url(re.compile(r"/diagram/\?objective="))
    expect(page.locator("svg.diagram-compact")).to_be_visible()


def test_the_back_button_returns_to_the_unfiltered_diagram(page: Page, demo):
    log_in(page, "leader")
    before = flow_label(page, "TE")
    page.get_by_label("Objective").select_option(label=objective_reaching_employees().title)
    expect(page).to_have_url(re.compile(r"objective="))
    page.go_back()
    expect(page).to_have_url(re.compile(r"/diagram/$"))
    expect(page.locator('svg text.diagram-count[data-flow="TE"]').first).to_have_text(before)
