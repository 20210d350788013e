"""The audit trail of the structure: people and teams added, edited, archived and moved, and
team seats, each with who did it and every changed field before and after."""

from __future__ import annotations

import pytest

from org import services
from org.models import AuditEntry, Member
from tests.factories import PersonFactory, TeamFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def only_entry(**lookup) -> AuditEntry:
    [entry] = AuditEntry.objects.filter(**lookup)
    return entry


@pytest.fixture
def grace(org):
    return PersonFactory(
        organization=org,
        quadrant="M",
        name="Grace Hopper",
        title="Commander",
        external_id="HR-1906",
        active_from="2024-01-01",
    )


def test_it_records_a_member_added(admin_client, admin_membership, org):
    response = admin_client.post(
        "/org/members/new/",
        {
            "kind": "person",
            "name": "Ada Lovelace",
            "quadrant": "L",
            "title": "Analyst",
            "email": "ada@example.com",
            "external_id": "HR-1815",
            "active_from": "2024-01-01",
            "active_until": "",
        },
    )
    assert response.status_code == 302
    ada = Member.objects.get(name="Ada Lovelace")
    entry = only_entry(object_type="member", object_id=ada.pk)
    assert (entry.organization, entry.actor, entry.actor_label) == (
        org,
        admin_membership.user,
        "ada_admin",
    )
    assert (entry.action, entry.object_repr) == ("created", "Ada Lovelace")
    assert entry.changes == {
        "kind": [None, "person"],
        "quadrant": [None, "L"],
        "name": [None, "Ada Lovelace"],
        "title": [None, "Analyst"],
        "email": [None, "ada@example.com"],
        "external_id": [None, "HR-1815"],
        "active_from": [None, "2024-01-01"],
    }


def test_it_records_only_the_fields_an_edit_changed(admin_client, admin_membership, grace):
    response = admin_client.post(
        f"/org/members/{grace.pk}/edit/",
        {
            "name": "Grace Hopper",
            "title": "Rear Admiral",
            "email": "grace@example.com",
            "external_id": "HR-1906",
            "active_from": "2024-01-01",
            "active_until": "",
            "version": grace.updated_at.isoformat(),
        },
    )
    assert response.status_code == 302
    entry = only_entry(object_type="member", object_id=grace.pk)
    assert (entry.action, entry.actor) == ("changed", admin_membership.user)
    assert entry.changes == {
        "title": ["Commander", "Rear Admiral"],
        "email": ["", "grace@example.com"],
    }


def test_an_edit_that_changes_nothing_leaves_no_entry(grace):
    services.member_update(
        member=grace,
        name=grace.name,
        title=grace.title,
        email=grace.email,
        external_id=grace.external_id,
        active_from=grace.active_from,
        active_until=None,
    )
    assert not AuditEntry.objects.exists()


def test_a_refused_edit_leaves_no_entry(admin_client, grace):
    response = admin_client.post(
        f"/org/members/{grace.pk}/edit/",
        {
            "name": "Grace Hopper",
            "title": "Someone else's edit lost",
            "active_from": "2024-01-01",
            "version": "2000-01-01T00:00:00+00:00",  # stale
        },
    )
    assert response.status_code == 200
    assert "Someone else changed" in response.content.decode()
    assert not AuditEntry.objects.exists()


def test_it_records_an_archive(admin_client, admin_membership, grace):
    response = admin_client.post(f"/org/members/{grace.pk}/archive/", {"on": "2030-01-01"})
    assert response.status_code == 302
    entry = only_entry(object_type="member", object_id=grace.pk)
    assert (entry.action, entry.actor) == ("archived", admin_membership.user)
    assert entry.changes == {"active_until": [None, "2030-01-01"]}


def test_it_records_a_move_between_quadrants(admin_client, admin_membership, grace, org):
    on = org.today().isoformat()
    response = admin_client.post(f"/org/members/{grace.pk}/move/", {"to_quadrant": "L", "on": on})
    assert response.status_code == 302
    entry = only_entry(object_type="member", object_id=grace.pk)
    assert (entry.action, entry.actor) == ("moved", admin_membership.user)
    assert entry.changes == {"quadrant": ["M", "L"], "moved_on": [None, on]}


def test_it_records_a_seat_taken_and_given_up_on_a_team(admin_client, admin_membership, org):
    team = TeamFactory(organization=org, name="Night Shift")
    ada = PersonFactory(organization=org, name="Ada Lovelace")
    url = f"/org/members/{team.pk}/seat/"
    assert admin_client.post(url, {"action": "add", "person": ada.pk}, **HTMX).status_code == 200
    assert admin_client.post(url, {"action": "remove", "person": ada.pk}).status_code == 302
    added, removed = AuditEntry.objects.filter(object_type="team_seat").order_by("id")
    people = {"team": {"id": team.pk, "repr": "Night Shift"}}
    people["person"] = {"id": ada.pk, "repr": "Ada Lovelace"}
    assert (added.action, added.actor, added.object_repr) == (
        "added",
        admin_membership.user,
        "Ada Lovelace on Night Shift",
    )
    assert added.changes == {name: [None, value] for name, value in people.items()}
    assert (removed.action, removed.actor) == ("removed", admin_membership.user)
    assert removed.changes == {name: [value, None] for name, value in people.items()}


def test_a_change_made_from_the_shell_has_no_actor(org):
    services.member_create(organization=org, kind="team", quadrant="T", name="Day Shift")
    entry = only_entry(object_type="member")
    assert (entry.actor, entry.actor_label, entry.action) == (None, "", "created")
