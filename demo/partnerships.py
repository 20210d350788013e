"""Demo objectives and partnerships for the demo organization (called by `seed_demo`).

Among them the seed's three examples, each a complete triad:
  1. leadership influences a team's emphasis on quality, a manager guides the team's
     implementation, under the direction of the same leader (L→T, M→T, L→M);
  2. leadership's objectives guide an employee, a manager influences the employee's
     implementation, and the leader directs that manager (L→E, M→E, L→M);
  3. a manager guides a team's project, the team directs an employee, and the manager
     influences the employee (M→T, T→E, M→E).
Also one partnership that lacks guidance (its page suggests the missing line), recent
changes for the "what changed" page, and dissolved partnerships kept as history.
Every write goes through the services, so the demo obeys every rule the app enforces.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from demo.names import TEAMS
from org.models import Member, Organization, TeamMembership
from partnerships.models import Objective, Relationship, relationship_type_for
from partnerships.services import (
    objective_create,
    partnership_dissolve,
    partnership_form,
    relationship_add,
    relationship_end,
)


class _Cast:
    """Finds the demo organization's people by title and teams by name."""

    def __init__(self, organization: Organization, rng: random.Random) -> None:
        self.organization = organization
        self.rng = rng
        self.today = organization.today()
        active = Member.objects.for_org(organization).active_on(self.today)
        self.members = list(active.filter(active_until__isnull=True).order_by("id"))

    def person(self, title: str) -> Member:
        for member in self.members:
            if member.title == title and not member.is_team:
                return member
        raise LookupError(f"The demo organization has no active {title!r}.")

    def team(self, name: str) -> Member:
        for member in self.members:
            if member.name == name and member.is_team:
                return member
        raise LookupError(f"The demo organization has no active team {name!r}.")

    def on_team(self, team: Member, count: int) -> list[Member]:
        seated = set(TeamMembership.objects.filter(team=team).values_list("person_id", flat=True))
        people = [m for m in self.members if m.pk in seated]
        return self.rng.sample(people, min(count, len(people)))

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)


def _relate(partnership, from_member, to_member, starts_on, carries=""):
    # A relationship cannot start before either member joined the organization.
    starts_on = max(starts_on, from_member.active_from, to_member.active_from)
    return relationship_add(
        partnership=partnership,
        from_member=from_member,
        to_member=to_member,
        starts_on=starts_on,
        carries=carries,
    )


