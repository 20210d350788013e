"""Applying an import: one transaction; re-imports update by external id and archive leavers."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org.models import AuditEntry, Member, QuadrantMove, TeamMembership
from partnerships.models import Objective, Partnership, Relationship
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory
from transfer.imports import QuadrantRules, plan_import, preview_import
from transfer.services import ImportRefused, StalePreview, organization_import

FIRST = (
    "id,name,title,email,manager_id,team",
    "1,Ada Boss,CEO,ada@acme.example,,",
    "2,Bo Vice,VP Sales,bo@acme.example,1,",
    "3,Cy Lead,Sales Lead,cy@acme.example,2,Field",
    "4,Di Rep,Sales Rep,di@acme.example,3,Field",
    "5,Ed Rep,Sales Rep,ed@acme.example,3,Field;Inside",
)


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def run(org, *lines, archive_missing=True, **kw):
    """Import these lines; leavers are archived without asking (the tests of that ask below)."""
    return organization_import(
        organization=org, plan=plan_import(csv_bytes(*lines), **kw), archive_missing=archive_missing
    )


def snapshot(org):
    """Everything an import may touch, to show that a refused or repeated import changes nothing."""
    return (
        list(Member.objects.filter(organization=org).order_by("id").values()),
        list(TeamMembership.objects.filter(organization=org).order_by("id").values()),
        list(Relationship.objects.filter(organization=org).order_by("id").values()),
        list(Partnership.objects.filter(organization=org).order_by("id").values()),
        list(QuadrantMove.objects.filter(organization=org).order_by("id").values()),
    )


def age(org, days: int = 30) -> datetime.date:
    """Pretend everything so far happened `days` ago; returns that day."""
    then = org.today() - datetime.timedelta(days=days)
    Member.objects.filter(organization=org).update(active_from=then)
    Relationship.objects.filter(organization=org).update(starts_on=then)
    Partnership.objects.filter(organization=org).update(formed_on=then)
    Objective.objects.filter(organization=org).update(starts_on=then)
    return then


def lines(org, day=None, partnership="Chain of command"):
    day = day or org.today()
    return sorted(
        (r.from_member.external_id, r.to_member.external_id, r.type)
        for r in Relationship.objects.for_org(org)
        .active_on(day)
        .filter(partnership__name=partnership)
        .with_members()
    )


def test_it_imports_people_teams_and_reporting_lines(org):
    preview = run(org, *FIRST)
    assert vars(preview.people) == {"new": 5, "changed": 0, "unchanged": 0, "archived": 0}
    assert vars(preview.teams) == {"new": 2, "changed": 0, "unchanged": 0, "archived": 0}
    people = {m.external_id: m for m in Member.objects.filter(organization=org)}
    assert {ext: m.quadrant for ext, m in people.items()} == {
        "1": "L",
        "2": "L",
        "3": "M",
        "4": "E",
        "5": "E",
        "team:field": "T",
        "team:inside": "T",
    }
    assert people["3"].title == "Sales Lead"
    assert people["1"].active_from == org.today()
    assert sorted(
        TeamMembership.objects.filter(organization=org).values_list(
            "team__name", "person__external_id"
        )
    ) == [("Field", "3"), ("Field", "4"), ("Field", "5"), ("Inside", "5")]
    chain, stewardship = Partnership.objects.filter(organization=org).order_by("id")
    assert chain.name == "Chain of command"
    assert chain.objective.title == "Chain of command"
    assert lines(org) == [
        ("1", "2", "direct"),
        ("2", "3", "direct"),
        ("3", "4", "influential"),
        ("3", "5", "influential"),
    ]
    # Each team directs its employees; the manager above guides it, the leader influences it.
    assert stewardship.name == "Team stewardship"
    assert stewardship.objective == chain.objective
    assert lines(org, partnership="Team stewardship") == [
        ("2", "team:field", "influential"),
        ("2", "team:inside", "influential"),
        ("3", "team:field", "guidance"),
        ("3", "team:inside", "guidance"),
        ("team:field", "4", "direct"),
        ("team:field", "5", "direct"),
        ("team:inside", "5", "direct"),
    ]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(org):
    run(org, *FIRST)
    before = snapshot(org)
    preview = run(org, *FIRST)
    assert not preview.has_changes
    assert vars(preview.people) == {"new": 0, "changed": 0, "unchanged": 5, "archived": 0}
    assert preview.lines_kept == 4
    assert snapshot(org) == before


def test_a_repeated_import_with_leavers_changes_nothing_the_same_day(org):
    run(org, *FIRST)
    run(org, *FIRST[:4])
    before = snapshot(org)
    assert not run(org, *FIRST[:4]).has_changes
    assert snapshot(org) == before


def test_a_newer_export_updates_by_id_and_archives_leavers(org):
    run(org, *FIRST)
    then = age(org)
    ids_before = dict(Member.objects.filter(organization=org).values_list("external_id", "id"))
    preview = run(
        org,
        "id,name,title,email,manager_id,team",
        "1,Ada Boss,CEO,ada@acme.example,,",
        "2,Bo Vice,VP Sales & Service,bo@acme.example,1,",
        "3,Cy Lead,Sales Lead,cy@acme.example,2,Field",
        "5,Ed Rep,Sales Rep,ed@acme.example,2,Inside",
        "6,Fay New,Sales Rep,fay@acme.example,3,Field",
    )
    today = org.today()
    assert vars(preview.people) == {"new": 1, "changed": 2, "unchanged": 2, "archived": 1}
    members = {m.external_id: m for m in Member.objects.filter(organization=org)}
    assert {ext: members[ext].id for ext in ids_before} == ids_before  # nobody re-created
    assert members["2"].title == "VP Sales & Service"
    assert members["4"].active_until == today  # archived, dated, kept
    assert members["6"].active_from == today
    assert not members["4"].is_active_on(today)
    assert lines(org) == [
        ("1", "2", "direct"),
        ("2", "3", "direct"),
        ("2", "5", "guidance"),
        ("3", "6", "influential"),
    ]
    assert lines(org, then) == [
        ("1", "2", "direct"),
        ("2", "3", "direct"),
        ("3", "4", "influential"),
        ("3", "5", "influential"),
    ]
    ended = Relationship.objects.filter(organization=org, ends_on=today)
    assert sorted((r.from_member.external_id, r.to_member.external_id) for r in ended) == [
        ("3", "4"),
        ("3", "5"),
        ("3", "team:inside"),  # Ed, alone on Inside, now reports to Bo: no manager guides it
        ("team:field", "4"),  # Di left: her team's line ends with her
        ("team:field", "5"),  # Ed moved to Inside only
    ]
    assert sorted(
        TeamMembership.objects.filter(organization=org, person__external_id="5").values_list(
            "team__name", flat=True
        )
    ) == ["Inside"]
    assert not TeamMembership.objects.filter(organization=org, person__external_id="4").exists()


def test_it_brings_back_someone_who_returns(org):
    run(org, *FIRST)
    age(org)
    run(org, *FIRST[:4])
    assert not Member.objects.get(external_id="4").is_active_on(org.today())
    run(org, *FIRST)
    assert Member.objects.get(external_id="4").active_until is None


def test_a_quadrant_change_is_recorded_and_follows_into_other_partnerships(org, admin_membership):
    run(org, *FIRST)
    age(org)
    cy, di, ed = (Member.objects.get(organization=org, external_id=x) for x in "345")
    quality = PartnershipFactory(organization=org, formed_on=org.today() - datetime.timedelta(9))
    kept = RelationshipFactory(partnership=quality, from_member=cy, to_member=di)  # M→E
    RelationshipFactory(partnership=quality, from_member=di, to_member=ed)  # E→E direct
    broken = RelationshipFactory(  # L→E guidance; Di becomes a manager: L→M is direct
        partnership=quality, from_member=Member.objects.get(external_id="1"), to_member=di
    )
    file = list(FIRST)
    file[4] = "4,Di Rep,Sales Rep,di@acme.example,3,Field"
    file[5] = "5,Ed Rep,Sales Rep,ed@acme.example,4,Field;Inside"
    preview = organization_import(
        organization=org, plan=plan_import(csv_bytes(*file)), by=admin_membership.user
    )
    assert len(preview.ended_elsewhere) == 3
    di.refresh_from_db()
    assert di.quadrant == "M"
    move = QuadrantMove.objects.get(member=di)
    assert (move.from_quadrant, move.to_quadrant, move.moved_by) == (
        "E",
        "M",
        admin_membership.user,
    )
    broken.refresh_from_db()
    kept.refresh_from_db()
    assert broken.ends_on == org.today()
    assert kept.ends_on == org.today()  # M→M would be direct, not influential: ended too
    assert lines(org) == [
        ("1", "2", "direct"),
        ("2", "3", "direct"),
        ("3", "4", "direct"),
        ("4", "5", "influential"),
    ]


def test_relationships_that_keep_their_type_take_the_new_quadrants(org):
    run(org, *FIRST, rules=QuadrantRules(leadership_levels=2))
    age(org)
    assert Member.objects.get(external_id="3").quadrant == "L"
    run(org, *FIRST)  # the top and titles only: Cy moves to Managers
    line = Relationship.objects.active_on(org.today()).get(
        from_member__external_id="2", partnership__name="Chain of command"
    )
    assert (line.from_quadrant, line.to_quadrant, line.type) == ("L", "M", "direct")
    ended = Relationship.objects.get(
        from_member__external_id="3",
        to_member__external_id="4",
        ends_on=org.today(),
        partnership__name="Chain of command",
    )
    assert ended.type == "guidance"


def test_a_refused_import_writes_nothing(org):
    run(org, *FIRST)
    before = snapshot(org)
    with pytest.raises(ImportRefused) as refused:
        run(org, *FIRST, "6,Fay,Rep,fay@acme.example,99,")
    [error] = refused.value.preview.errors
    assert (error.code, error.line, error.column) == ("unknown_manager", 7, "manager_id")
    assert "Line 7, column “manager_id”" in refused.value.messages[0]
    assert snapshot(org) == before


def test_a_stale_preview_is_refused(org):
    plan = plan_import(csv_bytes(*FIRST))
    fingerprint = preview_import(org, plan).fingerprint()
    PersonFactory(organization=org, external_id="9", name="Added meanwhile")
    with pytest.raises(StalePreview):
        organization_import(organization=org, plan=plan, fingerprint=fingerprint)
    assert Member.objects.filter(organization=org).count() == 1


def test_it_refuses_reporting_lines_that_loop_with_other_direct_lines(org):
    run(org, *FIRST)
    age(org)
    ada, bo = Member.objects.get(external_id="1"), Member.objects.get(external_id="2")
    other = PartnershipFactory(organization=org, formed_on=org.today() - datetime.timedelta(9))
    RelationshipFactory(partnership=other, from_member=bo, to_member=ada)  # L→L direct
    before = snapshot(org)
    file = list(FIRST)
    file[1] = "1,Ada Boss,CEO,ada@acme.example,,"
    with pytest.raises(ImportRefused) as refused:
        run(org, *file)
    [error] = refused.value.preview.errors
    assert error.code == "direct_loop"
    assert "Bo Vice → Ada Boss" in error.message
    assert snapshot(org) == before


def test_leavers_relationships_in_other_partnerships_end(org):
    run(org, *FIRST)
    age(org)
    cy, di = Member.objects.get(external_id="3"), Member.objects.get(external_id="4")
    quality = PartnershipFactory(organization=org, formed_on=org.today() - datetime.timedelta(9))
    relationship = RelationshipFactory(partnership=quality, from_member=cy, to_member=di)
    preview = run(org, *FIRST[:4], FIRST[5])
    assert preview.ended_elsewhere == [
        f"Cy Lead → Di Rep (influential in {quality.name}), because Di Rep leaves"
    ]
    relationship.refresh_from_db()
    assert relationship.ends_on == org.today()


def test_hand_made_members_are_left_alone(org):
    hand = PersonFactory(organization=org, external_id="", name="Volunteer")
    run(org, *FIRST)
    age(org)
    run(org, *FIRST[:3])
    hand.refresh_from_db()
    assert hand.active_until is None


def test_applying_costs_the_same_queries_for_few_and_more_people(org):
    """Writes go in batches (SQLite takes about 90 members per INSERT): never a query per row."""

    def file_of(n: int) -> bytes:
        rows = [f"{i},Person {i},Title,,{(i // 5) or ''},T{i % 7}" for i in range(1, n + 1)]
        return csv_bytes("id,name,title,email,manager_id,team", *rows)

    counts = []
    for n in (10, 40):  # 40 people: their lines and their teams' still fit one INSERT each
        plan = plan_import(file_of(n))
        with CaptureQueriesContext(connection) as queries:
            organization_import(organization=org, plan=plan)
        # The audit trail gets an entry per member, seat and line, inserted in batches that
        # SQLite keeps small: counted apart, at most one INSERT per hundred entries (plus one
        # each for the Chain of command's objective, it and Team stewardship, made by their
        # services).
        audit = [  # PostgreSQL takes the import's own entries by COPY
            q
            for q in queries
            if q["sql"].startswith(('INSERT INTO "org_auditentry"', 'COPY "org_auditentry"'))
        ]
        entries = AuditEntry.objects.filter(organization=org).count()
        assert 4 <= len(audit) <= entries // 100 + 4
        counts.append(len(queries) - len(audit))
        AuditEntry.objects.all().delete()
        Relationship.objects.all().delete()
        Partnership.objects.all().delete()
        Objective.objects.all().delete()
        TeamMembership.objects.all().delete()
        Member.objects.filter(organization=org).delete()
    assert counts[0] == counts[1]
