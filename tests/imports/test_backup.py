"""A JSON backup of one organization, restored into an empty one, reproduces it."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from demo.organizations import DEMO_SLUG, demo_seed
from meetings.models import (
    Action,
    Checklist,
    ChecklistItem,
    ChecklistOptIn,
    SentReminder,
    Session,
    SessionSuccess,
)
from meetings.progress import services as progress_services
from meetings.progress.selectors import past_quarter_choices
from meetings.selectors import current_quarter
from meetings.services import calendar_feed_for
from org.models import Member, Organization, OrgMembership
from partnerships.models import Relationship
from tests.factories import PersonFactory
from transfer import backup


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
        "leadership_titles": "",
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
    northwind.leadership_titles = "chief\ncaptain"
    northwind.save(update_fields=["leadership_titles"])
    dump = backup.backup_organization(northwind)
    report = restore(dump, logins=True)
    copy = report.organization
    assert (copy.name, copy.fiscal_year_start_month) == ("Northwind Freight", 4)
    assert copy.leadership_titles == "chief\ncaptain"  # the import's words come along
    again = backup.backup_organization(copy)
    assert renumbered(again) == renumbered(dump)
    assert (
        Relationship.objects.filter(organization=copy).count()
        == Relationship.objects.filter(organization=northwind).count()
    )


def normalised(html: str, *names: str) -> str:
    html = re.sub(r'<form class="org-switcher".*?</form>', "", html, flags=re.DOTALL)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'name="once" value="[^"]*"', "", html)  # a fresh one-time key each time
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    # when the health analysis was computed (each copy computes its own)
    html = re.sub(r'<time datetime="[^"]*">', "<time>", html)
    html = re.sub(r"/\d+/", "/N/", html)
    html = re.sub(r'((?:value|member|partnership|objective|pk|id)=["\']?[a-z_-]*)\d+', r"\1N", html)
    # ids inside names: hx-target="#success-12", a form's prefix "objective-3-value"
    html = re.sub(r'((?:["#\s]|id_)[a-z][a-z_]*-)\d+\b', r"\1N", html)
    for name in names:
        html = html.replace(name, "ORG")
    return html


def test_backup_then_restore_gives_identical_pages(northwind):
    session = Session.objects.filter(organization=northwind).latest("starts_at")
    SentReminder.objects.create(  # the demo sends none; every meetings table holds a row
        organization=northwind,
        kind=SentReminder.Kind.UPCOMING,
        recipient=session.facilitator,
        session=session,
        partnership=session.partnership,
        quarter_start=session.quarter_start,
        sent_on=northwind.today(),
    )
    dump = backup.backup_organization(northwind)
    copy = restore(dump, name="Northwind Copy", logins=True).organization
    # the demo's leader: restored with the logins, so the copy has their checklists too
    user = get_user_model().objects.get(username="leader")
    quarters = [q.key for q in past_quarter_choices(northwind, 4)]

    def pages(organization) -> dict[str, str]:
        client = Client()
        client.force_login(user)
        client.post("/org/switch/", {"organization": organization.pk})
        members = list(
            Member.objects.filter(organization=organization)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        sessions = Session.objects.filter(organization=organization).order_by("pk")
        successes = SessionSuccess.objects.filter(organization=organization).count()
        urls = ["/diagram/", "/diagram/export.csv", "/partnerships/", "/objectives/", "/health/"]
        urls += [f"/diagram/quadrants/{q}/" for q in "LMTE"]
        urls += [f"/partnerships/members/{pk}/" for pk in members[::7]]
        urls += [f"/org/members/{pk}/" for pk in members[::11]]
        urls += [f"/meetings/?quarter={key}&scope=all" for key in quarters]
        urls += [f"/meetings/sessions/{pk}/" for pk in sessions.values_list("pk", flat=True)]
        urls += [f"/meetings/successes/?page={n}" for n in range(1, successes // 20 + 2)]
        urls += [f"/meetings/progress/?quarter={key}" for key in quarters]
        urls += [f"/meetings/checklist/?quarter={key}" for key in quarters]
        urls += [f"/meetings/measurements/?quarter={key}" for key in quarters]
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
    assert any("/meetings/sessions/" in url for url in original)
    meetings = next(s for s in backup.sections() if s.name == "meetings")
    for table in meetings.tables:
        assert table.rows(copy).count() == table.rows(northwind).count() > 0, table.label


def test_the_backup_holds_every_meetings_table_but_the_calendar_feeds(northwind):
    leader = OrgMembership.objects.get(organization=northwind, user__username="leader")
    feed = calendar_feed_for(membership=leader)
    dump = backup.backup_organization(northwind)
    tables = dump["sections"]["meetings"]["tables"]
    tenant_models = {
        m._meta.label_lower
        for m in apps.get_app_config("meetings").get_models()
        if any(f.name == "organization" for f in m._meta.concrete_fields)
    }
    assert set(tables) == tenant_models - {"meetings.calendarfeed"}
    assert "meetings.action" not in tables  # reference rows, not the organization's
    assert feed.token not in json.dumps(dump)
    assert len(tables["meetings.session"]) == Session.objects.filter(organization=northwind).count()


@pytest.fixture
def renumbered_actions(db):
    """The 13 actions again, with ids that are not their numbers (13 has the lowest)."""
    actions = list(
        Action.objects.order_by("number").values("number", "principle", "label", "explanation")
    )
    Action.objects.all().delete()
    Action.objects.bulk_create(Action(pk=114 - a["number"], **a) for a in actions)
    return actions


def test_a_backups_checklist_items_name_their_action_by_number(
    renumbered_actions, org, leader_membership
):
    quarter = current_quarter(org)
    checklist = progress_services.checklist_ensure(membership=leader_membership, quarter=quarter)
    for item in checklist.items.select_related("action"):
        n = item.action.number
        item.state = ChecklistItem.State.DONE if n % 2 else ChecklistItem.State.IN_PROGRESS
        item.note = f"Evidence for action {n}"
        item.save()
    dump = backup.backup_organization(org)
    rows = dump["sections"]["meetings"]["tables"]["meetings.checklistitem"]
    number_of = dict(ChecklistItem.objects.values_list("pk", "action__number"))
    assert sorted(row["action"] for row in rows) == list(range(1, 14))
    assert all(row["action"] == number_of[row["id"]] for row in rows)
    assert all(row["note"] == f"Evidence for action {row['action']}" for row in rows)

    # another installation: the same 13 actions under other ids
    org.delete()
    Action.objects.all().delete()
    Action.objects.bulk_create(Action(pk=200 + a["number"], **a) for a in renumbered_actions)
    report = restore(dump, slug="elsewhere", logins=True)

    items = ChecklistItem.objects.filter(organization=report.organization)
    assert report.rows["meetings.checklistitem"] == 13
    assert {(i.action_id, i.action.number) for i in items.select_related("action")} == {
        (200 + n, n) for n in range(1, 14)
    }
    assert {i.action.number: (i.state, i.note) for i in items} == {
        n: ("done" if n % 2 else "in_progress", f"Evidence for action {n}") for n in range(1, 14)
    }


def test_it_refuses_a_backup_that_names_an_action_this_installation_lacks(org, leader_membership):
    progress_services.checklist_ensure(membership=leader_membership, quarter=current_quarter(org))
    dump = backup.backup_organization(org)
    dump["sections"]["meetings"]["tables"]["meetings.checklistitem"][0]["action"] = 14
    with pytest.raises(backup.BackupError, match="action number=14, which this installation"):
        restore(dump, slug="missing-action", logins=True)
    assert not Organization.objects.filter(slug="missing-action").exists()


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
    tables = dump["sections"]["meetings"]["tables"]
    report = restore(dump, slug="no-logins")
    without = report.organization
    assert not OrgMembership.objects.filter(organization=without).exists()
    # a login's checklists and opt-in follow it; the sessions and measurements do not
    assert not Checklist.objects.filter(organization=without).exists()
    assert not ChecklistOptIn.objects.filter(organization=without).exists()
    assert report.left_out == {
        backup.WITHOUT_LOGINS: {
            "meetings.checklistoptin": len(tables["meetings.checklistoptin"]),
            "meetings.checklist": len(tables["meetings.checklist"]),
            "meetings.checklistitem": len(tables["meetings.checklistitem"]),
        }
    }
    assert report.emptied == {}  # every user the backup names exists here
    assert Session.objects.filter(organization=without).count() == len(tables["meetings.session"])
    # who wrote a success is a user, not a login: kept while that user exists
    assert SessionSuccess.objects.filter(organization=without, author__username="leader").exists()

    with_logins = restore(dump, slug="with-logins", logins=True).organization
    leader = OrgMembership.objects.get(organization=with_logins, user__username="leader")
    assert leader.role == "leader"
    assert leader.member.organization == with_logins
    assert (
        leader.checklists.count()
        == len(
            [c for c in tables["meetings.checklist"] if c["membership"] in _ids_of(dump, "leader")]
        )
        > 0
    )
    assert ChecklistOptIn.objects.filter(organization=with_logins).count() == len(
        tables["meetings.checklistoptin"]
    )


def _ids_of(dump: dict, username: str) -> set[int]:
    logins = dump["sections"]["org"]["tables"]["org.orgmembership"]
    return {row["id"] for row in logins if row["user"] == username}


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
    assert "Left out with the logins, which were not restored (use --logins):" in out.getvalue()
    assert "meetings.checklist" in out.getvalue()
    restored = Organization.objects.get(slug="restored")
    assert (
        renumbered(backup.backup_organization(restored))["partnerships"]
        == renumbered(backup.backup_organization(northwind))["partnerships"]
    )
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_backup", str(path), "--into", "restored", stdout=io.StringIO())


def test_a_backup_made_before_leadership_titles_still_restores(northwind):
    dump = backup.backup_organization(northwind)
    del dump["organization"]["leadership_titles"]
    copy = restore(dump, logins=True).organization
    assert copy.leadership_titles == ""


def test_it_refuses_a_file_that_is_not_a_backup(db, tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(CommandError, match="not a Partnership Map backup"):
        call_command("import_backup", str(path), "--into", "x", stdout=io.StringIO())
    path.write_text("id,name\n")
    with pytest.raises(CommandError, match="not a JSON backup"):
        call_command("import_backup", str(path), "--into", "x", stdout=io.StringIO())
