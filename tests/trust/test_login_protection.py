"""Logging in: failed attempts throttled per account and per address, passwords held to the
validators, sessions that end, and logging out on every device."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session as StoredSession
from django.test import Client, RequestFactory
from django.utils import timezone

from org.models import LoginAttempt
from org.throttle import client_address
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def user(db):
    return UserFactory(username="lena")


def log_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_it_logs_in_with_the_right_password(client, user):
    response = log_in(client, "lena", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)
    assert not LoginAttempt.objects.exists()


def test_it_refuses_even_the_right_password_after_five_failures_for_the_account(client, user):
    for _ in range(5):
        response = log_in(client, "lena", "wrong")
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content
    response = log_in(client, "lena", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed logins for this account or from this address" in response.content
    assert b"Wait 15 minutes and try again" in response.content
    assert not logged_in(client)
    assert LoginAttempt.objects.filter(username="lena").count() == 5  # the refused one is not


def test_the_account_is_throttled_from_every_address_and_in_any_letter_case(client, user):
    for number in range(5):
        log_in(client, "lena", "wrong", address=f"10.0.1.{number}")
    response = log_in(client, "LENA", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429


def test_it_lets_the_account_in_once_its_failures_are_older_than_the_window(client, user):
    for _ in range(5):
        log_in(client, "lena", "wrong")
    LoginAttempt.objects.update(at=timezone.now() - datetime.timedelta(minutes=16))
    response = log_in(client, "lena", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)
    assert not LoginAttempt.objects.exists()


def test_it_says_how_long_is_left_to_wait(client, user):
    for _ in range(5):
        log_in(client, "lena", "wrong")
    LoginAttempt.objects.update(at=timezone.now() - datetime.timedelta(minutes=14, seconds=30))
    response = log_in(client, "lena", PASSWORD)
    assert response.status_code == 429
    assert b"Wait 1 minute and try again" in response.content


def test_a_successful_login_forgives_the_accounts_earlier_failures(client, user):
    for _ in range(4):
        log_in(client, "lena", "wrong")
    assert log_in(client, "lena", PASSWORD).status_code == 302
    assert not LoginAttempt.objects.filter(username="lena").exists()
    client.logout()
    for _ in range(4):
        log_in(client, "lena", "wrong")
    assert log_in(client, "lena", PASSWORD).status_code == 302


def test_it_throttles_an_address_that_tries_many_accounts(client, user, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for name in ["anna", "bert", "carl"]:
        log_in(client, name, "guess", address="192.0.2.7")
    response = log_in(client, "lena", PASSWORD, address="192.0.2.7")
    assert response.status_code == 429
    assert not logged_in(client)
    response = log_in(Client(), "lena", PASSWORD, address="192.0.2.8")
    assert response.status_code == 302


def test_it_reads_the_client_address_from_the_proxy_header_only_when_told(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    assert client_address(request) == "10.9.9.9"
    settings.CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    assert client_address(request) == "203.0.113.5"  # the address our own proxy appended
    request.META["HTTP_X_FORWARDED_FOR"] = "not an address"
    assert client_address(request) is None


def test_a_login_without_a_password_is_not_counted(client, user):
    response = client.post("/login/", {"username": "lena", "password": ""})
    assert response.status_code == 200
    assert not LoginAttempt.objects.exists()


# --- passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("Xq9!", b"This password is too short. It must contain at least 8 characters."),
        ("password123", b"This password is too common."),
        ("48151623429", b"This password is entirely numeric."),
        ("lenaexample", b"The password is too similar to the email address."),
    ],
)
def test_the_password_change_holds_new_passwords_to_the_validators(
    client, user, new_password, message
):
    client.force_login(user)
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert message in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_changing_the_password_logs_out_the_other_devices_and_keeps_this_one(user):
    here, elsewhere = Client(), Client()
    assert here.login(username="lena", password=PASSWORD)
    assert elsewhere.login(username="lena", password=PASSWORD)
    new = "a rather longer passphrase 42"
    response = here.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/password/done/"
    assert here.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_the_account_page_offers_the_password_change_and_logging_out_everywhere(client, user):
    client.force_login(user)
    response = client.get("/account/")
    assert response.status_code == 200
    assert b'href="/account/password/"' in response.content
    assert b'action="/account/logout-everywhere/"' in response.content


# --- logging out on every device --------------------------------------------------------------


def test_logging_out_everywhere_ends_every_session_of_the_person(user):
    here, elsewhere, someone_else = Client(), Client(), Client()
    assert here.login(username="lena", password=PASSWORD)
    assert elsewhere.login(username="lena", password=PASSWORD)
    other = UserFactory(username="otto")
    assert someone_else.login(username="otto", password=PASSWORD)
    response = here.post("/account/logout-everywhere/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert here.get("/account/").status_code == 302
    assert elsewhere.get("/account/").status_code == 302
    assert someone_else.get("/account/").status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)  # the same password still logs in
    assert log_in(Client(), "lena", PASSWORD).status_code == 302
    assert other.pk


def test_logging_out_everywhere_needs_the_password(user):
    here, elsewhere = Client(), Client()
    assert here.login(username="lena", password=PASSWORD)
    assert elsewhere.login(username="lena", password=PASSWORD)
    response = here.post("/account/logout-everywhere/", {"password": "not it"})
    assert response.status_code == 400
    assert b"That is not your password." in response.content
    assert here.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 200


# --- sessions end ------------------------------------------------------------------------------


def test_a_session_lasts_two_weeks_by_default(client, user):
    response = log_in(client, "lena", PASSWORD)
    assert response.cookies["sessionid"]["max-age"] == 14 * 24 * 3600
    stored = StoredSession.objects.get(session_key=client.session.session_key)
    assert stored.expire_date - timezone.now() > datetime.timedelta(days=13, hours=23)


def test_an_expired_session_asks_to_log_in_again(client, user):
    log_in(client, "lena", PASSWORD)
    StoredSession.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
