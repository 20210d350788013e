"""A manager logs a quarterly session in a real browser, without a single page reload."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from meetings.models import ActionItem, FeedbackItem, Session, SessionSuccess
from tests.factories import PartnershipFactory, RelationshipFactory, SessionFactory
from tests.meetings.conftest import NOW

UTC = datetime.UTC
PASSWORD = "correct horse battery staple"


@pytest.fixture
def quarter(org, leader_membership, manager_membership, member_membership, monkeypatch):
    """Now is Monday 16 February 2026. 'Quality first' has its FY2026 Q1 session due on
    Friday and its FY2026 Q2 session planned in April."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    lee, max_, mia = (m.member for m in (leader_membership, manager_membership, member_membership))
    partnership = PartnershipFactory(organization=org, name="Quality first")
    for a, b in [(lee, max_), (max_, mia), (lee, mia)]:
        RelationshipFactory(partnership=partnership, from_member=a, to_member=b)
    people = [lee, max_, mia]
    due = SessionFactory(
        partnership=partnership,
        facilitator=lee,
        starts_at=datetime.datetime(2026, 2, 20, 9, tzinfo=UTC),
        attendees=people,
    )
    following = SessionFactory(
        partnership=partnership,
        facilitator=lee,
        starts_at=datetime.datetime(2026, 4, 21, 9, tzinfo=UTC),
        attendees=people,
    )
    return {"due": due, "next": following}


