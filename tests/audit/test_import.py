"""The audit trail of an import: one entry per member it creates, changes or archives, with
the teams they joined or left and whom they report to, all by the admin who applied it."""

from __future__ import annotations

import datetime

from org.models import AuditEntry, Member
from partnerships.models import Relationship
from tests.factories import PartnershipFactory, RelationshipFactory
from transfer.imports import plan_import
from transfer.services import organization_import

HEADER = "id,name,title,email,manager_id,team"


def run(org, *lines, by=None):
    data = ("\n".join([HEADER, *lines]) + "\n").encode()
    # Leavers are archived without asking (tests/imports/test_real_files.py asks).
    return organization_import(
        organization=org, plan=plan_import(data), by=by, archive_missing=True
    )


def member_entry(org, ext) -> AuditEntry:
    member = Member.objects.get(organization=org, external_id=ext)
    [entry] = AuditEntry.objects.filter(object_type="member", object_id=member.pk)
    return entry


def ref(org, ext) -> dict:
    member = Member.objects.get(organization=org, external_id=ext)
    return {"id": member.pk, "repr": member.name}


def test_a_first_import_records_each_member_with_teams_and_manager(org, admin_membership):
    run(
        org,
        "1,Ada Boss,CEO,ada@acme.example,,",
        "2,Cy Lead,Sales Lead,cy@acme.example,1,Field",
        by=admin_membership.user,
    )
    cy = member_entry(org, "2")
    assert (cy.action, cy.actor, cy.object_repr) == ("created", admin_membership.user, "Cy Lead")
    team = Member.objects.get(organization=org, kind="team")
    today = org.today().isoformat()
    assert cy.changes == {
        "kind": [None, "person"],
        "quadrant": [None, cy.changes["quadrant"][1]],
        "name": [None, "Cy Lead"],
        "title": [None, "Sales Lead"],
        "email": [None, "cy@acme.example"],
        "external_id": [None, "2"],
        "active_from": [None, today],
        "joined_teams": [None, [{"id": team.pk, "repr": "Field"}]],
        "reports_to": [None, ref(org, "1")],
    }
    assert member_entry(org, team.external_id).action == "created"
    # The Chain of command the import keeps is formed through the services: recorded too.
    assert set(
        AuditEntry.objects.exclude(object_type="member").values_list("object_type", "action")
    ) == {("objective", "created"), ("partnership", "created")}
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {admin_membership.user.pk}


def test_a_newer_export_records_changes_moves_and_leavers(org, admin_membership):
    run(
        org,
        "1,Ada Boss,CEO,,,",
        "2,Bo Vice,VP,,1,",
        "3,Cy Lead,Lead,,2,Field",
        "4,Di Rep,Rep,,2,",
    )
    AuditEntry.objects.all().delete()
    yesterday = org.today() - datetime.timedelta(days=30)
    Member.objects.filter(organization=org).update(active_from=yesterday)
    Relationship.objects.update(starts_on=yesterday)
    run(
        org,
        "1,Ada Boss,CEO,,,",
        "2,Bo Vice,VP,,1,",
        "3,Cy Lead,Director of Sales,,1,Inside",
        by=admin_membership.user,
    )
    cy = member_entry(org, "3")
    teams = {t.name: t.pk for t in Member.objects.filter(organization=org, kind="team")}
    assert (cy.action, cy.actor) == ("changed", admin_membership.user)
    assert cy.changes == {
        "quadrant": ["E", "L"],  # a director reporting to the chief executive: leadership
        "title": ["Lead", "Director of Sales"],
        "left_teams": [[{"id": teams["Field"], "repr": "Field"}], None],
        "joined_teams": [None, [{"id": teams["Inside"], "repr": "Inside"}]],
        "reports_to": [ref(org, "2"), ref(org, "1")],
    }
    di = member_entry(org, "4")
    assert (di.action, di.actor) == ("archived", admin_membership.user)
    assert di.changes == {
        "active_until": [None, org.today().isoformat()],
        "reports_to": [ref(org, "2"), None],
    }
    assert not AuditEntry.objects.filter(object_type="member", object_repr="Ada Boss").exists()


def test_a_leavers_relationship_in_another_partnership_gets_its_own_entry(org, admin_membership):
    run(org, "1,Ada Boss,CEO,,,", "2,Bo Vice,VP,,1,")
    bo = Member.objects.get(organization=org, external_id="2")
    ada = Member.objects.get(organization=org, external_id="1")
    earlier = org.today() - datetime.timedelta(days=9)
    Member.objects.filter(organization=org).update(active_from=earlier)
    Relationship.objects.update(starts_on=earlier)
    quality = PartnershipFactory(organization=org, name="Quality", formed_on=earlier)
    elsewhere = RelationshipFactory(
        partnership=quality, from_member=ada, to_member=bo, starts_on=earlier
    )
    AuditEntry.objects.all().delete()
    run(org, "1,Ada Boss,CEO,,,", by=admin_membership.user)
    [entry] = AuditEntry.objects.filter(object_type="relationship")
    assert (entry.object_id, entry.action, entry.actor) == (
        elsewhere.pk,
        "ended",
        admin_membership.user,
    )
    assert entry.changes == {"ends_on": [None, org.today().isoformat()]}


def test_a_repeated_import_records_nothing(org):
    lines = ["1,Ada Boss,CEO,,,", "2,Bo Vice,VP,,1,Field"]
    run(org, *lines)
    before = AuditEntry.objects.count()
    run(org, *lines)
    assert AuditEntry.objects.count() == before
