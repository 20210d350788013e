"""factory-boy factories for every model; one section per app."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from org.models import Member, Organization, OrgMembership, Quadrant, Role, TeamMembership

# --- org -----------------------------------------------------------------------------------


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    fiscal_year_start_month = 1
    time_zone = "UTC"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    organization = factory.SubFactory(OrganizationFactory)
    kind = Member.Kind.PERSON
    quadrant = Quadrant.EMPLOYEES
    name = factory.Sequence(lambda n: f"Person {n}")
    title = "Specialist"
    active_from = datetime.date(2020, 1, 1)


class TeamFactory(PersonFactory):
    kind = Member.Kind.TEAM
    quadrant = Quadrant.TEAMS
    name = factory.Sequence(lambda n: f"Team {n}")
    title = ""


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    person = factory.SubFactory(
        PersonFactory, organization=factory.SelfAttribute("..team.organization")
    )
    organization = factory.SelfAttribute("team.organization")


class OrgMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgMembership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.MEMBER
