"""Two-factor: an authenticator app's code after the password, recovery codes that work once,
and an organization that makes its admins use it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from org.models import AuditEntry, Role
from tests.factories import OrgMembershipFactory

PASSWORD = "correct horse battery staple"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def app_code(secret: str, offset: int = 0) -> str:
    """The six digits an authenticator app shows now (RFC 6238, as the apps compute it)."""
    counter = int(time.time()) // 30 + offset
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def log_in(client: Client, username: str) -> str:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


def two_factor_setup(client: Client) -> tuple[str, bytes]:
    """Open the page that turns two-factor on (typing the password again first, as it asks):
    the secret it shows for the authenticator app, and the page."""
    response = client.get("/account/two-factor/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/reauthenticate/")
    confirmed = client.post(response["Location"], {"password": PASSWORD})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/account/two-factor/totp/activate/"
    setup = client.get("/account/two-factor/totp/activate/")
    assert setup.status_code == 200
    assert b'src="data:image/svg+xml;base64,' in setup.content  # the QR code to scan
    secret = re.search(rb'class="totp-secret">([A-Z2-7]+)<', setup.content).group(1).decode()
    return secret, setup.content


@pytest.fixture
def lena(org):
    membership = OrgMembershipFactory(organization=org, role=Role.LEADER, user__username="lena")
    return membership.user


@pytest.fixture
def lena_with_two_factor(lena):
    TOTP.activate(lena, SECRET)
    return lena


def test_the_account_page_turns_two_factor_on(client, lena):
    log_in(client, "lena")
    page = client.get("/account/")
    assert b"Two-factor is <strong>off</strong>" in page.content
    assert b'href="/account/two-factor/totp/activate/"' in page.content
    secret, _ = two_factor_setup(client)
    response = client.post("/account/two-factor/totp/activate/", {"code": app_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/recovery-codes/"
    codes = client.get("/account/two-factor/recovery-codes/")
    assert len(re.findall(rb"<li><code>[0-9a-f]{8}</code></li>", codes.content)) == 10
    assert Authenticator.objects.filter(user=lena, type=Authenticator.Type.TOTP).exists()
    assert b"Two-factor is <strong>on</strong>" in client.get("/account/").content


def test_a_wrong_code_does_not_turn_it_on(client, lena):
    log_in(client, "lena")
    two_factor_setup(client)
    response = client.post("/account/two-factor/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert b"Incorrect code" in response.content
    assert not Authenticator.objects.filter(user=lena).exists()


def test_the_login_asks_for_the_code_after_the_password(client, lena_with_two_factor):
    assert log_in(client, "lena") == "/account/two-factor/authenticate/"
    assert client.get("/account/").status_code == 302  # not logged in yet
    page = client.get("/account/two-factor/authenticate/")
    assert b"Your two-factor code" in page.content
    response = client.post("/account/two-factor/authenticate/", {"code": app_code(SECRET)})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200


def test_a_wrong_code_is_refused(client, lena_with_two_factor):
    log_in(client, "lena")
    wrong = f"{(int(app_code(SECRET)) + 1) % 1_000_000:06d}"
    response = client.post("/account/two-factor/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert b"Incorrect code" in response.content
    assert client.get("/account/").status_code == 302


def test_a_code_without_the_password_first_logs_nobody_in(client, lena_with_two_factor):
    response = client.post("/account/two-factor/authenticate/", {"code": app_code(SECRET)})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/account/").status_code == 302


def test_a_recovery_code_works_once(lena_with_two_factor):
    (code, *_) = RecoveryCodes.activate(lena_with_two_factor).get_unused_codes()
    first = Client()
    log_in(first, "lena")
    assert first.post("/account/two-factor/authenticate/", {"code": code}).status_code == 302
    assert first.get("/account/").status_code == 200
    again = Client()
    log_in(again, "lena")
    response = again.post("/account/two-factor/authenticate/", {"code": code})
    assert response.status_code == 200
    assert b"Incorrect code" in response.content
    assert again.get("/account/").status_code == 302


# --- an organization's admins must use two-factor ----------------------------------------------


@pytest.fixture
def ada(org):
    return OrgMembershipFactory(organization=org, role=Role.ADMIN, user__username="ada").user


def test_an_admin_without_two_factor_is_sent_to_set_it_up_first(client, org, ada, lena):
    org.admins_use_two_factor = True
    org.save()
    log_in(client, "ada")
    for page in ["/", "/org/members/", "/account/", "/org/settings/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == "/account/two-factor/totp/activate/", page
    secret, page = two_factor_setup(client)
    assert b"Acme Logistics asks its admins to use two-factor" in page
    client.post("/account/two-factor/totp/activate/", {"code": app_code(secret)})
    assert client.get("/org/members/").status_code == 200
    # Only admins are held: a leader of the same organization goes where they like.
    leader = Client()
    log_in(leader, "lena")
    assert leader.get("/org/members/").status_code == 200


def test_without_the_setting_an_admin_goes_anywhere(client, ada):
    log_in(client, "ada")
    assert client.get("/org/members/").status_code == 200


def test_an_admin_turns_the_requirement_on_in_the_settings(admin_client, org, leader_client):
    page = admin_client.get("/org/settings/")
    assert b"Admins must use two-factor" in page.content
    response = admin_client.post("/org/settings/two-factor/", {"admins_use_two_factor": "on"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.admins_use_two_factor is True
    entry = AuditEntry.objects.for_org(org).get(object_type="organization")
    assert entry.changes == {"admins_use_two_factor": [False, True]}
    refused = leader_client.post("/org/settings/two-factor/", {"admins_use_two_factor": ""})
    assert refused.status_code == 403
    org.refresh_from_db()
    assert org.admins_use_two_factor is True


def test_guessing_codes_is_throttled_like_passwords(client, lena_with_two_factor, settings):
    """A wrong code counts as a failed login of that username (org/throttle.py): after
    LOGIN_FAILURES_PER_USERNAME of them even the right code is not checked."""
    log_in(client, "lena")
    right = app_code(SECRET)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME):
        assert (
            b"Incorrect code"
            in client.post("/account/two-factor/authenticate/", {"code": wrong}).content
        )
    refused = client.post("/account/two-factor/authenticate/", {"code": right})
    assert b"Too many failed logins for this account" in refused.content
    assert client.get("/account/").status_code == 302
