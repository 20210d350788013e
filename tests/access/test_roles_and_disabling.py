"""Roles and turning access off: an admin changes a person's role, turns their access off
(every session they have in the organization ends on its next request) and on again; the
organization always keeps an admin whose access is on."""

from __future__ import annotations

import pytest
from django.test import Client

from meetings.models import CalendarFeed
from org.models import AuditEntry, OrgMembership, Role
from tests.factories import OrgMembershipFactory


def role_of(membership) -> str:
    return OrgMembership.objects.get(pk=membership.pk).role


def test_an_admin_changes_a_role(admin_client, manager_membership):
    url = f"/org/access/logins/{manager_membership.pk}/role/"
    response = admin_client.post(url, {"role": "leader"})
    assert response.status_code == 302
    assert response["Location"] == f"/org/access/people/{manager_membership.member_id}/"
    assert role_of(manager_membership) == "leader"
    page = admin_client.get(response["Location"]).content.decode()
    assert "Max Manager is now Leader." in page
    entry = AuditEntry.objects.get(object_type="login")
    assert (entry.action, entry.actor_label, entry.changes) == (
        "changed",
        "ada_admin",
        {"role": ["manager", "leader"]},
    )


def test_the_new_role_counts_from_the_next_request(admin_client, manager_membership):
    manager = Client()
    manager.force_login(manager_membership.user)
    assert manager.get("/meetings/plan/").status_code == 403
    admin_client.post(f"/org/access/logins/{manager_membership.pk}/role/", {"role": "leader"})
    assert manager.get("/meetings/plan/").status_code == 200


def test_a_bad_role_is_refused_and_changes_nothing(admin_client, manager_membership):
    response = admin_client.post(
        f"/org/access/logins/{manager_membership.pk}/role/", {"role": "owner"}
    )
    assert response.status_code == 400
    assert b"Choose one of the roles." in response.content
    assert role_of(manager_membership) == "manager"


