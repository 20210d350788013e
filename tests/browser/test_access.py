"""An admin invites a manager from the access page; the manager opens the link from the mail in
a browser of their own, chooses a password, turns on two-factor and lands on their sessions;
the next login asks for the authenticator app's code."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core import mail
from playwright.sync_api import Page, expect

from org.models import OrgMembership
from tests.access.test_two_factor import app_code
from tests.factories import PersonFactory

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a rather longer passphrase 42"


def test_an_admin_invites_a_manager_who_sets_a_password_turns_on_two_factor_and_lands_on_my_sessions(
    open_tab: Callable[..., Page], org, admin_membership
):
    grace = PersonFactory(
        organization=org, quadrant="M", name="Grace Hopper", email="grace@acme.test"
    )
    admin = open_tab()
    admin.goto("/login/")
    admin.get_by_label("Username").fill("ada_admin")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    expect(admin.locator(".role-badge")).to_have_text("Admin")

    admin.get_by_role("link", name="Access").first.click()
    expect(admin.get_by_role("heading", name="Access", exact=True)).to_be_visible()
    admin.get_by_label("Search").fill("grace")
    row = admin.get_by_role("row").filter(has_text="Grace Hopper")
    expect(row).to_contain_text("No login")
    row.get_by_role("link", name="Grace Hopper").click()
    admin.get_by_label("Role").select_option(label="Manager")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_text("Invited Grace Hopper (grace@acme.test).")).to_be_visible()

    (message,) = mail.outbox
    assert message.to == ["grace@acme.test"]
    link = re.search(r"https?://[^/\s]+(/invitation/[A-Za-z0-9_\-]+/)", message.body).group(1)

    manager = open_tab()  # a browser of their own: no cookie of the admin's
    manager.goto(link)
    expect(manager.get_by_role("heading", name="Join Acme Logistics")).to_be_visible()
    expect(manager.get_by_text("You are invited as Manager")).to_be_visible()
    manager.get_by_label("Choose a password").fill(NEW_PASSWORD)
    manager.get_by_label("The same password again").fill(NEW_PASSWORD)
    manager.get_by_role("button", name="Set the password and join").click()

    expect(manager).to_have_url(re.compile(r"/meetings/$"))
    expect(manager.get_by_role("heading", name="My sessions this quarter")).to_be_visible()
    expect(manager.locator(".role-badge")).to_have_text("Manager")
    expect(manager.get_by_text("Welcome to Acme Logistics.")).to_be_visible()
    login = OrgMembership.objects.get(member=grace)
    assert (login.role, login.user.email) == ("manager", "grace@acme.test")

    admin.reload()
    expect(admin.get_by_text("Active", exact=True)).to_be_visible()

    # The manager turns on two-factor from their account page (typing the password again).
    manager.locator("a.user-name").click()
    manager.get_by_role("link", name="Turn on two-factor").click()
    manager.get_by_label("Password").fill(NEW_PASSWORD)
    manager.get_by_role("button", name="Confirm").click()
    expect(manager.get_by_role("heading", name="Turn on two-factor")).to_be_visible()
    secret = manager.locator("code.totp-secret").inner_text().strip()
    manager.get_by_label("Code").fill(app_code(secret))
    manager.get_by_role("button", name="Turn on two-factor").click()
    expect(manager.get_by_role("list", name="Your unused recovery codes")).to_be_visible()

    # Logging in again asks for the code after the password, then lands on My sessions.
    manager.get_by_role("button", name="Log out").click()
    manager.goto("/login/")
    manager.get_by_label("Username").fill(login.user.get_username())
    manager.get_by_label("Password").fill(NEW_PASSWORD)
    manager.get_by_role("button", name="Log in").click()
    manager.get_by_label("Code").fill(app_code(secret))
    manager.get_by_role("button", name="Log in").click()
    expect(manager).to_have_url(re.compile(r"/meetings/$"))
    expect(manager.get_by_role("heading", name="My sessions this quarter")).to_be_visible()
