"""A leader rehearses a restructure on the demo organization: drafts a scenario of three
steps (two new relationships and one ended), reads the before → after, and applies it."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from playwright.sync_api import Page, expect

from demo.organizations import demo_seed
from org.models import AuditEntry, Member, Organization
from partnerships import rules
from partnerships.models import Partnership, Relationship
from scenarios.models import Scenario
from tests.browser.test_diagram import log_in
from tests.browser.test_health_remedy import axe_problems


@pytest.fixture
def demo(transactional_db) -> None:
    demo_seed()


def _unique_names(organization: Organization) -> set[str]:
    counts = Counter(
        Member.objects.filter(organization=organization).values_list("name", flat=True)
    )
    return {name for name, n in counts.items() if n == 1}


def _plan(organization: Organization):
    """Two new pairs (leader → employee, guidance) in a partnership that has neither yet, and
    one open relationship of another partnership to end (none of the chain of command)."""
    day = organization.today()
    unique = _unique_names(organization)
    partnership = (
        Partnership.objects.for_org(organization)
        .active_on(day)
        .exclude(name__in=[rules.CHAIN_OF_COMMAND, rules.TEAM_STEWARDSHIP])
        .order_by("name")
        .first()
    )
    active = Member.objects.for_org(organization).active_on(day).filter(name__in=unique)
    leaders = list(active.filter(quadrant="L").order_by("name")[:2])
    employees = list(active.filter(quadrant="E").order_by("name")[:10])
    held = set(partnership.relationships.values_list("from_member", "to_member"))
    pairs = [(a, b) for a in leaders for b in employees if (a.pk, b.pk) not in held][:2]
    ended = (
        Relationship.objects.for_org(organization)
        .active_on(day)
        .exclude(partnership__name__in=[rules.CHAIN_OF_COMMAND, rules.TEAM_STEWARDSHIP])
        .filter(from_member__name__in=unique, starts_on__lt=day)
        .select_related("from_member", "to_member", "partnership")
        .order_by("pk")
        .first()
    )
    return partnership, pairs, ended


def test_a_leader_drafts_reads_and_applies_a_scenario(page: Page, demo):
    organization = Organization.objects.get(slug="northwind")
    partnership, pairs, ended = _plan(organization)
    guidance_before = (
        Relationship.objects.for_org(organization)
        .active_on(organization.today())
        .filter(from_quadrant="L", to_quadrant="E")
        .count()
    )
    log_in(page, "leader")
    page.goto("/scenarios/")
    expect(page.get_by_text("No scenario yet")).to_be_visible()
    page.get_by_label("Name:").fill("Guidance for the dock")
    page.get_by_role("button", name="Create scenario").click()
    expect(
        page.get_by_role("status").filter(has_text="Scenario: Guidance for the dock")
    ).to_be_visible()

    for source, target in pairs:
        page.get_by_role("link", name="Add a relationship").click()
        page.get_by_label("From:", exact=True).fill(source.name)
        page.get_by_label("To:", exact=True).fill(target.name)
        page.get_by_label("Partnership:").select_option(label=partnership.name)
        page.get_by_role("button", name="Add the step").click()
        expect(page.locator(".messages, [role=status]").first).to_be_visible()

    page.get_by_role("link", name="End a relationship").click()
    page.get_by_label("One of its members:", exact=True).fill(ended.from_member.name)
    page.get_by_role("button", name="Add the step").click()
    # the member's relationships offered to pick, on a phone: readable, nothing sideways
    page.set_viewport_size({"width": 390, "height": 844})
    assert not axe_problems(page), axe_problems(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label(re.compile(re.escape(f"→ {ended.to_member.name} ("))).first.check()
    page.get_by_role("button", name="Add the step").click()

    steps = page.locator("ol.scenario-steps > li")
    expect(steps).to_have_count(3)
    expect(steps.nth(0)).to_contain_text(f"Add {pairs[0][0].name} → {pairs[0][1].name}")
    expect(steps.nth(2)).to_contain_text(f"End {ended.from_member.name} → {ended.to_member.name}")
    # before → after: the leadership → employees flow gains the two new lines
    row = page.get_by_role("row", name=re.compile("^Leadership → Employees"))
    change = 2 - (1 if ended.from_quadrant == "L" and ended.to_quadrant == "E" else 0)
    expect(row.get_by_role("cell")).to_have_text(
        [str(guidance_before), str(guidance_before + change), f"+{change}"]
    )
    assert not axe_problems(page), axe_problems(page)
    assert (
        Relationship.objects.filter(partnership=partnership)
        .filter(from_member=pairs[0][0], to_member=pairs[0][1])
        .count()
        == 0
    )  # nothing live yet

    page.get_by_role("link", name="Apply…").click()
    expect(page.get_by_role("heading", name=re.compile("Apply"))).to_be_visible()
    assert not axe_problems(page), axe_problems(page)
    page.get_by_role("button", name="Apply the scenario").click()
    expect(page.get_by_text(re.compile("applied as of its effective date"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="read-only")).to_be_visible()

    scenario = Scenario.objects.get(name="Guidance for the dock")
    assert scenario.status == Scenario.Status.APPLIED
    for source, target in pairs:
        assert Relationship.objects.filter(
            partnership=partnership, from_member=source, to_member=target, ends_on=None
        ).exists()
    ended.refresh_from_db()
    assert ended.ends_on == scenario.effective_on
    assert AuditEntry.objects.filter(object_type="scenario", action="applied").count() == 1
