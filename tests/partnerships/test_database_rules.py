"""The rule of types held by the database alone: raw SQL that bypasses the services and
breaks the link between a relationship's quadrants and its members' is refused."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from org.models import Member, Quadrant
from partnerships.citus import citus_present
from partnerships.models import Relationship
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 5)


def _insert(partnership, from_member, to_member, from_q, to_q, type_, ends_on=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO partnerships_relationship (organization_id, partnership_id, "
            "from_member_id, to_member_id, from_quadrant, to_quadrant, type, carries, "
            "starts_on, ends_on, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, '', %s, %s, %s)",
            [
                partnership.organization_id,
                partnership.pk,
                from_member.pk,
                to_member.pk,
                from_q,
                to_q,
                type_,
                DAY,
                ends_on,
                datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
            ],
        )


@pytest.fixture
def pair(org):
    partnership = PartnershipFactory(organization=org, formed_on=DAY)
    leader = PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP, name="Lee Leader")
    manager = PersonFactory(organization=org, quadrant=Quadrant.MANAGERS, name="Max Manager")
    return partnership, leader, manager


def test_it_refuses_a_raw_insert_with_the_members_swapped_and_the_quadrants_copied(pair):
    partnership, leader, manager = pair
    # L → M is direct, so the copied quadrants pass the type check; the members do not sit there.
    refused = pytest.raises(IntegrityError, match="relationship_quadrants_follow_members")
    with refused, transaction.atomic():
        _insert(partnership, manager, leader, "L", "M", "direct")
    assert not Relationship.objects.exists()


def test_it_accepts_a_raw_insert_that_carries_the_members_quadrants(pair):
    partnership, leader, manager = pair
    _insert(partnership, leader, manager, "L", "M", "direct")
    assert Relationship.objects.get().from_member == leader


def test_it_refuses_a_raw_update_that_swaps_the_members(pair):
    partnership, leader, manager = pair
    relationship = RelationshipFactory(
        partnership=partnership, from_member=leader, to_member=manager
    )
    refused = pytest.raises(IntegrityError, match="relationship_quadrants_follow_members")
    with refused, transaction.atomic():
        Relationship.objects.filter(pk=relationship.pk).update(
            from_member=manager, to_member=leader
        )
    relationship.refresh_from_db()
    assert (relationship.from_member, relationship.to_member) == (leader, manager)


def test_it_keeps_history_a_relationship_that_ended_keeps_the_quadrants_of_its_day(pair):
    """A restored backup holds relationships that ended before one of their members moved."""
    partnership, leader, manager = pair
    Member.objects.filter(pk=manager.pk).update(quadrant=Quadrant.EMPLOYEES)
    _insert(
        partnership, leader, manager, "L", "M", "direct", ends_on=DAY + datetime.timedelta(days=30)
    )
    assert Relationship.objects.get().to_quadrant == "M"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no deferred triggers: there the services keep this half of the rule",
)
def test_it_refuses_a_raw_quadrant_change_of_a_member_with_open_relationships(pair):
    if citus_present():
        pytest.skip(
            "Citus does not pass SET CONSTRAINTS on to the workers, where the deferred check "
            "runs at COMMIT, which this rolled-back test never reaches: the next test commits"
        )
    partnership, leader, manager = pair
    RelationshipFactory(partnership=partnership, from_member=leader, to_member=manager)
    refused = pytest.raises(IntegrityError, match="relationship_quadrants_follow_members")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE org_member SET quadrant = 'E' WHERE id = %s", [manager.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check
    manager.refresh_from_db()
    assert manager.quadrant == Quadrant.MANAGERS


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no deferred triggers: there the services keep this half of the rule",
)
@pytest.mark.django_db(transaction=True)
def test_it_refuses_the_raw_quadrant_change_at_commit(pair):
    """The same refusal where it happens for real, at COMMIT (on Citus, on the worker that
    holds the organization's shards; Citus reports it as a failed commit on that node)."""
    partnership, leader, manager = pair
    RelationshipFactory(partnership=partnership, from_member=leader, to_member=manager)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE org_member SET quadrant = 'E' WHERE organization_id = %s AND id = %s",
            [manager.organization_id, manager.pk],
        )
    manager.refresh_from_db()
    assert manager.quadrant == Quadrant.MANAGERS


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no deferred triggers: there the services keep this half of the rule",
)
def test_it_accepts_the_quadrant_change_when_the_same_transaction_ends_the_relationships(pair):
    partnership, leader, manager = pair
    relationship = RelationshipFactory(
        partnership=partnership, from_member=leader, to_member=manager
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE org_member SET quadrant = 'E' WHERE id = %s", [manager.pk])
        cursor.execute(
            "UPDATE partnerships_relationship SET ends_on = %s WHERE id = %s",
            [DAY + datetime.timedelta(days=1), relationship.pk],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    manager.refresh_from_db()
    assert manager.quadrant == Quadrant.EMPLOYEES
