"""A member's place explains an empty chain from leadership, with a link to fix it."""

from __future__ import annotations

from org.models import Quadrant
from tests.factories import (
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    TeamFactory,
    TeamMembershipFactory,
)


def place(client, member) -> str:
    response = client.get(f"/diagram/members/{member.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_says_nobody_seats_or_reaches_them(admin_client, org):
    nina = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Nina New")

    html = place(admin_client, nina)

    assert "not on any team, and no relationship reaches them." in html
    assert 'href="/org/members/?quadrant=T">Fix it: seat them on a team' in html


def test_it_says_a_seat_alone_makes_no_relationship(admin_client, leader_client, org):
    nina = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Nina New")
    dock = TeamFactory(organization=org, name="Dock Team")
    TeamMembershipFactory(team=dock, person=nina)

    html = place(admin_client, nina)

    assert "they sit on <bdi>Dock Team</bdi>, but a seat alone makes no relationship" in html
    assert f'href="/org/members/{dock.pk}/people/">Fix it' in html
    assert 'href="/health/">Fix it' in place(leader_client, nina)


def test_it_says_their_senders_are_cut_off(admin_client, org):
    nina = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Nina New")
    dock = TeamFactory(organization=org, name="Dock Team")
    RelationshipFactory(
        partnership=PartnershipFactory(organization=org), from_member=dock, to_member=nina
    )

    assert "relationships reach them, but nobody who sends one is reached" in place(
        admin_client, nina
    )
