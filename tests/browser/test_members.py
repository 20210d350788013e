"""The demo admin, in a real browser: logs in, switches organization, adds a person."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from org.demo import DEMO_PASSWORD, demo_seed


@pytest.fixture
def demo(transactional_db) -> None:
    demo_seed()


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_it_logs_in_as_the_demo_admin(page: Page, demo):
    page.goto("/org/members/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/org/members/"))
    log_in(page, "admin")
    expect(page).to_have_url(re.compile(r"/org/members/$"))
    expect(page.get_by_role("heading", name="People & teams")).to_be_visible()
    expect(page.locator(".role-badge")).to_have_text("Admin")
    expect(page.get_by_role("heading", name="Teams", exact=True)).to_be_visible()


def test_it_switches_to_the_second_organization(page: Page, demo):
    log_in(page, "admin")
    expect(page.get_by_label("Organization")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Organization").select_option(label="Riverbend Analytics")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator(".role-badge")).to_have_text("Leader")
    expect(page.get_by_text("Data Platform")).to_be_visible()
    expect(page.get_by_text("Inbound Receiving")).to_have_count(0)
