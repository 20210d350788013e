"""The data version (partnerships/versions.py): recorded by database triggers, read in one
indexed query, never reused, and withheld while another transaction's write may still land."""

from __future__ import annotations

import datetime
import io
import threading

import pytest
from django.db import connection, connections, transaction

from org.models import Member, Organization
from partnerships.models import DataChange
from partnerships.versions import data_version
from tests.factories import OrganizationFactory, PersonFactory, RelationshipFactory


def test_an_organization_nobody_wrote_to_has_the_first_version(db):
    assert data_version(OrganizationFactory()) == "v0"


def test_one_bulk_update_of_many_rows_moves_the_version(db, org):
    people = [PersonFactory(organization=org) for _ in range(3)]
    before = data_version(org)

    Member.objects.filter(pk__in=[p.pk for p in people]).update(title="Analyst")

    assert data_version(org) != before
    assert data_version(org) is not None


def test_a_rolled_back_write_leaves_no_version_behind_and_the_next_write_gets_a_new_one(db, org):
    before = data_version(org)
    seen_inside = []
    with pytest.raises(RuntimeError), transaction.atomic():
        PersonFactory(organization=org)
        seen_inside.append(data_version(org))
        raise RuntimeError("roll back")

    assert data_version(org) == before
    PersonFactory(organization=org)  # SQLite may give it the rolled-back row's id
    assert data_version(org) not in (before, seen_inside[0])


def test_deleting_an_organization_forgets_its_changes(db):
    doomed = OrganizationFactory()
    RelationshipFactory(partnership__organization=doomed)
    assert DataChange.objects.filter(organization_pk=doomed.pk).exists()

    Organization.objects.filter(pk=doomed.pk).delete()

    assert not DataChange.objects.filter(organization_pk=doomed.pk).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writing transaction at a time: commits cannot land out of order",
)
@pytest.mark.django_db(transaction=True)
def test_a_version_is_withheld_while_an_earlier_transaction_may_still_commit(org):
    """Transaction A writes first and commits last: until it does, the newest version (B's)
    would not move when A lands, so nothing may be cached under it."""
    written, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                PersonFactory(organization=org, name="Slow Writer")
                written.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert written.wait(timeout=10)
        PersonFactory(organization=org, name="Quick Writer")  # commits at once, a later id

        assert data_version(org) is None
    finally:
        release.set()
        thread.join(timeout=10)

    settled = data_version(org)
    assert settled is not None
    assert Member.objects.filter(organization=org, name="Slow Writer").exists()


def test_each_domain_moves_with_its_own_tables_only(db, org):
    """A partnership is in both; a score only in progress; a member only in structure."""
    from meetings.models import SatisfactionScore
    from partnerships.versions import PROGRESS, STRUCTURE

    def versions():
        return data_version(org, STRUCTURE), data_version(org, PROGRESS)

    structure, progress = versions()
    SatisfactionScore.objects.create(
        organization=org, quarter_start=datetime.date(2025, 1, 1), kind="customer", value=80
    )
    assert versions()[0] == structure and versions()[1] != progress

    structure, progress = versions()
    PersonFactory(organization=org)
    assert versions()[0] != structure and versions()[1] == progress

    structure, progress = versions()
    RelationshipFactory(partnership__organization=org)  # a new partnership and its line
    assert versions()[0] != structure and versions()[1] != progress


def test_every_watched_table_has_its_triggers(db):
    """A table added to WATCHED without a migration creating its triggers fails here."""
    from partnerships.versions import WATCHED, trigger_name, triggers

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        installed = {row[0] for row in cursor.fetchall()}
    wanted = {trigger_name(domain, table, event) for domain, table, event, _ in triggers(WATCHED)}
    assert wanted <= installed
    assert "org_organization_delete_changes" in installed


def test_pruning_keeps_every_version_and_only_the_newest_rows(db, org, other_org):
    from django.core.management import call_command

    from partnerships.versions import PROGRESS, STRUCTURE

    for organization in (org, other_org):
        for _ in range(3):
            RelationshipFactory(partnership__organization=organization)
    before = {
        (o.pk, d): data_version(o, d) for o in (org, other_org) for d in (STRUCTURE, PROGRESS)
    }
    assert DataChange.objects.count() > 4

    out = io.StringIO()
    call_command("prune_data_changes", stdout=out)

    after = {(o.pk, d): data_version(o, d) for o in (org, other_org) for d in (STRUCTURE, PROGRESS)}
    assert after == before
    assert DataChange.objects.count() == 4  # one per organization and domain
    assert out.getvalue().startswith("Deleted ")
    PersonFactory(organization=org)  # and the next write still moves the version
    assert data_version(org) != before[(org.pk, STRUCTURE)]
