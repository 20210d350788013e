"""A quadrant move never leaves a relationship breaking the rule of types, nor retypes one."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from org.models import Member, Quadrant, QuadrantMove
from partnerships.models import Relationship
from partnerships.services import (
    MoveBreaksRelationships,
    member_move_checked,
    relationship_add,
    relationships_broken_by_move,
)
from tests.factories import PartnershipFactory, PersonFactory, TeamFactory

D = datetime.date
MOVE_DAY = D(2024, 6, 1)


@pytest.fixture
def map_(org):
    """Lee (L) directs Max (M); Max influences Eve (E) and guides a team; Lee directs Kim (L)."""
    partnership = PartnershipFactory(organization=org, name="Quality drive")
    people = {
        "lee": PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP, name="Lee"),
        "kim": PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP, name="Kim"),
        "max": PersonFactory(organization=org, quadrant=Quadrant.MANAGERS, name="Max"),
        "eve": PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Eve"),
        "team": TeamFactory(organization=org, name="Dock team"),
    }
    for a, b in [("lee", "max"), ("max", "eve"), ("max", "team"), ("lee", "kim")]:
        relationship_add(
            partnership=partnership,
            from_member=people[a],
            to_member=people[b],
            starts_on=D(2024, 2, 1),
        )
    return people


def _pairs(relationships):
    return sorted((r.from_member.name, r.to_member.name) for r in relationships)


def test_it_lists_the_relationships_a_move_would_break(map_):
    # Max to Employees: Lee → Max would be L → E (guidance, not direct), Max → Eve E → E
    # (direct, not influential) and Max → the team E → T (not allowed at all).
    broken = relationships_broken_by_move(map_["max"], Quadrant.EMPLOYEES, MOVE_DAY)
    assert _pairs(broken) == [("Lee", "Max"), ("Max", "Dock team"), ("Max", "Eve")]


def test_a_move_keeping_every_type_breaks_nothing(map_):
    # Kim from Leadership to Managers: Lee → Kim is L → M, still direct.
    assert relationships_broken_by_move(map_["kim"], Quadrant.MANAGERS, MOVE_DAY) == []


def test_it_refuses_a_move_that_would_break_relationships(map_, admin_membership):
    max_ = map_["max"]
    with pytest.raises(MoveBreaksRelationships) as refused:
        member_move_checked(
            member=max_,
            to_quadrant=Quadrant.LEADERSHIP,
            on=MOVE_DAY,
            by=admin_membership.user,
            end_conflicting=False,
        )

    # Lee → Max would become L → L (still direct), so only the other two are listed.
    assert _pairs(refused.value.relationships) == [("Max", "Dock team"), ("Max", "Eve")]
    message = refused.value.messages[0]
    assert (
        "Max → Eve (influential in Quality drive; Leadership → Employees: it would become guidance)"
        in message
    )
    assert (
        "Max → Dock team (guidance in Quality drive; Leadership → Teams: it would become influential)"
        in message
    )
    max_.refresh_from_db()
    assert max_.quadrant == Quadrant.MANAGERS
    assert not QuadrantMove.objects.exists()
    assert not Relationship.objects.filter(ends_on__isnull=False).exists()


def test_a_confirmed_move_ends_the_broken_relationships_on_the_move_date(map_, admin_membership):
    max_ = map_["max"]
    move = member_move_checked(
        member=max_,
        to_quadrant=Quadrant.LEADERSHIP,
        on=MOVE_DAY,
        by=admin_membership.user,
        end_conflicting=True,
    )

    assert (move.from_quadrant, move.to_quadrant, move.moved_on) == ("M", "L", MOVE_DAY)
    assert Member.objects.get(pk=max_.pk).quadrant == Quadrant.LEADERSHIP
    ended = Relationship.objects.filter(ends_on=MOVE_DAY)
    assert _pairs(ended) == [("Max", "Dock team"), ("Max", "Eve")]
    # History keeps the quadrants and type they had while they were active.
    assert {(r.from_quadrant, r.to_quadrant, r.type) for r in ended} == {
        ("M", "E", "influential"),
        ("M", "T", "guidance"),
    }
    kept = Relationship.objects.get(from_member=map_["lee"], to_member=max_)
    assert kept.ends_on is None
    assert (kept.from_quadrant, kept.to_quadrant, kept.type) == ("L", "L", "direct")


def test_a_move_breaking_nothing_goes_through_and_keeps_the_quadrants_in_step(
    map_, admin_membership
):
    member_move_checked(
        member=map_["kim"],
        to_quadrant=Quadrant.MANAGERS,
        on=MOVE_DAY,
        by=admin_membership.user,
        end_conflicting=False,
    )
    kept = Relationship.objects.get(to_member=map_["kim"])
    assert (kept.from_quadrant, kept.to_quadrant, kept.type, kept.ends_on) == (
        "L",
        "M",
        "direct",
        None,
    )


def test_relationships_ended_before_the_move_are_left_as_history(org, map_, admin_membership):
    eve = map_["eve"]
    old = Relationship.objects.get(to_member=eve)
    old.ends_on = D(2024, 4, 1)
    old.save(update_fields=["ends_on"])

    member_move_checked(
        member=eve,
        to_quadrant=Quadrant.MANAGERS,
        on=MOVE_DAY,
        by=admin_membership.user,
        end_conflicting=False,
    )
    old.refresh_from_db()
    assert (old.to_quadrant, old.type, old.ends_on) == ("E", "influential", D(2024, 4, 1))


def test_it_still_refuses_what_the_move_itself_refuses(map_, admin_membership):
    with pytest.raises(ValidationError, match="is a team"):
        member_move_checked(
            member=map_["team"],
            to_quadrant=Quadrant.LEADERSHIP,
            on=MOVE_DAY,
            by=admin_membership.user,
            end_conflicting=True,
        )
    assert not Relationship.objects.filter(ends_on__isnull=False).exists()


def test_it_refuses_to_end_a_broken_relationship_that_starts_after_the_move(
    org, map_, admin_membership
):
    later = Relationship.objects.get(from_member=map_["max"], to_member=map_["eve"])
    later.starts_on = D(2024, 7, 1)
    later.save(update_fields=["starts_on"])

    with pytest.raises(ValidationError, match="would only start on or after the move"):
        member_move_checked(
            member=map_["max"],
            to_quadrant=Quadrant.LEADERSHIP,
            on=MOVE_DAY,
            by=admin_membership.user,
            end_conflicting=True,
        )
    assert Member.objects.get(pk=map_["max"].pk).quadrant == Quadrant.MANAGERS
    assert not Relationship.objects.filter(ends_on__isnull=False).exists()
