"""Who single sign-on lets in (org/single_sign_on.py), and the admins' page that sets it up.
The flow itself, against a real provider, is tests/access/test_single_sign_on.py."""

from __future__ import annotations

import datetime

import pytest

from org.invitations import invitation_create, invitation_revoke, login_disable
from org.models import AuditEntry, OrgMembership, Role, SingleSignOn, SingleSignOnDomain
from org.single_sign_on import may_enter, sign_on_login, single_sign_on_for_email
from tests.factories import OrgMembershipFactory, PersonFactory, UserFactory


@pytest.fixture
def acme_domain(org):
    SingleSignOn.objects.create(
        organization=org, issuer="https://id.acme.test", client_id="pm", client_secret="s"
    )
    SingleSignOnDomain.objects.create(organization=org, domain="acme.test")
    return "acme.test"


def test_the_email_domain_names_the_organization(org, other_org, acme_domain):
    assert single_sign_on_for_email("Ana@ACME.test").organization == org
    assert single_sign_on_for_email("ana@globex.test") is None
    SingleSignOn.objects.filter(organization=org).update(enabled=False)
    assert single_sign_on_for_email("ana@acme.test") is None


def test_a_person_with_a_member_record_enters_and_gets_a_member_login(org, acme_domain):
    ana = PersonFactory(organization=org, email="ana@acme.test")
    entry = may_enter(org, "ANA@acme.test")
    assert entry.member == ana
    user = sign_on_login(entry=entry)
    membership = OrgMembership.objects.get(user=user)
    assert (membership.organization, membership.role, membership.member) == (org, Role.MEMBER, ana)
    assert AuditEntry.objects.for_org(org).filter(object_type="login", action="created").exists()


def test_an_existing_login_of_the_organization_enters_as_itself(org, acme_domain):
    admin = OrgMembershipFactory(organization=org, role=Role.ADMIN, user__email="boss@acme.test")
    entry = may_enter(org, "boss@acme.test")
    assert entry.membership == admin
    assert sign_on_login(entry=entry) == admin.user
    assert OrgMembership.objects.filter(user=admin.user).count() == 1


@pytest.mark.parametrize(
    "case",
    ["no member record", "archived", "a team", "outside the domains", "login elsewhere", "off"],
)
def test_it_lets_nobody_else_in(org, other_org, acme_domain, case):
    email = "ana@acme.test"
    if case == "archived":
        PersonFactory(organization=org, email=email, active_until=datetime.date(2021, 1, 1))
    elif case == "a team":
        PersonFactory(organization=org, email=email, kind="team", quadrant="T")
    elif case == "outside the domains":
        email = "ana@globex.test"
        PersonFactory(organization=org, email=email)
    elif case == "login elsewhere":
        # A login of another organization is not taken over by this organization's provider.
        PersonFactory(organization=org, email=email)
        OrgMembershipFactory(organization=other_org, user__email=email)
    elif case == "off":
        PersonFactory(organization=org, email=email)
        UserFactory(email=email, is_active=False)
    assert may_enter(org, email) is None


def test_an_invitation_lets_its_person_in_with_its_role_even_with_a_login_elsewhere(
    org, other_org, acme_domain
):
    ana = PersonFactory(organization=org, email="ana@acme.test")
    elsewhere = OrgMembershipFactory(organization=other_org, user__email="ana@acme.test")
    invitation, _ = invitation_create(member=ana, role=Role.MANAGER)
    entry = may_enter(org, "ana@acme.test")
    assert entry.invitation == invitation
    user = sign_on_login(entry=entry)
    assert user == elsewhere.user  # the same login, now in two organizations
    membership = OrgMembership.objects.get(user=user, organization=org)
    assert (membership.role, membership.member) == (Role.MANAGER, ana)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert may_enter(org, "ana@acme.test").membership == membership  # the next time


def test_a_revoked_invitation_or_turned_off_access_lets_nobody_in(org, other_org, acme_domain):
    ana = PersonFactory(organization=org, email="ana@acme.test")
    OrgMembershipFactory(organization=other_org, user__email="ana@acme.test")
    invitation, _ = invitation_create(member=ana, role=Role.MANAGER)
    invitation_revoke(invitation=invitation)
    assert may_enter(org, "ana@acme.test") is None
    boss = OrgMembershipFactory(organization=org, role=Role.LEADER, user__email="boss@acme.test")
    login_disable(login=boss)
    assert may_enter(org, "boss@acme.test") is None


def test_another_organizations_member_record_does_not_open_this_one(org, other_org, acme_domain):
    PersonFactory(organization=other_org, email="ana@acme.test")
    assert may_enter(org, "ana@acme.test") is None


# --- the admins' page ---------------------------------------------------------------------------


