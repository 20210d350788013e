"""A leader ticks two actions of the checklist and sees the example area's progress move,
without a reload."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import Action, ChecklistItem
from tests.meetings.conftest import NOW

PASSWORD = "correct horse battery staple"


@pytest.fixture
def the_13_actions(transactional_db):
    """The actions the data migration created. A live-server test before this one empties
    every table when it ends, so write them again with the migration's own function."""
    if not Action.objects.exists():
        migration = importlib.import_module("meetings.migrations.0003_the_thirteen_actions")
        migration.create_actions(apps, None)
    assert Action.objects.count() == 13


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Wait for the landing page to load (its scripts, htmx among them, run before that):
    # acting on it earlier would reach a page whose forms and links htmx has not set up yet.
    page.wait_for_url(lambda url: "/login/" not in url)
    expect(page.locator(".role-badge")).to_be_visible()


def test_a_leader_ticks_two_actions_and_the_example_progress_moves(
    page: Page, the_13_actions, leader_membership, now
):
    log_in(page, "lee_leader")
    page.get_by_role("link", name="Checklist", exact=True).click()
    expect(page.get_by_role("heading", name="My checklist · FY2026 Q1")).to_be_visible()
    page.wait_for_load_state()  # the checklist's page, with htmx, before its buttons are used
    progress = page.locator("#example-progress")
    example = progress.locator("li", has_text="Set the example")
    expect(example.get_by_text("0 of 5 done")).to_be_visible()

    # From here on the page must never reload: a marker on window would vanish if it did.
    page.evaluate("window.noReload = 'still here'")

    first = page.locator("#checklist-1")
    first.get_by_role("button", name="Done: Build my people skills").click()
    expect(first.get_by_role("button", name="Done: Build my people skills")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(example.get_by_text("1 of 5 done")).to_be_visible()
    expect(example.locator("progress")).to_have_attribute("value", "1")

    third = page.locator("#checklist-3")
    third.get_by_role("button", name="Done: Hold the quarterly sessions").click()
    expect(example.get_by_text("2 of 5 done")).to_be_visible()
    expect(example.locator("progress")).to_have_attribute("value", "2")
    expect(third.locator(".state-tag")).to_have_text("Done")

    # The evidence note saves in place too.
    third.get_by_text("Evidence").first.click()
    third.get_by_label("Evidence for “Hold the quarterly sessions”").fill("All four booked")
    third.get_by_role("button", name="Save evidence").click()
    expect(third.get_by_text("Saved.")).to_be_visible()

    assert page.evaluate("window.noReload") == "still here"
    done = ChecklistItem.objects.filter(
        checklist__membership=leader_membership, state="done"
    ).values_list("action__number", flat=True)
    assert sorted(done) == [1, 3]
    assert ChecklistItem.objects.get(action__number=3).note == "All four booked"

    # The dashboard's example area agrees.
    page.get_by_role("link", name="Progress", exact=True).click()
    expect(
        page.locator("#example-progress li", has_text="Set the example").get_by_text("2 of 5 done")
    ).to_be_visible()