def seed_partnerships(organization: Organization, rng: random.Random) -> None:
    cast = _Cast(organization, rng)
    ceo, coo, cfo = (
        cast.person("Chief Executive Officer"),
        cast.person("Chief Operating Officer"),
        cast.person("Chief Financial Officer"),
    )
    vp_sales, vp_people = cast.person("VP Sales & Customer Success"), cast.person("VP People")
    start = cast.ago(420)

    def objective(title, emphasis, owner, **extra):
        return objective_create(
            organization=organization,
            title=title,
            emphasis=emphasis,
            owner=owner,
            starts_on=extra.pop("starts_on", start),
            **extra,
        )

    quality = objective(
        "Zero-damage deliveries",
        Objective.Emphasis.QUALITY,
        coo,
        description="Every parcel arrives as it left the dock.",
        target_value=Decimal("99.5"),
        target_unit="% of orders without damage",
    )
    care = objective(
        "Five-star customer care",
        Objective.Emphasis.CUSTOMER_SERVICE,
        vp_sales,
        target_value=Decimal("4.6"),
        target_unit="average rating out of 5",
    )
    fuel = objective(
        "Cut fuel cost",
        Objective.Emphasis.COST_REDUCTION,
        cfo,
        target_value=Decimal("12"),
        target_unit="% less fuel per delivery",
    )
    growth = objective("Grow the key accounts", Objective.Emphasis.GROWTH, vp_sales)
    safety = objective(
        "A safe warehouse",
        Objective.Emphasis.OPERATING_PHILOSOPHY,
        vp_people,
        status=Objective.Status.ACHIEVED,
        starts_on=cast.ago(800),
        ends_on=cast.ago(200),
    )

    # Seed example 1: the COO influences the receiving team's emphasis on quality, the
    # receiving manager guides its implementation, under the COO's direction.
    dock = partnership_form(
        organization=organization,
        objective=quality,
        name="Dock quality circle",
        formed_on=start,
        purpose="Damage is cheapest to stop at the dock.",
    )
    receiving, receiving_manager = cast.team("Inbound Receiving"), cast.person("Receiving Manager")
    _relate(dock, ceo, coo, start, "quality first, every shift")
    _relate(dock, coo, receiving, start, "an emphasis on quality")
    _relate(dock, receiving_manager, receiving, start, "how to inspect on arrival")
    _relate(dock, coo, receiving_manager, start, "weekly damage report")
    for clerk in cast.on_team(receiving, 3):
        _relate(dock, receiving, clerk, cast.ago(rng.randrange(60, 300)), "inspect before signing")

    # Seed example 2: the VP's quality and cost objectives guide an agent's efforts, the
    # customer service manager influences the agent's work, under the VP's direction.
    promise = partnership_form(
        organization=organization,
        objective=care,
        name="Customer care promise",
        formed_on=start,
        purpose="Answer every customer the same day.",
    )
    care_manager = cast.person("Customer Service Manager")
    agent = cast.person("Customer Service Agent")
    _relate(promise, vp_sales, agent, start, "the customer's needs come first")
    _relate(promise, care_manager, agent, start, "same-day answers on each ticket")
    _relate(promise, vp_sales, care_manager, start, "monthly satisfaction review")
    customer_care = cast.team("Customer Care")
    _relate(promise, care_manager, customer_care, cast.ago(45), "the new escalation path")

    # Seed example 3: the delivery manager guides the last-mile team's project, the team
    # directs a driver's actions, and the manager influences the driver.
    last_mile = partnership_form(
        organization=organization,
        objective=fuel,
        name="Last-mile route project",
        formed_on=cast.ago(300),
        purpose="Shorter routes, less fuel, same promise to the customer.",
    )
    delivery_team, delivery_manager = (
        cast.team("Last Mile Delivery"),
        cast.person("Delivery Manager"),
    )
    [driver, *others] = cast.on_team(delivery_team, 4)
    _relate(last_mile, delivery_manager, delivery_team, cast.ago(300), "plan routes by fuel")
    _relate(last_mile, delivery_team, driver, cast.ago(300), "today's route")
    _relate(last_mile, delivery_manager, driver, cast.ago(300), "why the new routes matter")
    _relate(last_mile, cfo, delivery_manager, cast.ago(300), "fuel budget")
    for person in others:
        _relate(last_mile, delivery_team, person, cast.ago(rng.randrange(20, 80)), "today's route")

    # A partnership that lacks guidance: the account manager could guide the team.
    accounts = partnership_form(
        organization=organization,
        objective=growth,
        name="Key accounts growth",
        formed_on=cast.ago(120),
    )
    account_manager, key_accounts = cast.person("Account Manager"), cast.team("Key Accounts")
    _relate(accounts, vp_sales, account_manager, cast.ago(120), "three new accounts a quarter")
    _relate(accounts, vp_sales, key_accounts, cast.ago(60), "what our best customers need")
    for person in cast.on_team(key_accounts, 2):
        _relate(accounts, key_accounts, person, cast.ago(60), "account plans")

    # Dissolved partnerships stay as history.
    fuel_pilot = partnership_form(
        organization=organization,
        objective=fuel,
        name="Idle-engine pilot",
        formed_on=cast.ago(400),
        purpose="Engines off while loading.",
    )
    fleet_manager, line_haul = cast.person("Fleet Manager"), cast.team("Line Haul Drivers")
    _relate(fuel_pilot, cfo, fleet_manager, cast.ago(400), "fuel figures each week")
    _relate(fuel_pilot, fleet_manager, line_haul, cast.ago(400), "engines off while loading")
    _relate(fuel_pilot, cfo, line_haul, cast.ago(390), "why idling costs us")
    partnership_dissolve(partnership=fuel_pilot, on=cast.ago(30))

    safe = partnership_form(
        organization=organization,
        objective=safety,
        name="Safety walk",
        formed_on=cast.ago(800),
    )
    safety_manager, safety_team = cast.person("Safety Manager"), cast.team("Health & Safety")
    _relate(safe, vp_people, safety_manager, cast.ago(800), "a weekly walk of the floor")
    _relate(safe, safety_manager, safety_team, cast.ago(800), "what to look for")
    walk = _relate(safe, vp_people, safety_team, cast.ago(790), "no shortcuts, ever")
    relationship_end(relationship=walk, on=cast.ago(400))
    partnership_dissolve(partnership=safe, on=cast.ago(200))


