from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_it_requires_login(client):
    response = client.get("/org/members/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/org/members/")


@pytest.mark.django_db
def test_healthz_reports_the_database_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_logs_in_with_username_and_password(client, member_membership):
    response = client.post(
        "/login/",
        {"username": "mia_member", "password": "correct horse battery staple"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.context["user"].username == "mia_member"


def test_it_refuses_a_wrong_password(client, member_membership):
    response = client.post("/login/", {"username": "mia_member", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_sends_a_strict_content_security_policy(member_client):
    response = member_client.get("/org/members/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_navigation_shows_the_role(member_client):
    response = member_client.get("/org/members/")
    assert b"Member" in response.content
    assert b"Acme Logistics" in response.content


def test_a_user_without_an_organization_is_told_so(client, django_user_model):
    user = django_user_model.objects.create_user("loner", password="x")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert b"not part of an organization" in response.content


def test_it_switches_organization(client, member_membership, other_org):
    from tests.factories import OrgMembershipFactory

    OrgMembershipFactory(user=member_membership.user, organization=other_org, role="leader")
    client.force_login(member_membership.user)
    page = client.get("/org/members/").content.decode()
    assert 'name="organization"' in page
    response = client.post("/org/switch/", {"organization": other_org.pk})
    assert response.status_code == 302
    page = client.get("/org/members/").content.decode()
    assert f'<option value="{other_org.pk}" selected>' in page


def test_it_refuses_to_switch_to_a_foreign_organization(member_client, other_org):
    response = member_client.post("/org/switch/", {"organization": other_org.pk})
    assert response.status_code == 400


def test_a_member_without_a_linked_person_lands_on_the_people_page(client, org):
    from tests.factories import OrgMembershipFactory

    membership = OrgMembershipFactory(organization=org, role="manager")
    client.force_login(membership.user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/org/members/"
