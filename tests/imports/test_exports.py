"""Members and relationships as spreadsheet-safe CSV; the backup download."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest

from org.spreadsheets import spreadsheet_safe
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory
from transfer.exports import write_members_csv
from transfer.imports import plan_import
from transfer.services import organization_import

FILE = (
    b"id,name,title,email,manager_id,team\n"
    b"1,Ada Boss,CEO,ada@acme.example,,\n"
    b'2,Bo Vice,"VP, Sales",bo@acme.example,1,Field\n'
    b"3,Cy Lead,Lead,cy@acme.example,2,Field;Inside\n"
)


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("Ann", "Ann"),
        (None, ""),
        (7, "7"),
    ],
)
def test_cells_are_spreadsheet_safe(value, safe):
    assert spreadsheet_safe(value) == safe


def test_it_exports_members_with_manager_and_teams(admin_client, org):
    organization_import(organization=org, plan=plan_import(FILE))
    PersonFactory(organization=org, name="=HYPERLINK(1)", external_id="", quadrant="E")
    response = admin_client.get("/org/import/export/members.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    by_name = {row["name"]: row for row in rows(response)}
    assert by_name["Bo Vice"]["title"] == "VP, Sales"
    assert by_name["Bo Vice"]["manager_id"] == "1"
    assert by_name["Cy Lead"]["teams"] == "Field; Inside"
    assert by_name["Cy Lead"]["quadrant"] == "E"
    assert by_name["Field"]["kind"] == "team"
    assert "'=HYPERLINK(1)" in by_name


def test_the_members_export_reads_back_through_the_import(org, other_org):
    organization_import(organization=org, plan=plan_import(FILE))
    out = io.StringIO()
    write_members_csv(org, out)
    people = "\n".join(
        line for line in out.getvalue().splitlines() if ",team," not in line
    ).encode()
    preview = organization_import(organization=other_org, plan=plan_import(people))
    assert preview.people.new == 3
    assert sorted(preview.plan.managers.items()) == [("2", "1"), ("3", "2")]


def test_it_exports_relationships_with_dates(leader_client, org):
    partnership = PartnershipFactory(organization=org, name="Quality first")
    RelationshipFactory(
        partnership=partnership,
        carries="-30% defects",
        starts_on=datetime.date(2024, 2, 1),
        ends_on=datetime.date(2024, 6, 1),
    )
    response = leader_client.get("/org/import/export/relationships.csv")
    assert response.status_code == 200
    [row] = rows(response)
    assert row["partnership"] == "Quality first"
    assert row["type"] == "direct"
    assert row["carries"] == "'-30% defects"
    assert (row["starts_on"], row["ends_on"]) == ("2024-02-01", "2024-06-01")


def test_exports_cost_the_same_queries_for_few_and_many(
    admin_client, org, django_assert_num_queries
):
    for n in (3, 60):
        for i in range(n):
            PersonFactory(organization=org, name=f"P{n}-{i}")
        with django_assert_num_queries(6):
            admin_client.get("/org/import/export/members.csv")
        with django_assert_num_queries(4):
            admin_client.get("/org/import/export/relationships.csv")


@pytest.mark.parametrize("role", ["manager", "member"])
def test_exports_are_for_admins_and_leaders(role, role_clients):
    client = role_clients[role]
    assert client.get("/org/import/export/members.csv").status_code == 403
    assert client.get("/org/import/export/relationships.csv").status_code == 403
    assert client.get("/org/import/export/backup.json").status_code == 403


def test_the_backup_download_is_for_admins(admin_client, leader_client, org, outsider_client):
    PersonFactory(organization=org, name="Only In Acme")
    assert leader_client.get("/org/import/export/backup.json").status_code == 403
    response = admin_client.get("/org/import/export/backup.json")
    data = json.loads(response.content)
    assert data["organization"]["slug"] == "acme"
    names = [m["name"] for m in data["sections"]["org"]["tables"]["org.member"]]
    assert "Only In Acme" in names
    outsider = json.loads(outsider_client.get("/org/import/export/backup.json").content)
    assert "Only In Acme" not in str(outsider)
