"""A leader applies a card's remedy on the demo organization: the preview lists the
relationships, applying creates exactly those, the card goes, the diagram's flow count moves by
that number, and the audit trail holds one entry for the change."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page, expect

from demo.organizations import demo_seed
from org.models import AuditEntry
from partnerships.models import Partnership, Relationship
from tests.browser.test_diagram import flow_label, log_in

KEY = "team_not_influenced:T"


def axe_problems(page: Page) -> list[str]:
    page.evaluate(AXE_SCRIPT)
    found = []
    for violation in page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]:
        if violation["impact"] in ("serious", "critical"):
            found.append(f"{violation['id']} at {[n['target'] for n in violation['nodes'][:3]]}")
    return found


@pytest.fixture
def demo(transactional_db) -> None:
    demo_seed()


def test_a_leader_applies_a_remedy_from_its_card(page: Page, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "leader")
    page.goto("/diagram/")
    before_flow = int(flow_label(page, "LT").split()[0].replace(",", ""))
    before = set(Relationship.objects.values_list("pk", flat=True))

    page.goto("/health/")
    cards = page.locator("ol.risk-cards > li")
    expect(cards.first).to_be_visible()
    assert cards.count() <= 10
    card = page.locator(f'li.risk-card[data-risk="{KEY}"]')
    expect(card).to_contain_text("No leader influences 13 teams.")

    # The preview opens inside the card (htmx) and lists exactly what will be created.
    card.get_by_role("link", name="Preview and apply").click()
    stewardship = Partnership.objects.select_related("objective").get(name="Team stewardship")
    card.get_by_label("The partnership they serve").select_option(
        label=f"Team stewardship ({stewardship.objective})"
    )
    card.get_by_role("button", name="Preview").click()
    expect(card.get_by_role("heading", name=re.compile("13 relationships to add"))).to_be_visible()
    rows = card.locator("table.remedy-list tbody tr")
    expect(card.locator("table.remedy-list td li")).to_have_count(13)
    # The card with its preview open, on a phone: nothing serious for axe, no sideways scroll.
    assert not axe_problems(page), axe_problems(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    listed = {
        (rows.nth(i).locator("th bdi").text_content(), team)
        for i in range(rows.count())
        for team in rows.nth(i).locator("td li bdi").all_text_contents()
    }

    card.get_by_role("button", name="Add these 13 relationships").click()

    expect(page.get_by_role("status")).to_contain_text(
        "13 relationships added to Team stewardship."
    )
    expect(page.locator(f'li.risk-card[data-risk="{KEY}"]')).to_have_count(0)
    created = Relationship.objects.exclude(pk__in=before).select_related("from_member", "to_member")
    assert {(r.from_member.name, r.to_member.name) for r in created} == listed
    assert {r.type for r in created} == {"influential"}

    page.goto("/diagram/")
    after_flow = int(flow_label(page, "LT").split()[0].replace(",", ""))
    assert after_flow - before_flow == 13

    entries = AuditEntry.objects.filter(action="added relationships")
    assert entries.count() == 1
    page.context.clear_cookies()
    log_in(page, "admin")
    page.goto("/org/audit/")
    expect(page.locator("body")).to_contain_text("Team stewardship: 13 relationships")
