"""Single sign-on, end to end against a real OpenID Connect provider: django-oauth-toolkit in
its own process on 127.0.0.1 (tests/access/oidc_provider/). The browser is a requests.Session
that follows the redirects by hand, so each step can be looked at (and tampered with)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from django.contrib.auth import get_user_model

from org.models import OrgMembership, Role, SingleSignOn, SingleSignOnDomain
from tests.access.oidc_provider.process import Person, Provider, identity_provider
from tests.factories import OrganizationFactory, PersonFactory

PEOPLE = [
    Person("ana", "ana's provider password", "ana@acme.test"),
    Person("ben", "ben's provider password", "ben@acme.test"),
]


@pytest.fixture(autouse=True)
def _loopback_provider_allowed(settings):
    """The test provider speaks plain HTTP on 127.0.0.1, which only this setting allows."""
    settings.SINGLE_SIGN_ON_LOOPBACK_HTTP = True


@pytest.fixture(scope="module")
def provider(live_server) -> Provider:
    with identity_provider(
        redirect_uri=f"{live_server.url}/login/sso/callback/", people=PEOPLE
    ) as running:
        yield running


@pytest.fixture
def acme(transactional_db, provider):
    organization = OrganizationFactory(name="Acme Logistics", slug="acme")
    sign_on(organization, provider)
    return organization


def sign_on(organization, provider: Provider) -> None:
    SingleSignOn.objects.create(
        organization=organization,
        issuer=provider.issuer,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
    )
    SingleSignOnDomain.objects.create(organization=organization, domain="acme.test")


@pytest.fixture
def ana(acme):
    return PersonFactory(organization=acme, name="Ana Lopez", email="Ana@acme.test")


def hidden_inputs(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="submit"' not in tag:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def start(browser: requests.Session, app: str, email: str) -> requests.Response:
    """Our login page's single sign-on form, sent."""
    page = browser.get(f"{app}/login/")
    assert "Sign in with your organization's single sign-on" in page.text
    return browser.post(
        f"{app}/login/sso/",
        data={"csrfmiddlewaretoken": browser.cookies["csrftoken"], "sso-email": email},
        allow_redirects=False,
    )


