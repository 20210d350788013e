"""A JSON backup of one organization, restored into an empty one, reproduces it."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from org import backup
from org.demo import DEMO_SLUG, demo_seed
from org.models import Member, Organization, OrgMembership, Role
from partnerships.models import Relationship
from tests.factories import OrgMembershipFactory, PersonFactory, UserFactory


@pytest.fixture
def northwind(db):
    demo_seed()
    return Organization.objects.get(slug=DEMO_SLUG)


def renumbered(dump: dict) -> dict:
    """The backup with every row id replaced by its position, and references likewise: what
    must be equal between an organization and its restored copy."""
    positions: dict[str, dict[int, int]] = {}
    for section in dump["sections"].values():
        for label, rows in section["tables"].items():
            positions[label] = {row["id"]: i for i, row in enumerate(rows)}
    references = {}
    for section in dump["sections"].values():
        for label in section["tables"]:
            model = next(t.model for s in backup.sections() for t in s.tables if t.label == label)
            for f in [*model._meta.concrete_fields, *model._meta.many_to_many]:
                if f.is_relation and f.related_model._meta.label_lower in positions:
                    references[(label, f.name)] = f.related_model._meta.label_lower
    result = {}
    for name, section in dump["sections"].items():
        tables = {}
        for label, rows in section["tables"].items():
            renumbered_rows = []
            for row in rows:
                row = dict(row, id=positions[label][row["id"]])
                for (table, field), target in references.items():
                    value = row.get(field) if table == label else None
                    if isinstance(value, list):  # many-to-many: the ids of the others
                        row[field] = sorted(positions[target][v] for v in value)
                    elif value is not None:
                        row[field] = positions[target][value]
                renumbered_rows.append(row)
            tables[label] = renumbered_rows
        result[name] = tables
    return result


def restore(dump: dict, slug: str = "copy", **kw):
    return backup.restore_backup(json.loads(json.dumps(dump)), slug=slug, **kw)


def test_the_backup_holds_the_structure_and_the_partnerships(northwind):
    dump = backup.backup_organization(northwind)
    assert dump["organization"] == {
        "name": "Northwind Freight",
        "slug": DEMO_SLUG,
        "fiscal_year_start_month": 4,
        "time_zone": "UTC",
    }
    tables = {label for s in dump["sections"].values() for label in s["tables"]}
    assert {
        "org.member",
        "org.teammembership",
        "org.quadrantmove",
        "org.orgmembership",
        "partnerships.objective",
        "partnerships.partnership",
        "partnerships.relationship",
    } <= tables
    members = dump["sections"]["org"]["tables"]["org.member"]
    assert len(members) == Member.objects.filter(organization=northwind).count()
    logins = dump["sections"]["org"]["tables"]["org.orgmembership"]
    assert all("password" not in row for row in logins)
    assert {row["user"] for row in logins} >= {"admin", "leader"}


def test_a_restore_reproduces_the_organization_exactly(northwind):
    dump = backup.backup_organization(northwind)
    report = restore(dump, logins=True)
    copy = report.organization
    assert (copy.name, copy.fiscal_year_start_month) == ("Northwind Freight", 4)
    again = backup.backup_organization(copy)
    assert renumbered(again) == renumbered(dump)
    assert (
        Relationship.objects.filter(organization=copy).count()
        == Relationship.objects.filter(organization=northwind).count()
    )


def normalised(html: str, *names: str) -> str:
    html = re.sub(r'<form class="org-switcher".*?</form>', "", html, flags=re.DOTALL)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    html = re.sub(r"/\d+/", "/N/", html)
    html = re.sub(r'((?:value|member|partnership|objective|pk|id)=["\']?[a-z_-]*)\d+', r"\1N", html)
    for name in names:
        html = html.replace(name, "ORG")
    return html


def test_backup_then_restore_gives_identical_pages(northwind):
    dump = backup.backup_organization(northwind)
    copy = restore(dump, name="Northwind Copy").organization
    user = UserFactory(username="twin_leader")
    OrgMembershipFactory(user=user, organization=northwind, role=Role.LEADER)
    OrgMembershipFactory(user=user, organization=copy, role=Role.LEADER)

    def pages(organization) -> dict[str, str]:
        client = Client()
        client.force_login(user)
        client.post("/org/switch/", {"organization": organization.pk})
        members = list(
            Member.objects.filter(organization=organization)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        urls = ["/diagram/", "/diagram/export.csv", "/partnerships/", "/objectives/", "/health/"]
        urls += [f"/diagram/quadrants/{q}/" for q in "LMTE"]
        urls += [f"/partnerships/members/{pk}/" for pk in members[::7]]
        urls += [f"/org/members/{pk}/" for pk in members[::11]]
        result = {}
        for position, url in enumerate(urls):
            response = client.get(url)
            assert response.status_code == 200, url
            key = re.sub(r"/\d+/", f"/#{position}/", url)
            result[key] = normalised(response.content.decode(), organization.name)
        return result

    original, restored = pages(northwind), pages(copy)
    assert original.keys() == restored.keys()
    for url in original:
        assert restored[url] == original[url], url


def test_it_refuses_to_restore_into_an_organization_that_is_not_empty(northwind, org):
    PersonFactory(organization=org)
    dump = backup.backup_organization(northwind)
    with pytest.raises(backup.BackupError, match="not empty"):
        restore(dump, slug=org.slug)
    assert Member.objects.filter(organization=org).count() == 1


def test_it_restores_into_an_existing_empty_organization(northwind, org):
    dump = backup.backup_organization(northwind)
    report = restore(dump, slug=org.slug)
    assert report.organization == org
    assert Member.objects.filter(organization=org).count() == len(
        dump["sections"]["org"]["tables"]["org.member"]
    )
    assert org.name == "Acme Logistics"  # an existing organization keeps its own settings


def test_logins_are_restored_only_when_asked(northwind):
    dump = backup.backup_organization(northwind)
    without = restore(dump, slug="no-logins").organization
    assert not OrgMembership.objects.filter(organization=without).exists()
    with_logins = restore(dump, slug="with-logins", logins=True).organization
    leader = OrgMembership.objects.get(organization=with_logins, user__username="leader")
    assert leader.role == "leader"
    assert leader.member.organization == with_logins


def test_a_broken_restore_writes_nothing(northwind):
    dump = backup.backup_organization(northwind)
    dump["sections"]["partnerships"]["tables"]["partnerships.relationship"][0]["type"] = "bogus"
    with pytest.raises(Exception):  # noqa: B017 - the database refuses the row
        restore(dump, slug="broken")
    assert not Organization.objects.filter(slug="broken").exists()


def test_the_commands_round_trip(northwind, tmp_path):
    path = tmp_path / "northwind.json"
    call_command("export_org", DEMO_SLUG, "-o", str(path))
    out = io.StringIO()
    call_command("import_backup", str(path), "--into", "restored", stdout=out)
    assert "Restored into Northwind Freight (restored)" in out.getvalue()
    assert "Use --logins" in out.getvalue()
    restored = Organization.objects.get(slug="restored")
    assert (
        renumbered(backup.backup_organization(restored))["partnerships"]
        == renumbered(backup.backup_organization(northwind))["partnerships"]
    )
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_backup", str(path), "--into", "restored", stdout=io.StringIO())


def test_it_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(CommandError, match="not a Partnership Map backup"):
        call_command("import_backup", str(path), "--into", "x", stdout=io.StringIO())
    path.write_text("id,name\n")
    with pytest.raises(CommandError, match="not a JSON backup"):
        call_command("import_backup", str(path), "--into", "x", stdout=io.StringIO())
