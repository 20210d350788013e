"""A leader opens the partnership health page: the analysis at once, the brokers right after."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from demo.organizations import demo_seed
from tests.browser.test_diagram import log_in


@pytest.fixture
def demo(transactional_db) -> None:
    demo_seed()


def test_the_brokers_arrive_after_the_page_without_a_click(page: Page, demo):
    log_in(page, "leader")
    page.goto("/health/")

    expect(page.get_by_role("heading", name="Partnership health")).to_be_visible()
    brokers = page.locator("section#brokers")
    # htmx swaps the placeholder for the list as soon as the page has loaded (the exact
    # betweenness of the demo's few hundred members: allow for a busy machine).
    expect(brokers.locator("ol.health-brokers li").first).to_be_visible(timeout=30_000)
    expect(brokers).not_to_have_attribute("aria-busy", "true")
    expect(brokers).to_contain_text("paths from leadership to employees pass through")

    # Filtering swaps the report; the brokers of the new slice follow the same way.
    page.get_by_label("Risks in").select_option("E")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"quadrant=E"))
    expect(page.locator("section#brokers ol.health-brokers li").first).to_be_visible()
