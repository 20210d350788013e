"""factory-boy factories for every model; one section per app."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from org.models import Member, Organization, OrgMembership, Quadrant, Role, TeamMembership
from partnerships.models import Objective, Partnership, Relationship, relationship_type_for

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


# --- partnerships ------------------------------------------------------------------------


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    emphasis = Objective.Emphasis.QUALITY
    starts_on = datetime.date(2024, 1, 1)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    organization = factory.SubFactory(OrganizationFactory)
    objective = factory.SubFactory(
        ObjectiveFactory, organization=factory.SelfAttribute("..organization")
    )
    name = factory.Sequence(lambda n: f"Partnership {n}")
    formed_on = datetime.date(2024, 1, 1)


class RelationshipFactory(factory.django.DjangoModelFactory):
    """A relationship written straight to the table; quadrants and type follow the members."""

    class Meta:
        model = Relationship

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SelfAttribute("partnership.organization")
    from_member = factory.SubFactory(
        PersonFactory,
        organization=factory.SelfAttribute("..partnership.organization"),
        quadrant=Quadrant.LEADERSHIP,
    )
    to_member = factory.SubFactory(
        PersonFactory,
        organization=factory.SelfAttribute("..partnership.organization"),
        quadrant=Quadrant.MANAGERS,
    )
    from_quadrant = factory.SelfAttribute("from_member.quadrant")
    to_quadrant = factory.SelfAttribute("to_member.quadrant")
    type = factory.LazyAttribute(lambda r: relationship_type_for(r.from_quadrant, r.to_quadrant))
    starts_on = factory.SelfAttribute("partnership.formed_on")


# --- meetings ------------------------------------------------------------------------------


class SessionFactory(factory.django.DjangoModelFactory):
    """A planned session of a partnership in the quarter that holds its start (January FY)."""

    class Meta:
        model = "meetings.Session"
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    organization = factory.SelfAttribute("partnership.organization")
    facilitator = factory.SubFactory(
        PersonFactory,
        organization=factory.SelfAttribute("..partnership.organization"),
        quadrant=Quadrant.LEADERSHIP,
    )
    starts_at = datetime.datetime(2026, 2, 10, 9, 0, tzinfo=datetime.UTC)
    quarter_start = factory.LazyAttribute(
        lambda s: datetime.date(s.starts_at.year, 3 * ((s.starts_at.month - 1) // 3) + 1, 1)
    )
    duration_minutes = 90

    @factory.post_generation
    def attendees(self, create, extracted, **kwargs):
        if create and extracted:
            self.attendees.set(extracted)


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.ActionItem"

    session = factory.SubFactory(SessionFactory)
    organization = factory.SelfAttribute("session.organization")
    text = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SelfAttribute("session.facilitator")


# --- meetings: success log, checklists, measurements (issue 7) -------------------------------


class SuccessFactory(factory.django.DjangoModelFactory):
    """A success of a session (pass ``session=None, partnership=...`` for a direct entry)."""

    class Meta:
        model = "meetings.SessionSuccess"

    session = factory.SubFactory(SessionFactory)
    partnership = factory.LazyAttribute(lambda s: s.session.partnership)
    organization = factory.SelfAttribute("partnership.organization")
    objective = factory.SelfAttribute("partnership.objective")
    happened_on = factory.LazyAttribute(
        lambda s: s.session.starts_at.date() if s.session else datetime.date(2026, 2, 10)
    )
    text = factory.Sequence(lambda n: f"Success {n}")
