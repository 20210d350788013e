"""The structure's services refuse invalid writes themselves, whoever calls them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from org import services
from org.models import Member, QuadrantMove, TeamMembership
from tests.factories import PersonFactory, TeamFactory


def test_member_create_starts_today_in_the_organizations_time_zone(org):
    member = services.member_create(organization=org, kind="person", quadrant="E", name=" Ada ")
    assert (member.name, member.active_from) == ("Ada", org.today())


def test_member_create_checks_the_model_rules(org):
    PersonFactory(organization=org, external_id="HR-1")
    with pytest.raises(ValidationError) as caught:
        services.member_create(
            organization=org, kind="team", quadrant="L", name="X", external_id="HR-1"
        )
    assert "Teams sit in the Teams quadrant" in str(caught.value)
    assert "already has this external id" in str(caught.value)
    assert Member.objects.count() == 1


def test_member_move_records_the_move_and_updates_the_callers_member(org, django_user_model):
    user = django_user_model.objects.create_user("mover")
    person = PersonFactory(organization=org, quadrant="E")
    move = services.member_move(
        member=person, to_quadrant="M", on=datetime.date(2024, 2, 1), by=user
    )
    assert person.quadrant == "M"
    assert Member.objects.get(pk=person.pk).quadrant == "M"
    assert QuadrantMove.objects.get() == move
    assert (move.from_quadrant, move.to_quadrant, move.moved_by) == ("E", "M", user)


def test_member_move_refuses_an_inactive_person(org):
    person = PersonFactory(organization=org, quadrant="E", active_until=datetime.date(2023, 1, 1))
    with pytest.raises(ValidationError) as caught:
        services.member_move(member=person, to_quadrant="M", on=datetime.date(2024, 2, 1), by=None)
    assert "on" in caught.value.message_dict
    assert not QuadrantMove.objects.exists()


def test_team_add_person_refuses_another_organizations_person(org, other_org):
    team = TeamFactory(organization=org)
    theirs = PersonFactory(organization=other_org)
    with pytest.raises(ValidationError):
        services.team_add_person(team=team, person=theirs)
    assert not TeamMembership.objects.exists()


def test_team_add_person_needs_a_team(org):
    person, other = PersonFactory(organization=org), PersonFactory(organization=org)
    with pytest.raises(ValidationError, match="only teams have people"):
        services.team_add_person(team=person, person=other)
    assert not TeamMembership.objects.exists()
