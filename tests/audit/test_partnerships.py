"""The audit trail of objectives, partnerships and relationships: formed, dissolved, added and
ended (also when a dissolve or a quadrant move ends them), with who and before and after."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from org.models import AuditEntry
from partnerships.models import Objective, Partnership, Relationship
from tests.factories import ObjectiveFactory, PartnershipFactory, RelationshipFactory

FORMED = datetime.date(2024, 1, 1)


def ref(obj) -> dict:
    return {"id": obj.pk, "repr": str(obj)}


@pytest.fixture
def drive(org, leader_membership, manager_membership, member_membership):
    """Lee directs Max, who influences Mia, in "Quality drive" (written without the trail)."""
    lee, max_, mia = (m.member for m in (leader_membership, manager_membership, member_membership))
    objective = ObjectiveFactory(organization=org, title="Zero defects", starts_on=FORMED)
    partnership = PartnershipFactory(
        organization=org, objective=objective, name="Quality drive", formed_on=FORMED
    )
    RelationshipFactory(partnership=partnership, from_member=lee, to_member=max_)
    RelationshipFactory(partnership=partnership, from_member=max_, to_member=mia)
    return SimpleNamespace(objective=objective, partnership=partnership, lee=lee, max=max_, mia=mia)


def test_it_records_an_objective_created(leader_client, leader_membership):
    response = leader_client.post(
        "/objectives/new/",
        {
            "title": "On-time delivery",
            "emphasis": "customer_service",
            "owner": leader_membership.member.pk,
            "status": "active",
            "starts_on": "2024-01-01",
            "target_value": "98.5",
            "target_unit": "% on time",
        },
    )
    assert response.status_code == 302
    objective = Objective.objects.get()
    [entry] = AuditEntry.objects.filter(object_type="objective", object_id=objective.pk)
    assert (entry.action, entry.actor, entry.object_repr) == (
        "created",
        leader_membership.user,
        "On-time delivery",
    )
    assert entry.changes == {
        "title": [None, "On-time delivery"],
        "emphasis": [None, "customer_service"],
        "owner": [None, ref(leader_membership.member)],
        "starts_on": [None, "2024-01-01"],
        "status": [None, "active"],
        "target_value": [None, "98.5"],
        "target_unit": [None, "% on time"],
    }


def test_it_records_a_partnership_formed(admin_client, admin_membership, drive):
    response = admin_client.post(
        "/partnerships/new/",
        {"name": "Care loop", "objective": drive.objective.pk, "formed_on": "2024-05-01"},
    )
    assert response.status_code == 302
    partnership = Partnership.objects.get(name="Care loop")
    [entry] = AuditEntry.objects.filter(object_type="partnership", object_id=partnership.pk)
    assert (entry.action, entry.actor) == ("created", admin_membership.user)
    assert entry.changes == {
        "objective": [None, ref(drive.objective)],
        "name": [None, "Care loop"],
        "formed_on": [None, "2024-05-01"],
    }


def test_it_records_a_dissolve_and_each_relationship_it_ends(
    leader_client, leader_membership, drive
):
    response = leader_client.post(
        f"/partnerships/{drive.partnership.pk}/dissolve/", {"on": "2024-09-01"}
    )
    assert response.status_code == 302
    dissolved = AuditEntry.objects.get(object_type="partnership")
    assert (dissolved.action, dissolved.actor, dissolved.object_repr) == (
        "dissolved",
        leader_membership.user,
        "Quality drive",
    )
    assert dissolved.changes == {"dissolved_on": [None, "2024-09-01"]}
    ended = AuditEntry.objects.filter(object_type="relationship").order_by("object_id")
    assert [(e.action, e.object_repr, e.changes, e.actor) for e in ended] == [
        (
            "ended",
            str(relationship),
            {"ends_on": [None, "2024-09-01"]},
            leader_membership.user,
        )
        for relationship in drive.partnership.relationships.with_members().order_by("id")
    ]


def test_it_records_a_relationship_added(leader_client, leader_membership, drive):
    response = leader_client.post(
        f"/partnerships/{drive.partnership.pk}/relationships/",
        {
            "from_member": drive.lee.pk,
            "to_member": drive.mia.pk,
            "starts_on": "2024-03-01",
            "carries": "zero defects",
        },
    )
    assert response.status_code == 302
    added = Relationship.objects.get(from_member=drive.lee, to_member=drive.mia)
    [entry] = AuditEntry.objects.filter(object_type="relationship", object_id=added.pk)
    assert (entry.action, entry.actor, entry.object_repr) == (
        "added",
        leader_membership.user,
        "Lee Leader → Mia Member (guidance)",
    )
    assert entry.changes == {
        "partnership": [None, ref(drive.partnership)],
        "from_member": [None, ref(drive.lee)],
        "to_member": [None, ref(drive.mia)],
        "type": [None, "guidance"],
        "carries": [None, "zero defects"],
        "starts_on": [None, "2024-03-01"],
    }


def test_it_records_a_relationship_ended(manager_client, manager_membership, drive):
    relationship = Relationship.objects.get(from_member=drive.max)
    url = f"/partnerships/{drive.partnership.pk}/relationships/{relationship.pk}/end/"
    assert manager_client.post(url, {"on": "2024-06-01"}).status_code == 302
    [entry] = AuditEntry.objects.filter(object_type="relationship", object_id=relationship.pk)
    assert (entry.action, entry.actor, entry.object_repr) == (
        "ended",
        manager_membership.user,
        "Max Manager → Mia Member (influential)",
    )
    assert entry.changes == {"ends_on": [None, "2024-06-01"]}


def test_a_move_records_the_member_and_the_relationships_it_ends(
    admin_client, admin_membership, drive
):
    data = {"to_quadrant": "L", "on": "2024-06-01"}
    refused = admin_client.post(f"/org/members/{drive.max.pk}/move/", data)
    assert not AuditEntry.objects.exists()  # refused until confirmed: nothing happened
    confirmed = refused.context["confirm"].initial["confirmed"]
    data |= {"end_conflicting": "on", "confirmed": confirmed}
    assert admin_client.post(f"/org/members/{drive.max.pk}/move/", data).status_code == 302
    moved = AuditEntry.objects.get(object_type="member")
    assert (moved.action, moved.actor) == ("moved", admin_membership.user)
    assert moved.changes == {"quadrant": ["M", "L"], "moved_on": [None, "2024-06-01"]}
    ended = AuditEntry.objects.get(object_type="relationship")
    assert (ended.action, ended.object_repr, ended.actor) == (
        "ended",
        "Max Manager → Mia Member (influential)",
        admin_membership.user,
    )
    assert ended.changes == {"ends_on": [None, "2024-06-01"]}