def at_the_provider(
    browser: requests.Session, authorization_url: str, person: Person, *, allow: bool = True
) -> str:
    """Log in at the identity provider and consent (or decline); where it sends the browser
    back to."""
    answer = browser.get(authorization_url, allow_redirects=False)
    assert answer.status_code == 302 and "/accounts/login/" in answer.headers["Location"]
    login_url = urljoin(authorization_url, answer.headers["Location"])
    form = hidden_inputs(browser.get(login_url).text)
    answer = browser.post(
        login_url,
        data={**form, "username": person.username, "password": person.password},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    consent = browser.get(authorization_url)
    assert "Authorize Partnership Map?" in consent.text
    answer = browser.post(
        authorization_url,
        data={**hidden_inputs(consent.text), **({"allow": "Authorize"} if allow else {})},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def signed_in_as(browser: requests.Session, app: str) -> str | None:
    page = browser.get(f"{app}/account/", allow_redirects=False)
    if page.status_code != 200:
        return None
    return re.search(r"You are logged in as <strong>([^<]+)</strong>", page.text).group(1)


def test_a_person_with_a_member_record_signs_in_with_the_provider(live_server, provider, ana):
    app, browser = live_server.url, requests.Session()
    answer = start(browser, app, "ana@acme.test")
    assert answer.status_code == 302
    authorization_url = answer.headers["Location"]
    # The address comes from the provider's discovery document: only the issuer was typed in.
    discovery = requests.get(f"{provider.issuer}/.well-known/openid-configuration").json()
    assert authorization_url.startswith(discovery["authorization_endpoint"] + "?")
    asked = parse_qs(urlsplit(authorization_url).query)
    assert asked["response_type"] == ["code"]
    assert asked["code_challenge_method"] == ["S256"]
    assert len(asked["code_challenge"][0]) == 43  # a SHA-256, base64url: the verifier stays here
    assert asked["nonce"][0] and asked["state"][0]
    assert asked["redirect_uri"] == [f"{app}/login/sso/callback/"]

    back = at_the_provider(browser, authorization_url, PEOPLE[0])
    assert back.startswith(f"{app}/login/sso/callback/?")
    landed = browser.get(back)
    assert landed.status_code == 200
    assert signed_in_as(browser, app) == "ana@acme.test"
    membership = OrgMembership.objects.get(user__email="ana@acme.test")
    assert (membership.organization, membership.role, membership.member) == (
        ana.organization,
        Role.MEMBER,
        ana,
    )
    assert not membership.user.has_usable_password()

    # The next time, the same login: no second user, no second membership.
    again = requests.Session()
    back = at_the_provider(again, start(again, app, "ana@acme.test").headers["Location"], PEOPLE[0])
    again.get(back)
    assert signed_in_as(again, app) == "ana@acme.test"
    assert get_user_model().objects.filter(email__iexact="ana@acme.test").count() == 1


def test_a_person_of_the_domain_without_a_member_record_is_refused(live_server, acme, ana):
    app, browser = live_server.url, requests.Session()
    authorization_url = start(browser, app, "ben@acme.test").headers["Location"]
    refused = browser.get(at_the_provider(browser, authorization_url, PEOPLE[1]))
    assert refused.status_code == 403
    assert "ben@acme.test has no access to Acme Logistics yet" in refused.text
    assert signed_in_as(browser, app) is None
    assert not get_user_model().objects.filter(email__iexact="ben@acme.test").exists()


def test_an_email_of_a_domain_no_organization_has_is_refused(live_server, acme):
    app, browser = live_server.url, requests.Session()
    refused = start(browser, app, "zoe@elsewhere.test")
    assert refused.status_code == 403
    assert "No organization here signs in with single sign-on for that email" in refused.text
    assert signed_in_as(browser, app) is None
    assert not get_user_model().objects.exists()


def test_a_tampered_nonce_is_refused(live_server, provider, ana):
    app, browser = live_server.url, requests.Session()
    authorization_url = start(browser, app, "ana@acme.test").headers["Location"]
    parts = urlsplit(authorization_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["nonce"] = "a-nonce-the-attacker-chose"
    tampered = urlunsplit(parts._replace(query=urlencode(query)))
    refused = browser.get(at_the_provider(browser, tampered, PEOPLE[0]))
    assert refused.status_code == 403
    assert "its nonce differs" in refused.text
    assert signed_in_as(browser, app) is None
    assert not OrgMembership.objects.exists()


def test_an_answer_to_a_sign_in_begun_elsewhere_is_refused(live_server, provider, ana):
    app, browser = live_server.url, requests.Session()
    start(browser, app, "ana@acme.test")
    refused = browser.get(f"{app}/login/sso/callback/?code=stolen&state=someone-elses")
    assert refused.status_code == 403
    assert "not started in this browser" in refused.text
    assert signed_in_as(browser, app) is None


def test_an_id_token_not_signed_with_the_providers_key_is_refused(live_server, transactional_db):
    """A provider that signs with one key and publishes another: what a forged token is."""
    with identity_provider(
        redirect_uri=f"{live_server.url}/login/sso/callback/",
        people=PEOPLE,
        publish_another_key=True,
    ) as impostor:
        organization = OrganizationFactory(name="Acme Logistics", slug="acme")
        sign_on(organization, impostor)
        PersonFactory(organization=organization, name="Ana Lopez", email="ana@acme.test")
        app, browser = live_server.url, requests.Session()
        authorization_url = start(browser, app, "ana@acme.test").headers["Location"]
        refused = browser.get(at_the_provider(browser, authorization_url, PEOPLE[0]))
    assert refused.status_code == 403
    assert "signature does not match" in refused.text
    assert signed_in_as(browser, app) is None
    assert not OrgMembership.objects.exists()


def test_declining_at_the_provider_signs_nobody_in(live_server, provider, ana):
    app, browser = live_server.url, requests.Session()
    authorization_url = start(browser, app, "ana@acme.test").headers["Location"]
    back = at_the_provider(browser, authorization_url, PEOPLE[0], allow=False)
    assert back.startswith(f"{app}/login/sso/callback/?") and "error=access_denied" in back
    refused = browser.get(back)
    assert refused.status_code == 403
    assert "The identity provider said: access_denied" in refused.text
    assert signed_in_as(browser, app) is None
    assert not OrgMembership.objects.exists()
