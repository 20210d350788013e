"""A small partnership map around the personas, shared by the page tests."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from org.models import Quadrant
from partnerships.services import relationship_add
from tests.factories import ObjectiveFactory, PartnershipFactory, PersonFactory

FORMED = datetime.date(2024, 1, 1)


@pytest.fixture
def quality(org, leader_membership, manager_membership, member_membership):
    """ "Quality drive": Lee Leader directs Max Manager, who influences Mia Member (no guidance).

    "Back office" is a partnership none of the manager and member personas belongs to.
    """
    lee, max_, mia = (
        leader_membership.member,
        manager_membership.member,
        member_membership.member,
    )
    objective = ObjectiveFactory(organization=org, title="Zero defects", starts_on=FORMED)
    drive = PartnershipFactory(
        organization=org, objective=objective, name="Quality drive", formed_on=FORMED
    )
    relationship_add(partnership=drive, from_member=lee, to_member=max_, starts_on=FORMED)
    relationship_add(partnership=drive, from_member=max_, to_member=mia, starts_on=FORMED)

    back_office = PartnershipFactory(
        organization=org, objective=objective, name="Back office", formed_on=FORMED
    )
    cfo = PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP, name="Cora Cfo")
    clerk = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Carl Clerk")
    relationship_add(partnership=back_office, from_member=cfo, to_member=clerk, starts_on=FORMED)
    return SimpleNamespace(
        objective=objective,
        drive=drive,
        back_office=back_office,
        lee=lee,
        max=max_,
        mia=mia,
        cfo=cfo,
        clerk=clerk,
    )
