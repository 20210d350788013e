"""Scenarios: drafting changes nothing live; the scenario's diagram, health and a member's
place equal what the pages show once it is applied (computed independently, from the
database); a live change under a step refuses the apply and names the step."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.urls import reverse

from org.models import AuditEntry, Member, Quadrant
from partnerships import rules
from partnerships import services as live
from partnerships.diagram.selectors import diagram_counts, ego
from partnerships.health.analysis import analyse, load
from partnerships.models import Relationship
from partnerships.scope import Scope
from scenarios import compare
from scenarios.models import Scenario
from scenarios.views import place_in
from tests.factories import (
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    TeamFactory,
    TeamMembershipFactory,
)
from tests.trust.world import snapshot as everything


def same_analysis(live, in_scenario) -> bool:
    """Two analyses of the same data: equal but for the moment each was computed."""
    return dataclasses.replace(live, computed_at=None) == dataclasses.replace(
        in_scenario, computed_at=None
    )


def snapshot(organization) -> dict:
    """Every live row of the organization: not the scenarios' own rows, nor their entries in
    the audit trail (drafting records who drafted what)."""
    rows = everything(organization)
    del rows["Scenario"], rows["ScenarioStep"]
    rows["AuditEntry"] = [row for row in rows["AuditEntry"] if row["object_type"] != "scenario"]
    return rows


pytestmark = pytest.mark.django_db


@pytest.fixture
def company(org):
    """A small organization: two leaders, two managers, a team, four employees, and the
    partnerships joining them (one of them Team stewardship)."""
    people = {
        name: PersonFactory(organization=org, name=name, quadrant=quadrant)
        for name, quadrant in [
            ("Lena Lead", Quadrant.LEADERSHIP),
            ("Leo Lead", Quadrant.LEADERSHIP),
            ("Mara Manager", Quadrant.MANAGERS),
            ("Milo Manager", Quadrant.MANAGERS),
            ("Eva Emp", Quadrant.EMPLOYEES),
            ("Ezra Emp", Quadrant.EMPLOYEES),
            ("Elif Emp", Quadrant.EMPLOYEES),
            ("Enzo Emp", Quadrant.EMPLOYEES),
        ]
    }
    team = TeamFactory(organization=org, name="Care Team")
    people["Care Team"] = team
    main = PartnershipFactory(organization=org, name="Customer care")
    stewardship = PartnershipFactory(organization=org, name=rules.TEAM_STEWARDSHIP)
    for source, target in [
        ("Lena Lead", "Mara Manager"),
        ("Leo Lead", "Milo Manager"),
        ("Mara Manager", "Eva Emp"),
        ("Mara Manager", "Ezra Emp"),
        ("Milo Manager", "Elif Emp"),
        ("Lena Lead", "Eva Emp"),
        ("Lena Lead", "Care Team"),
        ("Mara Manager", "Care Team"),
    ]:
        RelationshipFactory(partnership=main, from_member=people[source], to_member=people[target])
    TeamMembershipFactory(team=team, person=people["Ezra Emp"])
    RelationshipFactory(partnership=stewardship, from_member=team, to_member=people["Ezra Emp"])
    return people, main


def _draft(client, org, people, main) -> Scenario:
    day = org.today()
    response = client.post(
        reverse("scenarios:list"), {"name": "Merge care", "effective_on": day.isoformat()}
    )
    scenario = Scenario.objects.get(organization=org, name="Merge care")
    assert response.status_code == 302
    add = lambda kind, data: client.post(  # noqa: E731
        reverse("scenarios:step_add", args=[scenario.pk, kind]), data
    )
    assert add("move", {"member_query": "Ezra Emp", "to_quadrant": "M"}).status_code == 302
    assert add("archive", {"member_query": "Milo Manager"}).status_code == 302
    response = add(
        "add_relationship",
        {"member_query": "Leo Lead", "other_query": "Elif Emp", "partnership": main.pk},
    )
    assert response.status_code == 302, response.content.decode()
    line = main.relationships.get(
        from_member=people["Lena Lead"], to_member=people["Eva Emp"], ends_on=None
    )
    assert (
        add("end_relationship", {"member_query": "Eva Emp", "relationship": line.pk}).status_code
        == 302
    )
    assert (
        add(
            "seat", {"member_query": "Care Team", "other_query": "Enzo Emp", "change": "seat"}
        ).status_code
        == 302
    )
    return scenario


def test_scenario_equals_the_live_pages_after_apply_and_drafting_changes_nothing(
    org, admin_client, company
):
    people, main = company
    before = snapshot(org)
    scenario = _draft(admin_client, org, people, main)
    assert scenario.steps.count() == 5
    assert snapshot(org) == before  # nothing live changed while drafting

    page = admin_client.get(reverse("scenarios:detail", args=[scenario.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Move Ezra Emp from Employees to Managers" in text
    assert "Archive Milo Manager" in text
    assert "What else it changes" in text
    assert "Mara Manager → Ezra Emp (influential in Customer care)" in text

    world = compare.after_world(scenario)
    in_scenario = analyse(world.loaded())
    counts, names = world.quadrant_counts()
    flows = world.flow_counts()
    places = {
        pk: place_in(world, pk)
        for pk in (people["Eva Emp"].pk, people["Elif Emp"].pk, people["Mara Manager"].pk)
    }

    response = admin_client.post(reverse("scenarios:apply", args=[scenario.pk]))
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.status == Scenario.Status.APPLIED

    scope = Scope(organization=org, day=scenario.effective_on)
    assert same_analysis(analyse(load(scope)), in_scenario)
    live_counts = diagram_counts(scope)
    assert live_counts.quadrants == counts
    assert live_counts.names == names
    assert live_counts.flows == flows
    for pk, place in places.items():
        live_place = ego(scope, Member.objects.get(pk=pk))
        assert [[m.name for m in path] for path in live_place.named_paths] == place.paths

        def words(relationships):
            return sorted(
                f"{r.from_member.name} → {r.to_member.name} ({r.type} in {r.partnership.name})"
                for r in relationships
            )

        assert words(live_place.incoming) == place.incoming
        assert words(live_place.outgoing) == place.outgoing
    assert Member.objects.get(pk=people["Ezra Emp"].pk).quadrant == Quadrant.MANAGERS
    assert not Member.objects.get(pk=people["Milo Manager"].pk).is_active_on(scenario.effective_on)
    change_set = AuditEntry.objects.get(object_type="scenario", action="applied")
    assert len(change_set.changes["steps"][1]) == 5
    assert AuditEntry.objects.filter(pk__in=change_set.changes["entries"][1]).count() >= 5

    # applied: read-only, its changes are the live data now
    page = admin_client.get(reverse("scenarios:detail", args=[scenario.pk])).content.decode()
    assert "These steps became live data as of" in page
    assert "Apply…" not in page
    response = admin_client.post(
        reverse("scenarios:step_add", args=[scenario.pk, "archive"]), {"member_query": "Eva Emp"}
    )
    assert response.status_code == 403
    assert scenario.steps.count() == 5


def test_a_live_change_under_a_step_refuses_the_apply_and_names_the_step(
    org, admin_client, company
):
    people, main = company
    scenario = _draft(admin_client, org, people, main)
    live.member_move_checked(
        member=people["Ezra Emp"],
        to_quadrant=Quadrant.LEADERSHIP,
        on=org.today(),
        by=None,
        end_conflicting=True,
    )
    before = snapshot(org)
    response = admin_client.post(reverse("scenarios:apply", args=[scenario.pk]))
    assert response.status_code == 409
    text = response.content.decode()
    listed = text[text.index('role="alert"') :][:1500]
    assert "Step 1 (Move Ezra Emp from Employees to Managers" in listed, listed
    assert "Ezra Emp moved from Employees to Leadership." in text
    assert snapshot(org) == before
    scenario.refresh_from_db()
    assert scenario.is_draft


def test_a_step_the_rules_refuse_is_not_added(org, admin_client, company):
    people, main = company
    scenario = Scenario.objects.create(organization=org, name="S", effective_on=org.today())
    response = admin_client.post(
        reverse("scenarios:step_add", args=[scenario.pk, "add_relationship"]),
        {"member_query": "Eva Emp", "other_query": "Lena Lead", "partnership": main.pk},
    )
    assert response.status_code == 400
    assert "never back up or left" in response.content.decode()
    assert scenario.steps.count() == 0


def test_leaders_draft_but_only_admins_apply_structure(org, leader_client, company):
    people, main = company
    scenario = Scenario.objects.create(organization=org, name="S", effective_on=org.today())
    response = leader_client.post(
        reverse("scenarios:step_add", args=[scenario.pk, "archive"]),
        {"member_query": "Eva Emp"},
    )
    assert response.status_code == 302
    page = leader_client.get(reverse("scenarios:detail", args=[scenario.pk])).content.decode()
    assert "Apply…" not in page
    assert "ask an admin to apply this scenario" in page
    response = leader_client.get(reverse("scenarios:apply", args=[scenario.pk]))
    assert response.status_code == 403


def test_managers_cannot_and_another_organization_is_a_404(
    org, manager_client, outsider_client, company
):
    scenario = Scenario.objects.create(organization=org, name="S", effective_on=org.today())
    assert manager_client.get(reverse("scenarios:detail", args=[scenario.pk])).status_code == 403
    assert outsider_client.get(reverse("scenarios:detail", args=[scenario.pk])).status_code == 404
    assert manager_client.get(reverse("scenarios:list")).status_code == 403


def test_rename_copy_delete(org, leader_client, company):
    scenario = Scenario.objects.create(organization=org, name="S", effective_on=org.today())
    day = org.today() + datetime.timedelta(days=3)
    response = leader_client.post(
        reverse("scenarios:rename", args=[scenario.pk]),
        {"name": "Renamed", "effective_on": day.isoformat()},
    )
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert (scenario.name, scenario.effective_on) == ("Renamed", day)
    leader_client.post(reverse("scenarios:copy", args=[scenario.pk]))
    assert Scenario.objects.filter(name="Copy of Renamed").exists()
    page = leader_client.get(reverse("scenarios:delete", args=[scenario.pk]))
    assert "Delete" in page.content.decode()
    leader_client.post(reverse("scenarios:delete", args=[scenario.pk]))
    assert not Scenario.objects.filter(pk=scenario.pk).exists()


def test_a_scenario_whose_date_has_passed_is_not_applied(org, admin_client, company):
    people, main = company
    scenario = _draft(admin_client, org, people, main)
    Scenario.objects.filter(pk=scenario.pk).update(
        effective_on=org.today() - datetime.timedelta(days=1)
    )
    before = snapshot(org)
    response = admin_client.post(reverse("scenarios:apply", args=[scenario.pk]))
    assert response.status_code == 409
    assert "has passed" in response.content.decode()
    assert snapshot(org) == before


def test_merging_a_team_equals_the_live_pages_after_apply(org, admin_client, company):
    people, main = company
    stewardship = main.organization.partnerships.get(name=rules.TEAM_STEWARDSHIP)
    billing = TeamFactory(organization=org, name="Billing Team")
    for name in ("Elif Emp", "Enzo Emp"):
        TeamMembershipFactory(team=billing, person=people[name])
        RelationshipFactory(partnership=stewardship, from_member=billing, to_member=people[name])
    RelationshipFactory(partnership=main, from_member=people["Leo Lead"], to_member=billing)
    scenario = Scenario.objects.create(organization=org, name="Merge", effective_on=org.today())
    response = admin_client.post(
        reverse("scenarios:step_add", args=[scenario.pk, "merge_teams"]),
        {"member_query": "Billing Team", "other_query": "Care Team"},
    )
    assert response.status_code == 302, response.content.decode()
    step = scenario.steps.get()
    assert step.label == "Merge Billing Team into Care Team (also ends 3 relationships)"
    world = compare.after_world(scenario)
    in_scenario = analyse(world.loaded())
    counts, _names = world.quadrant_counts()
    flows = world.flow_counts()

    assert admin_client.post(reverse("scenarios:apply", args=[scenario.pk])).status_code == 302
    scope = Scope(organization=org, day=scenario.effective_on)
    assert same_analysis(analyse(load(scope)), in_scenario)
    live_counts = diagram_counts(scope)
    assert (live_counts.quadrants, live_counts.flows) == (counts, flows)
    care = people["Care Team"]
    assert set(care.team_seats.values_list("person__name", flat=True)) == {
        "Ezra Emp",
        "Elif Emp",
        "Enzo Emp",
    }
    assert not Member.objects.get(pk=billing.pk).is_active_on(scenario.effective_on)


def test_a_draft_does_not_stop_a_removal_and_then_names_it(org, admin_client, company):
    people, main = company
    scenario = _draft(admin_client, org, people, main)
    step = scenario.steps.get(kind="end_relationship")
    relationship = Relationship.objects.get(pk=step.relationship_id)
    live.relationship_remove(relationship=relationship)  # "it never happened": not refused
    assert not Relationship.objects.filter(pk=step.relationship_id).exists()
    response = admin_client.post(reverse("scenarios:apply", args=[scenario.pk]))
    assert response.status_code == 409
    text = response.content.decode()
    assert f"Step {step.position} (End Lena Lead → Eva Emp" in text
    assert "The relationship was removed." in text
    page = admin_client.get(reverse("scenarios:detail", args=[scenario.pk]))
    assert "no longer apply" in page.content.decode()
