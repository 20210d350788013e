"""The leader, in a real browser: two members are found by typing part of their names and
picked among the matches, the type shows as soon as both are picked, then the relationship is
added through HTMX and the missing channel disappears."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from demo.organizations import DEMO_PASSWORD, demo_seed
from partnerships.graph import complete_triads
from partnerships.models import Partnership


@pytest.fixture
def demo(transactional_db) -> None:
    demo_seed()


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Wait for the landing page to load (its scripts, htmx among them, run before that):
    # acting on it earlier would reach a page whose forms and links htmx has not set up yet.
    page.wait_for_url(lambda url: "/login/" not in url)


def pick(page: Page, side: str, text: str, name: str) -> None:
    """Type into one side's search box, then pick the member among the matches shown."""
    page.get_by_role("searchbox", name=side.capitalize()).fill(text)
    choice = page.locator(f"#{side}-choices").get_by_role("radio", name=name)
    expect(choice).to_be_visible()
    choice.check()


def test_the_leader_completes_a_triad(page: Page, demo):
    accounts = Partnership.objects.get(name="Key accounts growth")
    suggestion = accounts.relationships.get(to_member__title="Account Manager").to_member
    team = accounts.relationships.get(to_member__name="Key Accounts").to_member
    log_in(page, "leader")
    page.get_by_role("link", name="Partnerships", exact=True).click()
    page.get_by_role("link", name="Key accounts growth").click()
    page.wait_for_url(re.compile(rf"/partnerships/{accounts.pk}/$"))  # loaded, htmx with it
    expect(page.locator(".suggestion-list")).to_contain_text(
        f"relationship from {suggestion.name} to Key Accounts"
    )

    expect(page.locator("#partnership-map input[type=radio]")).to_have_count(0)
    pick(page, "from", suggestion.name.lower(), suggestion.name)
    expect(page.locator("#type-preview")).to_contain_text("Pick both members")
    pick(page, "to", "key acc", team.name)
    expect(page.locator("#type-preview")).to_contain_text("Guidance")
    # Searching again keeps the member picked so far.
    with page.expect_response(lambda r: "/relationships/members/from/" in r.url):
        page.get_by_role("searchbox", name="From").fill("zzzz")
    expect(page.locator("#from-choices").get_by_role("radio", checked=True)).to_have_count(1)

    page.get_by_label("What it carries").fill("which accounts to grow first")
    with page.expect_response(lambda r: r.request.method == "POST") as added:
        page.get_by_role("button", name="Add relationship").click()
    assert added.value.request.headers.get("hx-request") == "true"
    expect(page.get_by_text("a guidance relationship.")).to_be_visible()
    assert accounts.relationships.filter(
        from_member=suggestion, to_member=team, type="guidance"
    ).exists()


def test_the_type_preview_explains_a_refused_direction(page: Page, demo):
    promise = Partnership.objects.get(name="Customer care promise")
    agent = (
        promise.relationships.filter(to_member__title="Customer Service Agent").first().to_member
    )
    manager = (
        promise.relationships.filter(from_member__title="Customer Service Manager")
        .select_related("from_member")
        .first()
    )
    log_in(page, "leader")
    page.goto(f"/partnerships/{promise.pk}/")
    pick(page, "from", agent.name, agent.name)
    pick(page, "to", manager.from_member.name, manager.from_member.name)
    expect(page.locator("#type-preview")).to_contain_text("never back up or left")


def test_the_partnership_page_lists_each_complete_triad_with_its_members_and_types(
    page: Page, demo
):
    """Each item names three people and the three types between them (once it listed empty
    items, "• ; ; .", and every test passed)."""
    with_triads = []
    leaders = Partnership.objects.filter(organization__memberships__user__username="leader")
    for partnership in leaders.select_related("organization"):
        today = partnership.organization.today()
        edges = [
            (r.from_member_id, r.to_member_id, r.type)
            for r in partnership.relationships.active_on(today)
        ]
        triads = complete_triads(edges)
        if triads:
            with_triads.append((partnership, triads))
    assert with_triads, "the demo has a partnership with a complete triad"
    partnership, triads = with_triads[0]

    log_in(page, "leader")
    page.goto(f"/partnerships/{partnership.pk}/")
    expect(page.get_by_role("heading", name=f"Complete triads ({len(triads)})")).to_be_visible()
    items = page.locator(".triad-list li")
    expect(items.first).to_be_visible()
    assert 0 < items.count() <= len(triads)
    for item in items.all():
        names = [n.strip() for n in item.locator("bdi").all_inner_texts()]
        assert len(names) == 6 and all(names), item.inner_text()
        assert len(set(names)) == 3, item.inner_text()  # three people, each at two ends
        types = sorted(item.locator(".type-tag").evaluate_all("tags => tags.map(t => t.className)"))
        assert types == [
            "type-tag type-direct",
            "type-tag type-guidance",
            "type-tag type-influential",
        ]
        assert all(t.strip() for t in item.locator(".type-tag").all_inner_texts())