# Who each manager reports to, by title; the rest report to the Chief Operating Officer.
REPORTS_TO = {
    "Finance Manager": "Chief Financial Officer",
    "Purchasing Manager": "Chief Financial Officer",
    "Analytics Manager": "Chief Financial Officer",
    "IT Manager": "Chief Financial Officer",
    "Customer Service Manager": "VP Sales & Customer Success",
    "Account Manager": "VP Sales & Customer Success",
    "Project Manager": "VP Sales & Customer Success",
    "People Operations Manager": "VP People",
    "Training Manager": "VP People",
}


def seed_chain_of_command(organization: Organization, rng: random.Random) -> None:
    """The everyday structure behind the demo's objective partnerships: a "Chain of command"
    (the CEO directs the other leaders, each leader directs their managers, each team directs
    the people on it) and "Team stewardship" (each team's manager guides it). Written in bulk:
    the lines run strictly down the tree, so they obey the rule of types and never loop, and
    the database's constraints check every row."""
    cast = _Cast(organization, rng)
    ceo = cast.person("Chief Executive Officer")
    start = cast.ago(420)
    operations = objective_create(
        organization=organization,
        title="Deliver on time, every day",
        emphasis=Objective.Emphasis.OPERATING_PHILOSOPHY,
        owner=ceo,
        starts_on=start,
        description="The daily work: who assigns it, who reports on it.",
    )
    chain = partnership_form(
        organization=organization,
        objective=operations,
        name="Chain of command",
        formed_on=start,
        purpose="Reporting lines and the daily assignment of work.",
    )
    stewardship = partnership_form(
        organization=organization,
        objective=operations,
        name="Team stewardship",
        formed_on=start,
        purpose="Each team's manager guides how the team works.",
    )
    everyone = list(Member.objects.for_org(organization).order_by("id"))
    by_title = {}
    for member in everyone:
        by_title.setdefault(member.title, member)
    leaders = [m for m in everyone if m.quadrant == "L"]
    managers = [m for m in everyone if m.quadrant == "M"]
    teams = {m.pk: m for m in everyone if m.is_team}
    people = {m.pk: m for m in everyone}

    def line(partnership, from_member, to_member):
        starts_on = max(start, from_member.active_from, to_member.active_from)
        ends = [d for d in (from_member.active_until, to_member.active_until) if d]
        ends_on = min(ends) if ends else None
        if ends_on is not None and ends_on <= starts_on:
            return None
        return Relationship(
            organization=organization,
            partnership=partnership,
            from_member=from_member,
            to_member=to_member,
            from_quadrant=from_member.quadrant,
            to_quadrant=to_member.quadrant,
            type=relationship_type_for(from_member.quadrant, to_member.quadrant),
            starts_on=starts_on,
            ends_on=ends_on,
        )

    rows = [line(chain, ceo, leader) for leader in leaders if leader != ceo]
    rows += [
        line(chain, by_title[REPORTS_TO.get(m.title, "Chief Operating Officer")], m)
        for m in managers
    ]
    seats = TeamMembership.objects.filter(organization=organization).order_by("team_id", "id")
    rows += [
        line(chain, teams[team_id], people[person_id])
        for team_id, person_id in seats.values_list("team_id", "person_id")
    ]
    team_managers = {name: manager_title for name, manager_title, _ in TEAMS}
    rows += [
        line(stewardship, by_title[team_managers[team.name]], team)
        for team in teams.values()
        if team.name in team_managers
    ]
    Relationship.objects.bulk_create([row for row in rows if row is not None])
