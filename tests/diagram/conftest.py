"""A small organization with the seed's triads, for the diagram's tests.

Quality (formed 2024): Lee (L) directs Max (M); Max influences Mia (E); Lee guides Mia;
Lee influences the Dock team (T); Max guides Dock; Dock directs Mia. Lee directs Vera (L)
inside leadership.
Cost (formed 2024, dissolved 1 Jun 2025): Vera guides Eli (E); Max influences Eli.
Lee, Max and Mia are the leader, manager and member personas.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from org.models import Member, Quadrant
from partnerships.models import Objective, Partnership
from partnerships.services import partnership_dissolve
from tests.factories import (
    ObjectiveFactory,
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    TeamFactory,
)

FORMED = datetime.date(2024, 1, 1)
DISSOLVED = datetime.date(2025, 6, 1)


@dataclass
class World:
    lee: Member
    max: Member
    mia: Member
    vera: Member
    eli: Member
    dock: Member
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
    vera = PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP, name="Vera Chief")
    eli = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Eli Worker")
    dock = TeamFactory(organization=org, name="Dock Team")
    quality = ObjectiveFactory(organization=org, title="On-time quality")
    cost = ObjectiveFactory(
        organization=org, title="Lower cost", emphasis=Objective.Emphasis.COST_REDUCTION
    )
    quality_team = PartnershipFactory(
        organization=org, objective=quality, name="Quality circle", formed_on=FORMED
    )
    cost_team = PartnershipFactory(
        organization=org, objective=cost, name="Cost crew", formed_on=FORMED
    )
    for source, target in [
        (lee, max_),
        (max_, mia),
        (lee, mia),
        (lee, dock),
        (max_, dock),
        (dock, mia),
        (lee, vera),
    ]:
        RelationshipFactory(partnership=quality_team, from_member=source, to_member=target)
    for source, target in [(vera, eli), (max_, eli)]:
        RelationshipFactory(partnership=cost_team, from_member=source, to_member=target)
    partnership_dissolve(partnership=cost_team, on=DISSOLVED)
    return World(lee, max_, mia, vera, eli, dock, quality, cost, quality_team, cost_team)
