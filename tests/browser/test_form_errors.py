"""Errors where the user acted: an htmx form answer that holds errors brings the first one on
screen, focused, and a picker left empty says what to pick."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from partnerships.models import Partnership
from tests.browser.test_partnerships import demo, log_in, pick

__all__ = ["demo"]


def in_viewport(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.evaluate("window.innerHeight")
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_a_duplicate_relationship_error_is_on_screen_and_focused(page: Page, demo):
    accounts = Partnership.objects.get(name="Key accounts growth")
    existing = accounts.relationships.filter(ends_on__isnull=True).select_related(
        "from_member", "to_member"
    )[0]
    log_in(page, "leader")
    page.goto(f"/partnerships/{accounts.pk}/")
    pick(page, "from", existing.from_member.name.lower(), existing.from_member.name)
    pick(page, "to", existing.to_member.name.lower(), existing.to_member.name)

    page.get_by_role("button", name="Add relationship").click()

    error = page.locator("#partnership-map .form-errors")
    expect(error).to_contain_text("already have a relationship in this partnership")
    expect(error).to_be_focused()
    assert in_viewport(page, "#partnership-map .form-errors")
    assert (
        accounts.relationships.filter(
            from_member=existing.from_member, to_member=existing.to_member
        ).count()
        == 1
    )


def test_a_picker_left_empty_says_what_to_pick_and_takes_the_focus(page: Page, demo):
    accounts = Partnership.objects.get(name="Key accounts growth")
    before = accounts.relationships.count()
    log_in(page, "leader")
    page.goto(f"/partnerships/{accounts.pk}/")
    member = accounts.relationships.select_related("from_member")[0].from_member
    pick(page, "from", member.name.lower(), member.name)

    page.get_by_role("button", name="Add relationship").click()

    to_box = page.get_by_role("searchbox", name="To")
    expect(to_box).to_be_focused()
    expect(to_box).to_have_attribute("aria-invalid", "true")
    message = "Choose a member for the relationship to reach"
    expect(page.locator("#id_to_query_error")).to_contain_text(message)
    expect(page.locator("#announcer")).to_contain_text(message)
    assert in_viewport(page, "#id_to_query_error")
    assert accounts.relationships.count() == before