def log_in(page: Page, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Wait for the landing page to load (its scripts, htmx among them, run before that):
    # acting on it earlier would reach a page whose forms and links htmx has not set up yet.
    page.wait_for_url(lambda url: "/login/" not in url)
    expect(page.locator(".role-badge")).to_be_visible()


def test_a_manager_logs_a_session_in_place_and_the_next_one_carries_the_action(page: Page, quarter):
    log_in(page, "max_manager")
    page.get_by_role("link", name="Sessions", exact=True).click()
    expect(page.get_by_role("heading", name="My sessions this quarter")).to_be_visible()
    due_group = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Due")))
    due_group.get_by_role("link", name="Quality first").click()
    # The session's page has loaded, htmx with it, before its forms are used.
    page.wait_for_url(re.compile(rf"/meetings/sessions/{quarter['due'].pk}/$"))

    # From here on the page must never reload: a marker on window would vanish if it did.
    page.evaluate("window.noReload = 'still here'")

    # Each form that lists the partnership's people opens from its link, in place.
    successes = page.locator("#successes")
    successes.get_by_role("link", name="Add success").click()
    successes.get_by_label(re.compile(r"^Success:?$")).fill("Returns fell by a third")
    successes.get_by_label("Shared by").select_option(label="Max Manager")
    successes.get_by_role("button", name="Add success").click()
    expect(successes.get_by_text("Returns fell by a third")).to_be_visible()
    expect(successes.get_by_label(re.compile(r"^Success:?$"))).to_have_value("")

    feedback = page.locator("#feedback")
    feedback.get_by_role("link", name="Add feedback").click()
    feedback.get_by_label("From").select_option(label="Mia Member")
    feedback.get_by_label(re.compile(r"^Feedback:?$")).fill("The checklist is too long")
    feedback.get_by_role("button", name="Add feedback").click()
    expect(feedback.get_by_text("The checklist is too long")).to_be_visible()
    expect(feedback.get_by_text("From Mia Member")).to_be_visible()

    actions = page.locator("#actions")
    actions.get_by_role("link", name="Add action item").click()
    actions.get_by_label(re.compile(r"^Action:?$")).fill("Shorten the checklist to one page")
    actions.get_by_label("Owner").select_option(label="Max Manager")
    actions.get_by_label("Due").fill("2026-03-13")
    actions.get_by_role("button", name="Add action item").click()
    expect(actions.get_by_text("Shorten the checklist to one page")).to_be_visible()
    expect(actions.get_by_text("Open", exact=True)).to_be_visible()

    details = page.locator("#details")
    details.get_by_role("link", name="Mark held").click()
    expect(details.get_by_label("Mia Member")).to_be_checked()  # the invited, ticked
    details.get_by_role("button", name="Mark held").click()
    expect(details.locator(".status-tag")).to_have_text("Held")
    expect(details.get_by_role("link", name="Update attendance")).to_be_visible()

    assert page.evaluate("window.noReload") == "still here"
    due = Session.objects.get(pk=quarter["due"].pk)
    assert due.status == Session.Status.HELD
    assert SessionSuccess.objects.get().text == "Returns fell by a third"
    assert FeedbackItem.objects.get().from_member.name == "Mia Member"
    action = ActionItem.objects.get()
    assert (action.owner.name, action.due_on, action.done_on) == (
        "Max Manager",
        datetime.date(2026, 3, 13),
        None,
    )

    # Next quarter's session of the same partnership shows the action item, still open.
    page.goto(f"/meetings/sessions/{quarter['next'].pk}/")
    since = page.locator("#since")
    expect(since.get_by_role("link", name="FY2026 Q1")).to_be_visible()
    item = since.locator("li", has_text="Shorten the checklist to one page")
    expect(item).to_be_visible()
    expect(item.get_by_text("Open", exact=True)).to_be_visible()
    expect(since.get_by_text("1 action item still open.")).to_be_visible()
    expect(since.get_by_text("Returns fell by a third")).to_be_visible()


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until the target has the focus, then check the focus ring shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            ring = target.evaluate(
                "element => [getComputedStyle(element).outlineStyle,"
                " parseFloat(getComputedStyle(element).outlineWidth)]"
            )
            assert ring[0] != "none" and ring[1] >= 2, f"no visible focus ring: {ring}"
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def test_a_manager_logs_a_session_with_the_keyboard_alone(page: Page, quarter):
    page.goto("/login/")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("max_manager")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My sessions this quarter")).to_be_visible()

    due = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Due")))
    tab_to(page, due.get_by_role("link", name="Quality first"))
    page.keyboard.press("Enter")
    # The session's page has loaded, htmx with it, before its forms are used.
    page.wait_for_url(re.compile(rf"/meetings/sessions/{quarter['due'].pk}/$"))

    successes = page.locator("#successes")
    tab_to(page, successes.get_by_role("link", name="Add success"))
    page.keyboard.press("Enter")
    # The form opens in place with the focus in its first field.
    expect(successes.get_by_label(re.compile(r"^Success:?$"))).to_be_focused()
    page.keyboard.type("Returns fell by a third")
    page.keyboard.press("Tab")
    expect(successes.get_by_label("Shared by")).to_be_focused()
    page.keyboard.type("Max")
    tab_to(page, successes.get_by_role("button", name="Add success"))
    page.keyboard.press("Enter")
    expect(successes.get_by_text("Returns fell by a third")).to_be_visible()
    # The focus stays in the form, ready for the next success.
    expect(successes.get_by_label(re.compile(r"^Success:?$"))).to_be_focused()

    actions = page.locator("#actions")
    tab_to(page, actions.get_by_role("link", name="Add action item"))
    page.keyboard.press("Enter")
    expect(actions.get_by_label(re.compile(r"^Action:?$"))).to_be_focused()
    page.keyboard.type("Shorten the checklist to one page")
    page.keyboard.press("Tab")
    expect(actions.get_by_label("Owner")).to_be_focused()
    page.keyboard.type("Max")
    tab_to(page, actions.get_by_role("button", name="Add action item"))
    page.keyboard.press("Enter")
    item = actions.locator("li", has_text="Shorten the checklist to one page")
    expect(item.get_by_text("Open", exact=True)).to_be_visible()

    tab_to(page, item.get_by_role("button", name="Mark done"))
    page.keyboard.press("Enter")
    expect(item.get_by_text(re.compile(r"^Done "))).to_be_visible()
    expect(item.get_by_role("button", name="Reopen")).to_be_focused()

    success = SessionSuccess.objects.get()
    assert (success.text, success.shared_by.name) == ("Returns fell by a third", "Max Manager")
    action = ActionItem.objects.get()
    assert (action.text, action.owner.name) == ("Shorten the checklist to one page", "Max Manager")
    assert action.done_on is not None
