"""The admin, in a real browser, takes back a relationship added by mistake the same day it was
added; the quadrant move it blocked then goes through."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from org.models import AuditEntry, Member, Quadrant, QuadrantMove, Role
from partnerships.models import Relationship
from tests.factories import (
    ObjectiveFactory,
    OrganizationFactory,
    OrgMembershipFactory,
    PartnershipFactory,
    PersonFactory,
)

PASSWORD = "corrections-pass-1"


@pytest.fixture
def drive(transactional_db):
    """An admin and a partnership of Lee (Leadership), Max (Managers) and Mia (Employees)."""
    organization = OrganizationFactory(name="Acme Logistics", slug="acme")
    user = get_user_model().objects.create_user("ada", password=PASSWORD)
    OrgMembershipFactory(organization=organization, role=Role.ADMIN, user=user)
    for name, quadrant in [
        ("Lee Leader", Quadrant.LEADERSHIP),
        ("Max Manager", Quadrant.MANAGERS),
        ("Mia Member", Quadrant.EMPLOYEES),
    ]:
        PersonFactory(organization=organization, name=name, quadrant=quadrant)
    return PartnershipFactory(
        organization=organization,
        objective=ObjectiveFactory(organization=organization, title="Zero defects"),
        name="Quality drive",
        formed_on=datetime.date(2024, 1, 1),
    )


def log_in(page: Page) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def pick(page: Page, side: str, name: str) -> None:
    page.get_by_role("searchbox", name=side.capitalize()).fill(name)
    choice = page.locator(f"#{side}-choices").get_by_role("radio", name=name)
    expect(choice).to_be_visible()
    choice.check()


def try_to_move_mia_to_managers(page: Page, mia: Member) -> None:
    page.goto(f"/org/members/{mia.pk}/move/")
    page.get_by_label("Move to").select_option(label="Managers")
    page.get_by_role("button", name="Move").click()


def test_a_relationship_added_by_mistake_is_removed_and_the_blocked_move_goes_through(
    page: Page, drive
):
    mia = Member.objects.get(name="Mia Member")
    log_in(page)

    # The mistake: Max → Mia, added today.
    page.goto(f"/partnerships/{drive.pk}/")
    pick(page, "from", "Max Manager")
    pick(page, "to", "Mia Member")
    page.get_by_role("button", name="Add relationship").click()
    expect(
        page.get_by_text("a influential relationship.").or_(
            page.get_by_text("an influential relationship.")
        )
    ).to_be_visible()
    mistake = Relationship.objects.get(partnership=drive)

    # It blocks moving Mia to Managers today: it cannot be ended as of the day it starts.
    try_to_move_mia_to_managers(page, mia)
    page.get_by_label("End these relationships as of the move date").check()
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_text("cannot be ended as of the move date")).to_be_visible()
    assert Member.objects.get(pk=mia.pk).quadrant == Quadrant.EMPLOYEES

    # Remove it: the confirmation says what it is, then it is gone, with Undo offered.
    page.goto(f"/partnerships/{drive.pk}/")
    page.get_by_role("link", name="Remove Max Manager → Mia Member").click()
    expect(page.get_by_role("heading", name="Remove this relationship?")).to_be_visible()
    expect(
        page.get_by_text("Max Manager → Mia Member: influential, in Quality drive")
    ).to_be_visible()
    page.get_by_role("button", name="Remove: it never happened").click()
    expect(page.get_by_text("Max Manager → Mia Member removed: it never happened.")).to_be_visible()
    expect(page.locator(".messages").get_by_role("button", name="Undo")).to_be_visible()
    assert not Relationship.objects.filter(pk=mistake.pk).exists()
    kept = AuditEntry.objects.get(action="removed", object_type="relationship").changes
    assert kept["from_member"][0]["repr"] == "Max Manager"

    # The move now goes through.
    try_to_move_mia_to_managers(page, mia)
    expect(page.get_by_text("Moved Mia Member to Managers.")).to_be_visible()
    assert Member.objects.get(pk=mia.pk).quadrant == Quadrant.MANAGERS
    assert QuadrantMove.objects.filter(member=mia, to_quadrant=Quadrant.MANAGERS).exists()


def test_undo_in_the_message_puts_a_removed_relationship_back(page: Page, drive):
    log_in(page)
    page.goto(f"/partnerships/{drive.pk}/")
    pick(page, "from", "Lee Leader")
    pick(page, "to", "Max Manager")
    page.get_by_role("button", name="Add relationship").click()
    # Undo right after adding (in place): the relationship goes again.
    page.locator("#partnership-map").get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Lee Leader → Max Manager removed: it never happened.")).to_be_visible()
    assert not Relationship.objects.filter(partnership=drive).exists()
    # Undo of the removal: it is back.
    page.locator(".messages").get_by_role("button", name="Undo").click()
    expect(page.get_by_text("Lee Leader → Max Manager is back.")).to_be_visible()
    assert Relationship.objects.filter(partnership=drive, type="direct").count() == 1
