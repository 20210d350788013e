"""The database keeps the structure valid even when code writes past the forms."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from org.models import Member, TeamMembership
from tests.factories import PersonFactory, TeamFactory


def test_it_refuses_an_unknown_quadrant(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(organization=org, kind="person", quadrant="X", name="Nowhere")
    assert not Member.objects.exists()


@pytest.mark.parametrize(("kind", "quadrant"), [("team", "L"), ("team", "E"), ("person", "T")])
def test_it_refuses_a_kind_in_the_wrong_quadrant(org, kind, quadrant):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(organization=org, kind=kind, quadrant=quadrant, name="Misplaced")
    assert not Member.objects.exists()


def test_it_refuses_a_duplicate_external_id_in_one_organization(org):
    PersonFactory(organization=org, external_id="HR-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.bulk_create(
            [Member(organization=org, quadrant="E", name="Copy", external_id="HR-1")]
        )
    assert Member.objects.filter(external_id="HR-1").count() == 1


def test_external_ids_are_unique_per_organization_only_and_may_be_empty(org, other_org):
    Member.objects.bulk_create(
        [
            Member(organization=org, quadrant="E", name="A", external_id="HR-1"),
            Member(organization=other_org, quadrant="E", name="B", external_id="HR-1"),
            Member(organization=org, quadrant="E", name="C", external_id=""),
            Member(organization=org, quadrant="E", name="D", external_id=""),
        ]
    )
    assert Member.objects.count() == 4


def test_it_refuses_an_end_before_the_start(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            organization=org,
            quadrant="E",
            name="Backwards",
            active_from=datetime.date(2024, 1, 2),
            active_until=datetime.date(2024, 1, 2),
        )
    assert not Member.objects.exists()


def test_a_team_cannot_contain_itself_or_seat_someone_twice(org):
    team = TeamFactory(organization=org)
    person = PersonFactory(organization=org)
    TeamMembership.objects.create(organization=org, team=team, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMembership.objects.create(organization=org, team=team, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMembership.objects.create(organization=org, team=team, person=team)
    assert TeamMembership.objects.count() == 1
