"""A backup is checked whole before anything is written: a reference to a row that is not in
the backup (an edited file pointing at another organization's rows) refuses the restore."""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from meetings.models import FeedbackItem, ObjectiveProgress
from meetings.progress import services as progress_services
from meetings.selectors import current_quarter
from org.models import Organization
from tests.factories import (
    ActionItemFactory,
    ObjectiveFactory,
    PersonFactory,
    RelationshipFactory,
    SessionFactory,
    SuccessFactory,
)
from transfer import backup


def _world(organization: Organization) -> dict:
    """An objective with an owner, a partnership, a relationship, a session with attendees
    and a log (a success, a progress call, feedback from a person, an action item)."""
    owner = PersonFactory(organization=organization, name=f"Owner of {organization.slug}")
    objective = ObjectiveFactory(organization=organization, owner=owner)
    relationship = RelationshipFactory(
        partnership__organization=organization, partnership__objective=objective
    )
    partnership = relationship.partnership
    session = SessionFactory(
        partnership=partnership,
        facilitator=relationship.from_member,
        attendees=[relationship.from_member, relationship.to_member],
    )
    SuccessFactory(session=session)
    ObjectiveProgress.objects.create(
        organization=organization,
        session=session,
        objective=objective,
        call=ObjectiveProgress.Call.choices[0][0],
        note="On track",
    )
    FeedbackItem.objects.create(
        organization=organization, session=session, from_member=owner, text="More often"
    )
    ActionItemFactory(session=session)
    return {
        "member": owner.pk,
        "objective": objective.pk,
        "partnership": partnership.pk,
        "session": session.pk,
    }


@pytest.fixture
def worlds(org, other_org):
    return _world(org), _world(other_org)


def everything() -> dict[str, int]:
    """Rows per table of the product's apps: what 'the database is unchanged' compares."""
    return {
        model._meta.label_lower: model._default_manager.count()
        for app in ("org", "partnerships", "meetings")
        for model in apps.get_app_config(app).get_models()
    }


def table(dump: dict, section: str, label: str) -> list[dict]:
    return dump["sections"][section]["tables"][label]


# (section, table, field, what the field names in the other organization)
DANGLING = [
    ("partnerships", "partnerships.relationship", "from_member", "member"),
    ("meetings", "meetings.session", "facilitator", "member"),
    ("partnerships", "partnerships.relationship", "partnership", "partnership"),
    ("meetings", "meetings.session", "partnership", "partnership"),
    ("partnerships", "partnerships.partnership", "objective", "objective"),
    ("meetings", "meetings.objectiveprogress", "objective", "objective"),
    ("meetings", "meetings.sessionsuccess", "objective", "objective"),
    ("meetings", "meetings.feedbackitem", "session", "session"),
    ("meetings", "meetings.actionitem", "session", "session"),
    # references that may be empty are not emptied silently either
    ("meetings", "meetings.feedbackitem", "from_member", "member"),
    ("partnerships", "partnerships.objective", "owner", "member"),
    ("meetings", "meetings.sessionsuccess", "session", "session"),
]


@pytest.mark.parametrize(("section", "label", "name", "kind"), DANGLING)
def test_it_refuses_a_reference_to_another_organizations_row(
    worlds, org, section, label, name, kind
):
    ours, theirs = worlds
    dump = backup.backup_organization(org)
    row = table(dump, section, label)[0]
    row[name] = theirs[kind]
    before = everything()
    with pytest.raises(backup.BackupError) as refused:
        backup.restore_backup(json.loads(json.dumps(dump)), slug="copy")
    message = refused.value.messages[0]
    assert f"Table {label}, row id {row['id']}, field {name}:" in message
    assert f"id {theirs[kind]}, which is not in the backup" in message
    assert everything() == before
    assert not Organization.objects.filter(slug="copy").exists()


def test_it_refuses_an_attendee_who_is_not_in_the_backup(worlds, org):
    ours, theirs = worlds
    dump = backup.backup_organization(org)
    session = table(dump, "meetings", "meetings.session")[0]
    session["attendees"].append(theirs["member"])
    before = everything()
    with pytest.raises(backup.BackupError, match=r"meetings.session, row id \d+, field attendees"):
        backup.restore_backup(dump, slug="copy")
    assert everything() == before


def test_it_refuses_a_reference_to_a_row_that_is_nowhere(worlds, org):
    dump = backup.backup_organization(org)
    table(dump, "meetings", "meetings.feedbackitem")[0]["session"] = 987654
    with pytest.raises(backup.BackupError, match="meetings.session id 987654, which is not in"):
        backup.restore_backup(dump, slug="copy")


def test_the_command_fails_naming_the_table_the_row_and_the_field(worlds, org, tmp_path):
    ours, theirs = worlds
    dump = backup.backup_organization(org)
    objective = table(dump, "partnerships", "partnerships.objective")[0]
    objective["owner"] = theirs["member"]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(dump))
    before = everything()
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_backup", str(path), "--into", "copy", stdout=out)
    assert str(failed.value) == (
        f"Table partnerships.objective, row id {objective['id']}, field owner: it refers to "
        f"org.member id {theirs['member']}, which is not in the backup. Nothing was restored."
    )
    assert "Restored" not in out.getvalue()
    assert everything() == before


def test_a_clean_backup_of_the_same_world_restores_every_row(worlds, org):
    dump = backup.backup_organization(org)
    report = backup.restore_backup(dump, slug="copy")
    copy = report.organization
    assert report.left_out == {} and report.emptied == {}
    assert FeedbackItem.objects.get(organization=copy).from_member.name == "Owner of acme"
    assert report.rows["meetings.feedbackitem"] == 1
    assert report.rows["meetings.session"] == 1


def test_it_empties_and_counts_a_user_who_does_not_exist_here(worlds, org, tmp_path):
    dump = backup.backup_organization(org)
    table(dump, "meetings", "meetings.sessionsuccess")[0]["author"] = "someone_gone"
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(dump))
    out = io.StringIO()
    call_command("import_backup", str(path), "--into", "copy", stdout=out)
    assert "Emptied references: 1 meetings.sessionsuccess.author (no user of that name here)." in (
        out.getvalue()
    )
    assert "Left out" not in out.getvalue()


def test_a_login_whose_user_does_not_exist_is_left_out_with_its_checklists(org, leader_membership):
    progress_services.checklist_ensure(membership=leader_membership, quarter=current_quarter(org))
    dump = backup.backup_organization(org)
    (login,) = table(dump, "org", "org.orgmembership")
    login["user"] = "someone_gone"
    report = backup.restore_backup(dump, slug="copy", logins=True)
    assert report.skipped_logins == ["someone_gone (no such user)"]
    assert report.left_out == {
        backup.WITHOUT_USER: {"meetings.checklist": 1, "meetings.checklistitem": 13}
    }