def test_an_admin_sets_up_single_sign_on(admin_client, org):
    page = admin_client.get("/org/settings/single-sign-on/")
    assert b'value="http://testserver/login/sso/callback/"' in page.content  # to copy
    response = admin_client.post(
        "/org/settings/single-sign-on/",
        {
            "issuer": "https://login.acme.test/realms/acme/",
            "client_id": "partnership-map",
            "client_secret": "s3cret",
            "domains": "acme.test\n@Acme-Labs.test",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    config = SingleSignOn.objects.get(organization=org)
    assert (config.issuer, config.client_id, config.client_secret) == (
        "https://login.acme.test/realms/acme",
        "partnership-map",
        "s3cret",
    )
    assert sorted(org.single_sign_on_domains.values_list("domain", flat=True)) == [
        "acme-labs.test",
        "acme.test",
    ]
    again = admin_client.get("/org/settings/single-sign-on/")
    assert b"s3cret" not in again.content  # the secret is never shown back
    entry = AuditEntry.objects.for_org(org).get(object_type="single_sign_on")
    assert "s3cret" not in str(entry.changes)


def test_an_empty_secret_keeps_the_stored_one(admin_client, org, acme_domain):
    admin_client.post(
        "/org/settings/single-sign-on/",
        {"issuer": "https://id.acme.test", "client_id": "pm2", "domains": "acme.test"},
    )
    config = SingleSignOn.objects.get(organization=org)
    assert (config.client_id, config.client_secret, config.enabled) == ("pm2", "s", False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issuer", "http://login.acme.test", b"must start with https://"),
        # a service on the server's own loopback address, unless SINGLE_SIGN_ON_LOOPBACK_HTTP
        ("issuer", "http://127.0.0.1:8080/realms/x", b"must start with https://"),
        ("domains", "not a domain", b"is not an email domain"),
        ("client_secret", "", b"Paste the client secret"),
    ],
)
def test_it_refuses_bad_settings_and_saves_nothing(admin_client, org, field, value, message):
    data = {
        "issuer": "https://id.acme.test",
        "client_id": "pm",
        "client_secret": "s",
        "domains": "acme.test",
        field: value,
    }
    response = admin_client.post("/org/settings/single-sign-on/", data)
    assert response.status_code == 200
    assert message in response.content
    assert not SingleSignOn.objects.exists()
    assert not SingleSignOnDomain.objects.exists()


def test_a_domain_another_organization_signs_on_with_is_refused(admin_client, org, other_org):
    SingleSignOnDomain.objects.create(organization=other_org, domain="acme.test")
    response = admin_client.post(
        "/org/settings/single-sign-on/",
        {
            "issuer": "https://id.acme.test",
            "client_id": "pm",
            "client_secret": "s",
            "domains": "acme.test",
        },
    )
    assert response.status_code == 200
    assert b"Another organization signs on with acme.test" in response.content
    assert not SingleSignOn.objects.filter(organization=org).exists()


def test_only_admins_open_the_page(leader_client, manager_client, acme_domain):
    for client in (leader_client, manager_client):
        assert client.get("/org/settings/single-sign-on/").status_code == 403
        assert client.post("/org/settings/single-sign-on/", {}).status_code == 403


def test_the_invitation_page_offers_the_organizations_single_sign_on(client, org, acme_domain):
    ana = PersonFactory(organization=org, email="ana@acme.test")
    _, key = invitation_create(member=ana, role=Role.MANAGER)
    page = client.get(f"/invitation/{key}/").content.decode()
    assert 'action="/login/sso/"' in page
    assert 'name="sso-email" value="ana@acme.test"' in page
    assert "Or choose a password below." in page


def test_an_invitation_outside_the_domains_only_offers_a_password(client, org, acme_domain):
    bo = PersonFactory(organization=org, email="bo@elsewhere.test")
    _, key = invitation_create(member=bo, role=Role.MANAGER)
    page = client.get(f"/invitation/{key}/").content.decode()
    assert 'action="/login/sso/"' not in page
    assert "Set the password and join" in page


def test_trying_email_after_email_at_the_sign_on_form_is_slowed_down(client, settings, acme_domain):
    """Unknown domains count per address: the form cannot list, domain by domain, which
    organizations are here. A known domain does not count (nobody is refused for signing in)."""
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for domain in ("globex.test", "initech.test", "umbrella.test"):
        refused = client.post("/login/sso/", {"sso-email": f"ana@{domain}"})
        assert refused.status_code == 403
        assert b"No organization here signs in with single sign-on" in refused.content
    slowed = client.post("/login/sso/", {"sso-email": "ana@hooli.test"})
    assert slowed.status_code == 429
    assert b"Too many emails were tried from this address" in slowed.content
    # the limit holds for a known domain too, and nothing is asked of its provider
    assert client.post("/login/sso/", {"sso-email": "ana@acme.test"}).status_code == 429
    other = client.post("/login/sso/", {"sso-email": "x@hooli.test"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 403  # another address is not slowed down


def test_the_providers_keys_are_kept_and_fetched_again_when_it_rotates_them(monkeypatch):
    import json

    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    from org import openid_connect

    def jwk(kid: str) -> dict:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        return {**json.loads(RSAAlgorithm.to_jwk(key)), "kid": kid, "use": "sig", "alg": "RS256"}

    published = {"keys": [jwk("old")]}
    fetched: list[str] = []

    def get_json(url: str) -> dict:
        fetched.append(url)
        return published

    monkeypatch.setattr(openid_connect, "_get_json", get_json)
    uri = "https://id.acme.test/jwks"
    assert [k.key_id for k in openid_connect._signing_keys(uri, "old")] == ["old"]
    assert [k.key_id for k in openid_connect._signing_keys(uri, "old")] == ["old"]
    assert len(fetched) == 1  # the second sign-in used the kept keys
    published = {"keys": [jwk("old"), jwk("new")]}
    assert [k.key_id for k in openid_connect._signing_keys(uri, "new")] == ["new"]
    assert len(fetched) == 2  # an unknown key id fetched them again
    assert openid_connect._signing_keys(uri, "forged") == []
