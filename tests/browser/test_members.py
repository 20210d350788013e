"""The demo admin, in a real browser: logs in, switches organization, adds a person, and puts
a person on a team by searching for them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from demo.organizations import DEMO_PASSWORD, demo_seed
from org.models import Member, TeamMembership


@pytest.fixture
def demo(transactional_db) -> None:
    demo_seed()


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    if "/login/" not in page.url:
        page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_it_logs_in_as_the_demo_admin(page: Page, demo):
    page.goto("/org/members/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/org/members/"))
    log_in(page, "admin")
    expect(page).to_have_url(re.compile(r"/org/members/$"))
    expect(page.get_by_role("heading", name="People & teams")).to_be_visible()
    expect(page.locator(".role-badge")).to_have_text("Admin")
    expect(page.get_by_role("heading", name="Teams", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Inbound Receiving")).to_be_visible()


def test_it_switches_to_the_second_organization(page: Page, demo):
    log_in(page, "admin")
    page.goto("/org/members/")
    expect(page.get_by_label("Organization")).to_have_value(re.compile(r"\d+"))
    page.get_by_label("Organization").select_option(label="Riverbend Analytics")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator(".role-badge")).to_have_text("Leader")
    page.goto("/org/members/")
    expect(page.get_by_text("Data Platform")).to_be_visible()
    expect(page.get_by_text("Inbound Receiving")).to_have_count(0)


def test_the_admin_adds_a_person_through_the_htmx_form(page: Page, demo):
    log_in(page, "admin")
    page.goto("/org/members/")
    page.get_by_role("link", name="Add person").click()
    page.wait_for_url(re.compile(r"/org/members/new/\?kind=person$"))  # loaded, with htmx

    # An empty name is refused in place: the form comes back with the message, nothing saved.
    with page.expect_response(lambda r: r.request.method == "POST") as refused:
        page.get_by_role("button", name="Add").click()
    assert refused.value.request.headers.get("hx-request") == "true"
    expect(
        page.get_by_text("Give a name: a person's full name or the team's name.")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/org/members/new/\?kind=person$"))
    assert not Member.objects.filter(title="Fleet Electrification Lead").exists()

    page.get_by_label("Name").fill("Zora Quintero")
    page.get_by_label("Quadrant").select_option(label="Employees")
    page.get_by_label("Title").fill("Fleet Electrification Lead")
    page.get_by_label("Email").fill("zora.quintero@northwind.example")
    page.get_by_label("Active from").fill("2025-03-03")
    with page.expect_response(lambda r: r.request.method == "POST") as added:
        page.get_by_role("button", name="Add").click()
    assert added.value.request.headers.get("hx-request") == "true"
    expect(page.get_by_text("Added Zora Quintero.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zora Quintero")

    page.get_by_role("link", name="People & teams").first.click()
    page.wait_for_url(re.compile(r"/org/members/$"))  # loaded, with htmx, before searching
    page.get_by_label("Search").fill("Quintero")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Zora Quintero")).to_be_visible()
    expect(results.get_by_text("Fleet Electrification Lead")).to_be_visible()

    person = Member.objects.get(organization__slug="northwind", name="Zora Quintero")
    assert (person.quadrant, person.kind, person.email) == (
        "E",
        "person",
        "zora.quintero@northwind.example",
    )


def test_the_admin_puts_a_person_on_a_team_by_searching(page: Page, demo):
    team = Member.objects.get(organization__slug="northwind", name="Inbound Receiving")
    fleet = Member.objects.get(organization__slug="northwind", title="Fleet Manager")
    assert not TeamMembership.objects.filter(team=team, person=fleet).exists()
    log_in(page, "admin")
    page.goto(f"/org/members/{team.pk}/")
    section = page.locator("#team-people")
    expect(section.get_by_role("combobox")).to_have_count(0)  # no list of everyone
    expect(section.get_by_role("radio")).to_have_count(0)

    # Typing asks the server for the matches and swaps in only the list of them.
    with page.expect_response(lambda r: "/people/search/" in r.url) as searched:
        section.get_by_label("Add a person").press_sequentially("fleet man")
    assert searched.value.request.headers.get("hx-request") == "true"
    pick = section.get_by_role("radio", name=re.compile(re.escape(fleet.name)))
    expect(pick).to_have_count(1)
    expect(section.get_by_role("radio")).to_have_count(1)
    expect(section.locator("#people-choices")).to_contain_text("Fleet Manager")
    pick.check()

    with page.expect_response(lambda r: r.request.method == "POST") as added:
        section.get_by_role("button", name="Add to team").click()
    assert added.value.request.headers.get("hx-request") == "true"
    expect(section.get_by_text(f"Added {fleet.name}.")).to_be_visible()
    expect(
        section.get_by_role("button", name=f"Remove {fleet.name} from {team.name}")
    ).to_be_visible()
    expect(section.get_by_label("Add a person")).to_have_value("")
    expect(page).to_have_url(re.compile(rf"/org/members/{team.pk}/$"))
    assert TeamMembership.objects.filter(team=team, person=fleet).exists()
