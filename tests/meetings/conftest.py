"""Shared scenery for the meetings tests: a fixed clock and a partnership of the personas."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import PartnershipFactory, RelationshipFactory, SessionFactory

# Monday 16 February 2026, 10:00 UTC: the middle of FY2026 Q1 for a January fiscal year.
NOW = datetime.datetime(2026, 2, 16, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    """Pin timezone.now() (and so organization.today()) to NOW."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def triad(org, leader_membership, manager_membership, member_membership):
    """The seed's triangle: the leader directs the manager, guides the employee, and the
    manager influences the employee; one partnership for one objective."""
    partnership = PartnershipFactory(organization=org, name="Quality first")
    lee, max_, mia = (
        leader_membership.member,
        manager_membership.member,
        member_membership.member,
    )
    for from_member, to_member in [(lee, max_), (max_, mia), (lee, mia)]:
        RelationshipFactory(partnership=partnership, from_member=from_member, to_member=to_member)
    return partnership


@pytest.fixture
def session(triad, leader_membership, manager_membership, member_membership, frozen_now):
    """The triad's FY2026 Q1 session, planned for Friday 20 February 09:00 UTC."""
    return SessionFactory(
        partnership=triad,
        facilitator=leader_membership.member,
        starts_at=datetime.datetime(2026, 2, 20, 9, 0, tzinfo=datetime.UTC),
        attendees=[leader_membership.member, manager_membership.member, member_membership.member],
    )
