"""Forgot your password: a link by email, in the site's layout, rate limited, and the same
answer whether or not the address has a login."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory
from tests.trust.test_content_security import inline_problems

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a rather longer passphrase 42"


@pytest.fixture
def lena(db):
    return UserFactory(username="lena", email="lena@example.com")


def reset_link(client: Client, email: str) -> str:
    response = client.post("/password/reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/password/reset/done/"
    (message,) = mail.outbox
    return re.search(r"http://testserver(/password/reset/key/\S+/)", message.body).group(1)


def test_the_login_page_links_to_the_password_reset(client, db):
    response = client.get("/login/")
    assert b'href="/password/reset/"' in response.content


def test_it_sends_a_link_that_sets_a_new_password(client, lena):
    link = reset_link(client, "LENA@example.com")
    assert mail.outbox[0].to == ["lena@example.com"]
    response = client.get(link)  # allauth moves the key out of the URL into the session
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/password/reset/key/done/"
    lena.refresh_from_db()
    assert lena.check_password(NEW_PASSWORD)
    response = Client().post("/login/", {"username": "lena", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_it_logs_in_with_the_email_address_too(client, lena):
    response = client.post("/login/", {"username": "lena@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200


def test_it_answers_the_same_for_an_address_without_a_login(client, lena):
    known = client.post("/password/reset/", {"email": "lena@example.com"})
    unknown = Client().post("/password/reset/", {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["lena@example.com"]]  # nothing to a stranger
    done = client.get("/password/reset/done/")
    assert b"If the address belongs to a login" in done.content


def test_a_used_link_gives_a_clear_page_and_changes_nothing(client, lena):
    link = reset_link(client, "lena@example.com")
    form_url = client.get(link)["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    again = Client()
    response = again.get(link, follow=True)
    assert response.status_code == 200
    assert b"This link does not work" in response.content
    lena.refresh_from_db()
    assert lena.check_password(NEW_PASSWORD)


def test_an_altered_link_gives_a_clear_page_and_changes_nothing(client, lena):
    link = reset_link(client, "lena@example.com")
    altered = link[:-3] + ("x" if link[-3] != "x" else "y") + link[-2:]
    response = client.get(altered, follow=True)
    assert b"This link does not work" in response.content
    response = client.post(altered, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert b"This link does not work" in response.content
    lena.refresh_from_db()
    assert lena.check_password(PASSWORD)


def test_it_holds_the_new_password_to_the_validators(client, lena):
    form_url = client.get(reset_link(client, "lena@example.com"))["Location"]
    response = client.post(form_url, {"password1": "password123", "password2": "password123"})
    assert response.status_code == 200
    assert b"This password is too common." in response.content
    lena.refresh_from_db()
    assert lena.check_password(PASSWORD)


def test_asking_for_links_is_rate_limited_per_address(client, lena):
    statuses = [
        client.post("/password/reset/", {"email": f"someone{n}@example.com"}).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429


def test_guessing_reset_keys_is_refused_after_twenty_bad_ones_from_an_address(client, lena):
    statuses = [client.get(f"/password/reset/key/1-guess{n}/").status_code for n in range(20)]
    assert statuses == [200] * 20
    response = client.get("/password/reset/key/1-guess-more/")
    assert response.status_code == 429
    assert b"Too many tries" in response.content
    link = reset_link(Client(REMOTE_ADDR="10.1.1.1"), "lena@example.com")
    assert client.get(link).status_code == 429  # even a good key waits, from that address
    assert Client(REMOTE_ADDR="10.2.2.2").get(link).status_code == 302  # not from another


@pytest.mark.parametrize(
    "url",
    ["/login/", "/password/reset/", "/password/reset/done/", "/password/reset/key/1-bad/"],
)
def test_the_pages_are_in_the_layout_without_inline_script_or_style(client, db, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert inline_problems(html) == []
