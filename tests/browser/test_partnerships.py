"""The leader, in a real browser: the type shows as two members are picked, then the
relationship is added through HTMX and the missing channel disappears."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from org.demo import DEMO_PASSWORD, demo_seed
from partnerships.models import Partnership


@pytest.fixture
def demo(transactional_db) -> None:
    demo_seed()


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_the_leader_completes_a_triad(page: Page, demo):
    accounts = Partnership.objects.get(name="Key accounts growth")
    suggestion = accounts.relationships.get(to_member__title="Account Manager").to_member
    team = accounts.relationships.get(to_member__name="Key Accounts").to_member
    log_in(page, "leader")
    page.get_by_role("link", name="Partnerships", exact=True).click()
    page.get_by_role("link", name="Key accounts growth").click()
    expect(page.locator(".suggestion-list")).to_contain_text(
        f"relationship from {suggestion.name} to Key Accounts"
    )

    page.locator("#id_from_member").select_option(str(suggestion.pk))
    page.locator("#id_to_member").select_option(str(team.pk))
    expect(page.locator("#type-preview")).to_contain_text("Guidance")

    page.get_by_label("What it carries").fill("which accounts to grow first")
    with page.expect_response(lambda r: r.request.method == "POST") as added:
        page.get_by_role("button", name="Add relationship").click()
    assert added.value.request.headers.get("hx-request") == "true"
    expect(page.get_by_text("a guidance relationship.")).to_be_visible()
    assert accounts.relationships.filter(from_member=suggestion, type="guidance").exists()


def test_the_type_preview_explains_a_refused_direction(page: Page, demo):
    promise = Partnership.objects.get(name="Customer care promise")
    agent = (
        promise.relationships.filter(to_member__title="Customer Service Agent").first().to_member
    )
    manager = promise.relationships.filter(from_member__title="Customer Service Manager").first()
    log_in(page, "leader")
    page.goto(f"/partnerships/{promise.pk}/")
    page.locator("#id_from_member").select_option(str(agent.pk))
    page.locator("#id_to_member").select_option(str(manager.from_member_id))
    expect(page.locator("#type-preview")).to_contain_text("never back up or left")
