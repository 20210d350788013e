"""Organization A (the personas' own) and organization B (a stranger), both furnished."""

from __future__ import annotations

import pytest

from tests.trust.world import World, furnish, stranger_world

A_LABEL = "ANTELOPE-A"


@pytest.fixture
def world_a(org, admin_membership, leader_membership, manager_membership, member_membership):
    return furnish(
        org,
        leader=leader_membership.member,
        manager=manager_membership.member,
        employee=member_membership.member,
        label=A_LABEL,
    )


@pytest.fixture
def world_b(db) -> World:
    return stranger_world()


@pytest.fixture
def clients(admin_client, leader_client, manager_client, member_client):
    """Organization A's personas by role."""
    return {
        "admin": admin_client,
        "leader": leader_client,
        "manager": manager_client,
        "member": member_client,
    }
