"""Invitations: an admin invites one person or many by email; the link works once, for seven
days, to choose a password (or to add the organization to an existing login); resend gives a
new link and kills the old one; revoke ends it. Each step is in the audit trail."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from org.invitations import key_hash
from org.models import AuditEntry, Invitation, OrgMembership, Quadrant, Role
from tests.factories import OrgMembershipFactory, PersonFactory, UserFactory

PASSWORD = "a rather longer passphrase 42"
LINK = re.compile(r"http://testserver(/invitation/[A-Za-z0-9_\-]+/)")


@pytest.fixture
def grace(org):
    return PersonFactory(
        organization=org, quadrant=Quadrant.MANAGERS, name="Grace Hopper", email="grace@acme.test"
    )


def invite(admin_client, person, role="manager"):
    response = admin_client.post(f"/org/access/people/{person.pk}/invite/", {"role": role})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def link_in(message) -> str:
    return LINK.search(message.body).group(1)


def accept(link: str, client: Client | None = None, password: str = PASSWORD):
    client = client or Client()
    return client, client.post(link, {"password1": password, "password2": password})


# --- inviting one person ------------------------------------------------------------------------


def test_it_invites_a_person_by_email(admin_client, grace):
    response = invite(admin_client, grace)
    assert response["Location"] == f"/org/access/people/{grace.pk}/"
    (message,) = mail.outbox
    assert message.to == ["grace@acme.test"]
    assert "Acme Logistics" in message.subject
    assert "as Manager" in message.body
    invitation = Invitation.objects.get()
    assert (invitation.member, invitation.role, invitation.email) == (
        grace,
        "manager",
        "grace@acme.test",
    )
    assert invitation.expires_at - invitation.sent_at == datetime.timedelta(days=7)
    page = admin_client.get(f"/org/access/people/{grace.pk}/").content.decode()
    assert "Invited" in page and "Send again" in page


def test_it_keeps_only_a_hash_of_the_key(admin_client, grace):
    invite(admin_client, grace)
    key = link_in(mail.outbox[0]).split("/")[2]
    invitation = Invitation.objects.get()
    assert key not in str(Invitation.objects.values().get())
    assert invitation.key_hash == key_hash(key)


def test_accepting_sets_a_password_links_the_person_and_signs_them_in(admin_client, grace):
    invite(admin_client, grace)
    link = link_in(mail.outbox[0])
    client = Client()
    page = client.get(link)
    assert page.status_code == 200
    assert b"Join Acme Logistics" in page.content
    client, response = accept(link, client)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").url == "/meetings/"  # a manager linked to a person: My sessions
    user = get_user_model().objects.get(email="grace@acme.test")
    assert user.check_password(PASSWORD)
    login = OrgMembership.objects.get(user=user)
    assert (login.organization.name, login.role, login.member) == (
        "Acme Logistics",
        "manager",
        grace,
    )
    assert Invitation.objects.get().accepted_by == user
    # and they log in with their email address from now on
    assert (
        Client().post("/login/", {"username": "grace@acme.test", "password": PASSWORD}).status_code
        == 302
    )


def test_the_password_is_held_to_the_validators_and_nothing_is_made_until_it_passes(
    admin_client, grace
):
    invite(admin_client, grace)
    link = link_in(mail.outbox[0])
    client, response = accept(link, password="password123")
    assert response.status_code == 400
    assert b"This password is too common." in response.content
    response = client.post(link, {"password1": PASSWORD, "password2": PASSWORD + "x"})
    assert b"The two passwords are not the same." in response.content
    assert not get_user_model().objects.filter(email="grace@acme.test").exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_used_link_gives_a_clear_page_and_changes_nothing(admin_client, grace):
    invite(admin_client, grace)
    link = link_in(mail.outbox[0])
    accept(link)
    client, response = accept(link, password="another long passphrase 7")
    assert response.status_code == 410
    assert b"This invitation was already accepted." in response.content
    assert get_user_model().objects.get(email="grace@acme.test").check_password(PASSWORD)
    assert OrgMembership.objects.filter(member=grace).count() == 1


def test_an_expired_link_gives_a_clear_page_and_changes_nothing(admin_client, grace):
    invite(admin_client, grace)
    link = link_in(mail.outbox[0])
    Invitation.objects.update(expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert Client().get(link).status_code == 410
    client, response = accept(link)
    assert response.status_code == 410
    assert b"This invitation has expired." in response.content
    assert not get_user_model().objects.filter(email="grace@acme.test").exists()


def test_an_altered_link_gives_a_clear_page_and_changes_nothing(admin_client, grace):
    invite(admin_client, grace)
    link = link_in(mail.outbox[0])
    altered = link[:-3] + ("x" if link[-3] != "x" else "y") + link[-2:]
    client, response = accept(altered)
    assert response.status_code == 404
    assert b"This link does not work" in response.content
    assert b"changed on the way" in response.content
    assert not get_user_model().objects.filter(email="grace@acme.test").exists()
    assert Invitation.objects.get().accepted_at is None


def test_the_link_of_someone_archived_since_changes_nothing(admin_client, grace):
    invite(admin_client, grace)
    grace.active_until = datetime.date(2021, 1, 1)
    grace.save(update_fields=["active_until"])
    client, response = accept(link_in(mail.outbox[0]))
    assert response.status_code == 409
    assert b"no longer in the organization" in response.content
    assert not get_user_model().objects.filter(email="grace@acme.test").exists()
    assert Invitation.objects.get().accepted_at is None


def test_guessing_keys_is_refused_after_twenty_bad_ones_from_an_address(admin_client, grace):
    invite(admin_client, grace)
    link = link_in(mail.outbox[0])
    guesser = Client(REMOTE_ADDR="10.9.9.9")
    statuses = [guesser.get(f"/invitation/guess{n}/").status_code for n in range(20)]
    assert statuses == [404] * 20
    response = guesser.get("/invitation/one-more-guess/")
    assert response.status_code == 429
    assert b"Too many tries" in response.content
    assert guesser.post(link, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 429
    assert not get_user_model().objects.filter(email="grace@acme.test").exists()
    assert Client(REMOTE_ADDR="10.8.8.8").get(link).status_code == 200  # not another address


def test_resending_sends_a_new_link_and_the_old_one_stops_working(admin_client, grace):
    invite(admin_client, grace)
    old_link = link_in(mail.outbox[0])
    invitation = Invitation.objects.get()
    response = admin_client.post(f"/org/access/invitations/{invitation.pk}/resend/")
    assert response.status_code == 302
    new_link = link_in(mail.outbox[1])
    assert new_link != old_link
    assert Client().get(old_link).status_code == 404
    client, response = accept(new_link)
    assert response.status_code == 302
    assert OrgMembership.objects.filter(member=grace).exists()


def test_resending_an_expired_invitation_gives_seven_more_days(admin_client, grace):
    invite(admin_client, grace)
    Invitation.objects.update(expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    invitation = Invitation.objects.get()
    page = admin_client.get("/org/access/").content.decode()
    assert "expired" in page
    admin_client.post(f"/org/access/invitations/{invitation.pk}/resend/")
    invitation.refresh_from_db()
    assert invitation.expires_at > invitation.sent_at + datetime.timedelta(days=6)
    assert Client().get(link_in(mail.outbox[1])).status_code == 200


def test_revoking_ends_the_link_and_allows_a_new_invitation(admin_client, grace):
    invite(admin_client, grace)
    link = link_in(mail.outbox[0])
    invitation = Invitation.objects.get()
    response = admin_client.post(f"/org/access/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    client, response = accept(link)
    assert response.status_code == 410
    assert b"This invitation was withdrawn." in response.content
    assert not OrgMembership.objects.filter(member=grace).exists()
    again = admin_client.post(f"/org/access/invitations/{invitation.pk}/revoke/")
    assert again.status_code == 409
    assert b"already revoked" in again.content
    invite(admin_client, grace, role="leader")
    assert Invitation.objects.filter(revoked_at__isnull=True).get().role == "leader"


def test_it_refuses_a_second_invitation_a_person_without_email_or_with_a_login(
    admin_client, grace, member_membership, org
):
    invite(admin_client, grace)
    response = admin_client.post(f"/org/access/people/{grace.pk}/invite/", {"role": "member"})
    assert response.status_code == 409
    assert b"Grace Hopper is already invited" in response.content
    nameless = PersonFactory(organization=org, name="No Mail", email="")
    response = admin_client.post(f"/org/access/people/{nameless.pk}/invite/", {"role": "member"})
    assert response.status_code == 409
    assert b"No Mail has no email address" in response.content
    mia = member_membership.member
    response = admin_client.post(f"/org/access/people/{mia.pk}/invite/", {"role": "member"})
    assert response.status_code == 409
    assert b"already has a login" in response.content
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_bad_role_is_refused_with_a_message(admin_client, grace):
    response = admin_client.post(f"/org/access/people/{grace.pk}/invite/", {"role": "owner"})
    assert response.status_code == 400
    assert b"Choose one of the roles." in response.content
    assert not Invitation.objects.exists()


# --- an address that already has a login ----------------------------------------------------------


@pytest.fixture
def globex_grace(other_org):
    """Grace already has a login, in another organization."""
    person = PersonFactory(organization=other_org, name="Grace at Globex", email="grace@acme.test")
    return OrgMembershipFactory(
        organization=other_org,
        role=Role.LEADER,
        member=person,
        user=UserFactory(username="grace", email="Grace@acme.test"),
    )


def test_an_existing_login_logs_in_first_and_gets_a_second_membership(
    admin_client, grace, globex_grace
):
    invite(admin_client, grace)
    link = link_in(mail.outbox[0])
    client = Client()
    page = client.get(link).content.decode()
    assert "There is already a login for grace@acme.test" in page
    assert "Globex" not in page
    client, response = accept(link, client)  # a password form is not offered, nor accepted
    assert response.status_code == 400
    assert get_user_model().objects.filter(email__iexact="grace@acme.test").count() == 1
    response = client.post(
        "/login/", {"username": "grace", "password": "correct horse battery staple", "next": link}
    )
    assert response["Location"] == link
    page = client.get(link).content.decode()
    assert "Join Acme Logistics" in page  # (her own header names her own organizations)
    response = client.post(link)
    assert response.status_code == 302
    user = globex_grace.user
    assert sorted(OrgMembership.objects.filter(user=user).values_list("role", flat=True)) == [
        "leader",
        "manager",
    ]
    assert OrgMembership.objects.get(user=user, member=grace).organization.name == "Acme Logistics"
    user.refresh_from_db()
    assert user.check_password("correct horse battery staple")
    home = client.get("/meetings/").content.decode()  # Acme is now the current organization
    assert '<span class="role-badge" title="Your role">Manager</span>' in home
    # Acme's admins see her login, never where else she has one
    for url in ("/org/access/", f"/org/access/people/{grace.pk}/", "/org/audit/"):
        page = admin_client.get(url).content.decode()
        assert "Globex" not in page, url


def test_someone_signed_in_with_another_login_is_asked_to_log_out(
    admin_client, grace, member_client
):
    invite(admin_client, grace)
    link = link_in(mail.outbox[0])
    page = member_client.get(link).content.decode()
    assert "but this invitation is for grace@acme.test" in page
    assert member_client.post(link).status_code == 400
    assert not OrgMembership.objects.filter(member=grace).exists()


# --- many at once ---------------------------------------------------------------------------------


def test_it_invites_all_leaders_and_managers_without_a_login_with_the_role_chosen(
    admin_client, org, leader_membership, manager_membership
):
    leaders = [
        PersonFactory(organization=org, quadrant="L", name=f"Leader {n}", email=f"l{n}@acme.test")
        for n in range(3)
    ]
    managers = [
        PersonFactory(organization=org, quadrant="M", name=f"Manager {n}", email=f"m{n}@acme.test")
        for n in range(4)
    ]
    PersonFactory(organization=org, quadrant="M", name="Mute Manager", email="")
    PersonFactory(organization=org, quadrant="E", name="Employee", email="e@acme.test")
    PersonFactory(
        organization=org,
        quadrant="M",
        name="Gone Manager",
        email="gone@acme.test",
        active_until=datetime.date(2021, 1, 1),
    )
    page = admin_client.get("/org/access/invite/")
    assert page.status_code == 200
    response = admin_client.post(
        "/org/access/invite/", {"quadrants": ["L", "M"], "role": "manager"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/org/access/?state=invited"
    page = response.content.decode()
    assert "Invited 7 people as Manager." in page
    assert "Not invited, for want of an email address: Mute Manager." in page
    invited = Invitation.objects.all()
    assert {i.member for i in invited} == set(leaders + managers)
    assert {i.role for i in invited} == {"manager"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in leaders + managers)
    assert AuditEntry.objects.filter(action="invited", object_type="invitation").count() == 7
    # a second run finds nobody left to invite
    admin_client.post("/org/access/invite/", {"quadrants": ["L", "M"], "role": "manager"})
    assert Invitation.objects.count() == 7


def test_inviting_many_costs_the_same_queries_for_three_people_or_thirty(admin_client, org):
    def invite_managers(count: int, start: int) -> int:
        for n in range(start, start + count):
            PersonFactory(organization=org, quadrant="M", email=f"m{n}@acme.test")
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(
                "/org/access/invite/", {"quadrants": ["M"], "role": "manager"}
            )
        assert response.status_code == 302
        return len(queries.captured_queries)

    assert invite_managers(3, 0) == invite_managers(30, 3)
    assert Invitation.objects.count() == 33
    assert len(mail.outbox) == 33


def test_inviting_many_needs_a_quadrant_and_a_role(admin_client, grace):
    response = admin_client.post("/org/access/invite/", {"role": "manager"})
    assert response.status_code == 400
    assert b"Choose at least one quadrant." in response.content
    response = admin_client.post("/org/access/invite/", {"quadrants": ["T"], "role": "boss"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


# --- another organization -------------------------------------------------------------------------


def test_another_organizations_people_and_invitations_are_404(
    admin_client, outsider_client, grace, other_org
):
    invite(admin_client, grace)
    invitation = Invitation.objects.get()
    stranger = PersonFactory(organization=other_org, name="Stranger", email="s@globex.test")
    assert admin_client.get(f"/org/access/people/{stranger.pk}/").status_code == 404
    response = admin_client.post(f"/org/access/people/{stranger.pk}/invite/", {"role": "member"})
    assert response.status_code == 404
    for action in ("resend", "revoke"):
        url = f"/org/access/invitations/{invitation.pk}/{action}/"
        assert outsider_client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_open
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1
    response = admin_client.post(
        "/org/access/invite/", {"quadrants": ["L", "M", "E"], "role": "member"}
    )
    assert not Invitation.objects.filter(member=stranger).exists()


# --- the audit trail ------------------------------------------------------------------------------


def test_each_step_is_in_the_audit_trail(admin_client, grace):
    invite(admin_client, grace)
    invitation = Invitation.objects.get()
    admin_client.post(f"/org/access/invitations/{invitation.pk}/resend/")
    accept(link_in(mail.outbox[1]))
    entries = list(
        AuditEntry.objects.filter(object_type__in=["invitation", "login"])
        .order_by("at", "id")
        .values_list("action", "object_type", "actor_label", "object_repr")
    )
    assert entries == [
        ("invited", "invitation", "ada_admin", "Grace Hopper"),
        ("resent", "invitation", "ada_admin", "Grace Hopper"),
        ("accepted", "invitation", "grace@acme.test", "Grace Hopper"),
        ("created", "login", "grace@acme.test", "Grace Hopper"),
    ]
    page = admin_client.get("/org/audit/?object_type=invitation").content.decode()
    assert "invited</span> Invitation: <strong>Grace Hopper</strong>" in page


def test_the_pages_of_the_link_are_in_the_layout(admin_client, grace):
    from tests.trust.test_content_security import inline_problems

    invite(admin_client, grace)
    link = link_in(mail.outbox[0])
    for url in (link, "/invitation/nothing-like-a-key/"):
        html = Client().get(url).content.decode()
        assert 'class="site-header"' in html
        assert inline_problems(html) == []
