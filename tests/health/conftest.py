"""A small organization whose health has one of each risk, for the health page's tests.

Quality (objective "On-time quality"): the seed's complete triads. Lee (L) directs Max (M),
Max influences Mia (E), Lee guides Mia; Lee influences the Dock team (T), Max guides Dock,
Dock directs Mia.
Cost (objective "Lower cost"): Lee directs Sam (M), Sam guides the Yard team (T), Yard directs
Yves (E), so every path to Yard and Yves runs through Sam; nothing influential in it.
Olga (E) is active and has no relationship at all: an orphan of the organization.
Lee, Max and Mia are the leader, manager and member personas.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.cache import cache

from org.models import Member, Quadrant
from partnerships.models import Objective, Partnership
from tests.factories import (
    ObjectiveFactory,
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    TeamFactory,
)

DAY = datetime.date(2025, 3, 3)
AS_OF = f"as_of={DAY.isoformat()}"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    lee: Member
    max: Member
    mia: Member
    dock: Member
    sam: Member
    yard: Member
    yves: Member
    olga: Member
    quality: Objective
    cost: Objective
    quality_team: Partnership
    cost_team: Partnership


@pytest.fixture
def world(org, leader_membership, manager_membership, member_membership) -> World:
    lee, max_, mia = (
        leader_membership.member,
        manager_membership.member,
        member_membership.member,
    )
    dock = TeamFactory(organization=org, name="Dock Team")
    sam = PersonFactory(organization=org, quadrant=Quadrant.MANAGERS, name="Sam Supervisor")
    yard = TeamFactory(organization=org, name="Yard Team")
    yves = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Yves Loader")
    olga = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Olga Alone")
    quality = ObjectiveFactory(organization=org, title="On-time quality")
    cost = ObjectiveFactory(
        organization=org, title="Lower cost", emphasis=Objective.Emphasis.COST_REDUCTION
    )
    quality_team = PartnershipFactory(organization=org, objective=quality, name="Quality crew")
    cost_team = PartnershipFactory(organization=org, objective=cost, name="Cost crew")
    for partnership, pairs in (
        (
            quality_team,
            [(lee, max_), (max_, mia), (lee, mia), (lee, dock), (max_, dock), (dock, mia)],
        ),
        (cost_team, [(lee, sam), (sam, yard), (yard, yves)]),
    ):
        for source, target in pairs:
            RelationshipFactory(partnership=partnership, from_member=source, to_member=target)
    return World(
        lee=lee,
        max=max_,
        mia=mia,
        dock=dock,
        sam=sam,
        yard=yard,
        yves=yves,
        olga=olga,
        quality=quality,
        cost=cost,
        quality_team=quality_team,
        cost_team=cost_team,
    )


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() (and so organization.today()) pinned, from DAY at noon UTC; move it
    with clock.set(day)."""
    from django.utils import timezone

    class Clock:
        now = datetime.datetime.combine(DAY, datetime.time(12), tzinfo=datetime.UTC)

        def set(self, day: datetime.date) -> None:
            self.now = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)

    pinned = Clock()
    monkeypatch.setattr(timezone, "now", lambda: pinned.now)
    return pinned
