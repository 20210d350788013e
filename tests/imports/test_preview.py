"""The preview: what an import would change in the organization, before anything is written."""

from __future__ import annotations

import datetime

from org.models import Member
from tests.factories import PersonFactory, TeamFactory, TeamMembershipFactory
from transfer.imports import describe_preview, plan_for, plan_import, preview_import


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def test_it_counts_new_changed_unchanged_and_archived_people(org):
    PersonFactory(organization=org, external_id="1", name="Ann", title="CEO", quadrant="L")
    PersonFactory(organization=org, external_id="2", name="Ben", title="VP", quadrant="L")
    PersonFactory(organization=org, external_id="3", name="Cat", title="Clerk", quadrant="E")
    PersonFactory(organization=org, external_id="", name="Hand Made", quadrant="E")
    PersonFactory(
        organization=org,
        external_id="9",
        name="Long Gone",
        active_until=datetime.date(2021, 1, 1),
    )
    plan = plan_import(
        csv_bytes(
            "id,name,title,manager_id",
            "1,Ann,CEO,",
            "2,Ben,Vice President,1",
            "4,Dan,Analyst,1",
        )
    )
    preview = preview_import(org, plan)
    assert preview.ok
    assert vars(preview.people) == {"new": 1, "changed": 1, "unchanged": 1, "archived": 1}
    assert preview.changes == ["Ben (2): title VP → Vice President, reports to Ann, not nobody"]
    assert preview.to_update == ["2"]
    assert preview.lines_to_add == [("1", "2", "direct"), ("1", "4", "guidance")]
    assert preview.archived_names == ["Cat (3)"]
    assert preview.to_create == ["4"]
    assert Member.objects.filter(organization=org).count() == 5


def test_it_brings_back_archived_people_who_are_in_the_file(org):
    PersonFactory(
        organization=org,
        external_id="1",
        name="Ann",
        quadrant="L",
        title="",
        active_until=datetime.date(2021, 1, 1),
    )
    preview = preview_import(org, plan_import(csv_bytes("id,name,manager_id", "1,Ann,")))
    assert vars(preview.people) == {"new": 0, "changed": 1, "unchanged": 0, "archived": 0}
    assert preview.changes == ["Ann (1): back from the archive"]


def test_it_counts_teams_and_seats(org):
    sales = TeamFactory(organization=org, external_id="team:sales", name="Sales")
    TeamFactory(organization=org, external_id="team:old", name="Old")
    TeamFactory(organization=org, external_id="", name="Made by hand")
    ann = PersonFactory(organization=org, external_id="1", name="Ann", quadrant="L", title="")
    TeamMembershipFactory(team=sales, person=ann)
    plan = plan_import(csv_bytes("id,name,team,manager_id", "1,Ann,Support,", "2,Ben,Sales,1"))
    preview = preview_import(org, plan)
    assert vars(preview.teams) == {"new": 1, "changed": 0, "unchanged": 1, "archived": 1}
    assert vars(preview.people) == {"new": 1, "changed": 1, "unchanged": 0, "archived": 0}
    assert preview.seats_to_add == {("team:support", "1"), ("team:sales", "2")}
    assert len(preview.seats_to_remove) == 1


def test_it_names_a_manager_who_belongs_to_another_organization(org, other_org):
    PersonFactory(organization=other_org, external_id="X9", email="boss@globex.example")
    plan = plan_import(
        csv_bytes(
            "id,name,manager_email",
            "1,Ann,",
            "2,Ben,Boss@Globex.example",
            "3,Cat,nobody@example.com",
        )
    )
    preview = preview_import(org, plan)
    assert [(p.code, p.line, p.column) for p in preview.problems if p.is_error] == [
        ("manager_in_other_organization", 3, "manager_email"),
        ("unknown_manager", 4, "manager_email"),
    ]
    assert not preview.has_changes


def test_the_preview_costs_the_same_queries_for_few_and_many_people(org, django_assert_num_queries):
    def file_of(n: int) -> bytes:
        rows = [f"{i},Person {i},Title,{'' if i == 1 else 1}" for i in range(1, n + 1)]
        return csv_bytes("id,name,title,manager_id", *rows)

    for i in range(1, 40):
        PersonFactory(organization=org, external_id=str(i), name=f"Person {i}", quadrant="E")
    for n in (5, 300):
        plan = plan_import(file_of(n))
        with django_assert_num_queries(4):
            preview = preview_import(org, plan)
        assert preview.ok


def test_it_says_first_whom_it_archives(org):
    for i in range(1, 13):
        PersonFactory(organization=org, external_id=str(i), name=f"Person {i}")
    preview = preview_import(org, plan_import(csv_bytes("id,name,manager_id", "1,Person 1,")))
    assert preview.people.archived == 11
    assert preview.archives_many
    assert describe_preview(preview)[0].startswith("This import archives 11 of the 12 active")
    assert "Person 2 (2)" in preview.archived_names


def test_a_partial_file_archives_nobody_and_may_name_managers_already_there(org):
    for i in range(1, 13):
        PersonFactory(organization=org, external_id=str(i), name=f"Person {i}", quadrant="M")
    plan = plan_for(
        org, csv_bytes("id,name,manager_id", "20,New Person,3", "21,Other,20"), partial=True
    )
    preview = preview_import(org, plan)
    assert preview.ok, preview.errors
    assert vars(preview.people) == {"new": 2, "changed": 0, "unchanged": 0, "archived": 0}
    assert plan.quadrants == {"20": "M", "21": "E"}
    assert plan.reasons == {"20": "1 report", "21": "no reports"}
    assert preview.lines_to_add == [("20", "21", "influential"), ("3", "20", "direct")]