def test_turning_access_off_ends_an_open_session_on_its_next_request(
    admin_client, manager_membership, manager_client
):
    assert manager_client.get("/meetings/").status_code == 200
    response = admin_client.post(f"/org/access/logins/{manager_membership.pk}/disable/")
    assert response.status_code == 302
    response = manager_client.get("/meetings/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    page = manager_client.get("/login/").content.decode()
    assert "Your access to Acme Logistics was turned off" in page
    # the session is gone: no page of the organization opens any more
    assert manager_client.get("/org/members/")["Location"].startswith("/login/?next=")
    membership = OrgMembership.objects.get(pk=manager_membership.pk)
    assert membership.disabled_at is not None


def test_an_htmx_request_of_a_session_turned_off_is_sent_to_log_in(
    admin_client, manager_membership, manager_client
):
    admin_client.post(f"/org/access/logins/{manager_membership.pk}/disable/")
    response = manager_client.get("/org/members/?q=x", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/login/"


def test_logging_in_again_gets_nowhere_while_access_is_off(admin_client, manager_membership):
    admin_client.post(f"/org/access/logins/{manager_membership.pk}/disable/")
    client = Client()
    page = client.post(
        "/login/", {"username": "max_manager", "password": "correct horse battery staple"}
    )
    assert page.status_code == 200  # the form again, with why
    assert "Your access to Acme Logistics was turned off by one of its admins" in (
        page.content.decode()
    )
    response = client.get("/meetings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_turning_access_off_in_one_organization_leaves_the_others(
    admin_client, manager_membership, other_org
):
    OrgMembershipFactory(user=manager_membership.user, organization=other_org, role=Role.LEADER)
    client = Client()
    client.force_login(manager_membership.user)
    client.post("/org/switch/", {"organization": other_org.pk})
    admin_client.post(f"/org/access/logins/{manager_membership.pk}/disable/")
    response = client.get("/org/members/")
    assert response.status_code == 200
    assert b"Globex Rival" in response.content
    assert b"Acme Logistics" not in response.content  # not offered in the switcher either
    assert (
        client.post(
            "/org/switch/", {"organization": manager_membership.organization_id}
        ).status_code
        == 400
    )


def test_a_session_in_the_organization_turned_off_ends_even_with_another_organization_left(
    admin_client, manager_membership, other_org
):
    OrgMembershipFactory(user=manager_membership.user, organization=other_org, role=Role.LEADER)
    client = Client()
    client.force_login(manager_membership.user)
    client.post("/org/switch/", {"organization": manager_membership.organization_id})
    admin_client.post(f"/org/access/logins/{manager_membership.pk}/disable/")
    assert client.get("/meetings/")["Location"] == "/login/"


def test_turning_access_off_stops_the_calendar_feed(
    admin_client, manager_membership, manager_client
):
    manager_client.get("/meetings/calendar/")
    feed = CalendarFeed.objects.get(membership=manager_membership)
    assert Client().get(f"/meetings/calendar/{feed.token}.ics").status_code == 200
    admin_client.post(f"/org/access/logins/{manager_membership.pk}/disable/")
    assert Client().get(f"/meetings/calendar/{feed.token}.ics").status_code == 404


def test_turning_access_on_again_lets_them_log_in(admin_client, manager_membership):
    admin_client.post(f"/org/access/logins/{manager_membership.pk}/disable/")
    response = admin_client.post(f"/org/access/logins/{manager_membership.pk}/enable/")
    assert response.status_code == 302
    assert OrgMembership.objects.get(pk=manager_membership.pk).disabled_at is None
    client = Client()
    client.post("/login/", {"username": "max_manager", "password": "correct horse battery staple"})
    assert client.get("/meetings/").status_code == 200
    actions = list(
        AuditEntry.objects.filter(object_type="login")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["turned off", "turned on"]


def test_the_access_page_shows_the_state(admin_client, manager_membership):
    admin_client.post(f"/org/access/logins/{manager_membership.pk}/disable/")
    page = admin_client.get(f"/org/access/people/{manager_membership.member_id}/").content.decode()
    assert "Turned off" in page and "Turn access on" in page
    listing = admin_client.get("/org/access/?state=disabled").content.decode()
    assert "Max Manager" in listing


# --- the last admin -----------------------------------------------------------------------------


def test_the_last_admin_cannot_be_demoted(admin_client, admin_membership):
    response = admin_client.post(
        f"/org/access/logins/{admin_membership.pk}/role/", {"role": "leader"}
    )
    assert response.status_code == 409
    assert b"the organization&#x27;s only admin" in response.content
    assert b"Make someone else an admin first." in response.content
    assert role_of(admin_membership) == "admin"
    assert not AuditEntry.objects.exists()


def test_the_last_admin_cannot_be_turned_off(admin_client, admin_membership):
    response = admin_client.post(f"/org/access/logins/{admin_membership.pk}/disable/")
    assert response.status_code == 409
    assert b"only admin" in response.content
    assert OrgMembership.objects.get(pk=admin_membership.pk).disabled_at is None
    assert admin_client.get("/org/access/").status_code == 200


def test_an_admin_whose_access_is_off_does_not_count_as_the_other_admin(
    admin_client, admin_membership, org
):
    second = OrgMembershipFactory(organization=org, role=Role.ADMIN, user__username="second")
    assert admin_client.post(f"/org/access/logins/{second.pk}/disable/").status_code == 302
    response = admin_client.post(
        f"/org/access/logins/{admin_membership.pk}/role/", {"role": "member"}
    )
    assert response.status_code == 409
    assert role_of(admin_membership) == "admin"


def test_with_a_second_admin_an_admin_may_step_down(admin_client, admin_membership, org):
    OrgMembershipFactory(organization=org, role=Role.ADMIN, user__username="second")
    response = admin_client.post(
        f"/org/access/logins/{admin_membership.pk}/role/", {"role": "leader"}
    )
    assert response.status_code == 302
    assert role_of(admin_membership) == "leader"
    assert admin_client.get("/org/access/").status_code == 403


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_admins_change_roles_or_access(
    role, role_clients, admin_membership, member_membership
):
    client = role_clients[role]
    for action, data in (("role", {"role": "admin"}), ("disable", {}), ("enable", {})):
        response = client.post(f"/org/access/logins/{member_membership.pk}/{action}/", data)
        assert response.status_code == 403, action
    assert role_of(member_membership) == "member"
    assert OrgMembership.objects.get(pk=member_membership.pk).disabled_at is None


def test_another_organizations_logins_are_404(admin_client, outsider_membership):
    for action, data in (("role", {"role": "member"}), ("disable", {}), ("enable", {})):
        url = f"/org/access/logins/{outsider_membership.pk}/{action}/"
        assert admin_client.post(url, data).status_code == 404
    assert admin_client.get(f"/org/access/logins/{outsider_membership.pk}/").status_code == 404
    assert role_of(outsider_membership) == "admin"
    assert OrgMembership.objects.get(pk=outsider_membership.pk).disabled_at is None
