"""An admin, in a real browser, previews an HR file that would archive most of the
organization: the preview leads with it, and applying asks for the number first. On a phone
as on a laptop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from org.models import Member, Role
from tests.factories import (
    OrganizationFactory,
    OrgMembershipFactory,
    PersonFactory,
    UserFactory,
)

PASSWORD = "correct horse battery staple"
SIX = b"id,name,position,parentId,department\n1,Ann Lee,President,,Board\n2,Ben Ng,Sales Manager,1,Sales\n3,Cat Do,Sales Rep,2,Sales\n4,Dan Wu,Sales Rep,2,Sales\n5,Eve Ek,Vice President,1,Board\n6,Fay Li,Clerk,5,Board\n"


@pytest.fixture
def organization(transactional_db):
    org = OrganizationFactory(name="Acme Logistics", slug="acme")
    OrgMembershipFactory(
        organization=org, role=Role.ADMIN, user=UserFactory(username="admin", password=PASSWORD)
    )
    for i in range(1, 40):
        PersonFactory(organization=org, external_id=f"E-{i:03d}", name=f"Long-serving Person {i}")
    return org


@pytest.mark.parametrize("width", [1366, 390])
def test_the_preview_leads_with_the_people_it_archives(page: Page, organization, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    page.goto("/org/members/")
    page.get_by_role("link", name="Import from HR file").click()
    upload = tmp_path / "six.csv"
    upload.write_bytes(SIX)
    page.get_by_label("CSV file or spreadsheet").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("button", name="Preview the import").click()

    archive = page.locator(".import-archive")
    expect(archive.get_by_role("heading")).to_have_text(
        "39 of the 39 active people will be archived"
    )
    expect(archive).to_contain_text("Long-serving Person 1 (E-001)")
    box = archive.bounding_box()
    assert box is not None and box["width"] <= width
    shots = os.environ.get("IMPORT_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / f"import-preview-{width}.png"), full_page=True)
        page.screenshot(path=str(Path(shots) / f"import-preview-{width}-top.png"))
        page.locator("section.card", has_text="What changes").screenshot(
            path=str(Path(shots) / f"import-preview-{width}-changes.png")
        )

    page.get_by_role("button", name="Apply and archive 39 people").click()
    expect(page.get_by_text("Type 39, the number of people this import archives")).to_be_visible()
    assert Member.objects.filter(organization=organization, active_until__isnull=True).count() == 39
    page.get_by_label("To apply it, type how many people it archives").fill("39")
    page.get_by_role("button", name="Apply and archive 39 people").click()
    expect(page.get_by_role("heading", name="People & teams")).to_be_visible()
    assert Member.objects.filter(organization=organization, active_until__isnull=True).count() == 8
