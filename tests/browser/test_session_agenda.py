"""A member, not a manager, opens their next session, adds an agenda item, and the
facilitator sees it in its place on the agenda."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from meetings.models import AgendaItem
from tests.browser.test_sessions import log_in, quarter  # noqa: F401 (the fixture)


def test_a_member_adds_an_agenda_item_the_facilitator_sees_in_place(
    open_tab,
    quarter,  # noqa: F811
):
    member: Page = open_tab()
    log_in(member, "mia_member")
    member.get_by_role("link", name="Sessions", exact=True).click()
    expect(member.get_by_role("heading", name="My sessions this quarter")).to_be_visible()
    due = member.locator("section", has=member.get_by_role("heading", name=re.compile("^Due")))
    due.get_by_role("link", name="Quality first").click()
    member.wait_for_url(re.compile(rf"/meetings/sessions/{quarter['due'].pk}/$"))

    agenda = member.locator("#agenda")
    expect(agenda.get_by_role("heading", name=re.compile("^Agenda"))).to_be_visible()
    agenda.get_by_label("Part of the agenda").select_option(label="Objectives")
    agenda.get_by_label(re.compile(r"^Agenda item:?$")).fill("Night shift handover")
    agenda.get_by_role("button", name="Add to the agenda").click()
    member.wait_for_url(re.compile(r"#agenda$"))
    expect(member.get_by_text("Added your agenda item.")).to_be_visible()
    mine = (
        member.locator("#agenda-objectives")
        .get_by_role("listitem")
        .filter(has_text="Night shift handover")
    )
    expect(mine).to_contain_text("(you)")
    assert AgendaItem.objects.get().added_by.name == "Mia Member"

    facilitator: Page = open_tab()
    log_in(facilitator, "lee_leader")
    facilitator.goto(f"/meetings/sessions/{quarter['due'].pk}/")
    theirs = (
        facilitator.locator("#agenda-objectives")
        .get_by_role("listitem")
        .filter(has_text="Night shift handover")
    )
    expect(theirs).to_contain_text("Added by Mia Member")
    expect(theirs.get_by_role("link", name=re.compile("^Edit"))).to_be_visible()
