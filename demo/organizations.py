"""The demo organization that `manage.py seed_demo` (and so `make run`) loads.

Everything is drawn from one random.Random(seed), so the same seed always gives the same
people, teams, titles and dates. Rows are written with bulk_create: a few dozen queries in all.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from demo.names import FIRST_NAMES, LAST_NAMES, LEADERS, STAFF_MANAGERS, TEAMS
from demo.partnerships import seed_chain_of_command, seed_partnerships
from demo.sessions import seed_meetings, seed_progress
from org.models import Member, Organization, OrgMembership, Quadrant, Role, TeamMembership

DEMO_SEED = 2025
DEMO_PASSWORD = "partnership-demo"
DEMO_SLUG = "northwind"
SECOND_SLUG = "riverbend"

EMPLOYEES = 250
EXTRA_SEATS = 25  # employees who also sit on a second team


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organization: str
    member: str  # the person this login is, or "" when none


@dataclass(frozen=True)
class DemoLoginSpec:
    username: str
    role: Role
    organization_slug: str
    member_title: str  # link the login to the first person with this title ("" for none)


LOGINS = [
    DemoLoginSpec("admin", Role.ADMIN, DEMO_SLUG, "People Operations Manager"),
    DemoLoginSpec("leader", Role.LEADER, DEMO_SLUG, "Chief Operating Officer"),
    DemoLoginSpec("manager", Role.MANAGER, DEMO_SLUG, "Customer Service Manager"),
    DemoLoginSpec("member", Role.MEMBER, DEMO_SLUG, "Customer Service Agent"),
    DemoLoginSpec("riverbend-admin", Role.ADMIN, SECOND_SLUG, "Managing Director"),
    # The demo admin also leads the second organization (listed after Northwind), so the
    # switcher shows and Northwind is where the admin lands.
    DemoLoginSpec("admin", Role.LEADER, SECOND_SLUG, ""),
]


class _People:
    """Draws unique, plausible people for one organization."""

    def __init__(self, rng: random.Random, organization: Organization, domain: str, prefix: str):
        self.rng = rng
        self.organization = organization
        self.domain = domain
        self.prefix = prefix
        self.used: set[str] = set()
        self.count = 0

    def _external_id(self) -> str:
        self.count += 1
        return f"{self.prefix}-{self.count:05d}"

    def _since(self) -> datetime.date:
        return datetime.date(2016, 1, 1) + datetime.timedelta(days=self.rng.randrange(3000))

    def person(self, quadrant: str, title: str) -> Member:
        while True:
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            if f"{first} {last}" not in self.used:
                break
        self.used.add(f"{first} {last}")
        local = f"{first}.{last}".lower().replace(" ", "")
        return Member(
            organization=self.organization,
            kind=Member.Kind.PERSON,
            quadrant=quadrant,
            name=f"{first} {last}",
            title=title,
            email=f"{local}@{self.domain}",
            external_id=self._external_id(),
            active_from=self._since(),
        )

    def team(self, name: str) -> Member:
        return Member(
            organization=self.organization,
            kind=Member.Kind.TEAM,
            quadrant=Quadrant.TEAMS,
            name=name,
            external_id=self._external_id(),
            active_from=datetime.date(2016, 1, 1),
        )


def _build_northwind(rng: random.Random) -> Organization:
    organization = Organization.objects.create(
        name="Northwind Freight", slug=DEMO_SLUG, fiscal_year_start_month=4, time_zone="UTC"
    )
    people = _People(rng, organization, "northwind.example", "NW")
    leaders = [people.person(Quadrant.LEADERSHIP, title) for title in LEADERS]
    managers = [people.person(Quadrant.MANAGERS, manager) for _team, manager, _titles in TEAMS]
    managers += [people.person(Quadrant.MANAGERS, title) for title in STAFF_MANAGERS]
    teams = [people.team(name) for name, _manager, _titles in TEAMS]

    # Every team gets at least its share of people; the rest land where the work is.
    team_of_employee = list(range(len(TEAMS))) * 8
    team_of_employee += [
        rng.randrange(len(TEAMS)) for _ in range(EMPLOYEES - len(team_of_employee))
    ]
    rng.shuffle(team_of_employee)
    employees = []
    for index in team_of_employee:
        title = rng.choice(TEAMS[index][2])
        employees.append(people.person(Quadrant.EMPLOYEES, title))
    # A few people have left: archived, no longer active (the end date is exclusive).
    for employee in rng.sample(employees, 6):
        employee.active_until = employee.active_from + datetime.timedelta(
            days=rng.randrange(200, 900)
        )

    Member.objects.bulk_create([*leaders, *managers, *teams, *employees])

    seats = [
        TeamMembership(organization=organization, team=teams[index], person=employee)
        for index, employee in zip(team_of_employee, employees, strict=True)
    ]
    seated = set(zip(team_of_employee, range(EMPLOYEES), strict=True))
    for position in rng.sample(range(EMPLOYEES), EXTRA_SEATS):
        second = rng.randrange(len(TEAMS))
        if (second, position) not in seated:
            seated.add((second, position))
            seats.append(
                TeamMembership(
                    organization=organization, team=teams[second], person=employees[position]
                )
            )
    TeamMembership.objects.bulk_create(seats)
    return organization


def _build_riverbend(rng: random.Random) -> Organization:
    organization = Organization.objects.create(
        name="Riverbend Analytics", slug=SECOND_SLUG, fiscal_year_start_month=1, time_zone="UTC"
    )
    people = _People(rng, organization, "riverbend.example", "RA")
    members = [
        people.person(Quadrant.LEADERSHIP, "Managing Director"),
        people.person(Quadrant.MANAGERS, "Engineering Manager"),
        people.person(Quadrant.MANAGERS, "Client Services Manager"),
    ]
    team = people.team("Data Platform")
    employees = [
        people.person(Quadrant.EMPLOYEES, rng.choice(["Data Engineer", "Analyst", "Consultant"]))
        for _ in range(9)
    ]
    Member.objects.bulk_create([*members, team, *employees])
    TeamMembership.objects.bulk_create(
        TeamMembership(organization=organization, team=team, person=employee)
        for employee in employees
    )
    return organization


def _create_logins(organizations: dict[str, Organization]) -> list[DemoLogin]:
    user_model = get_user_model()
    usernames = sorted({spec.username for spec in LOGINS})
    password = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo login
    user_model.objects.bulk_create(
        user_model(username=name, email=f"{name}@demo.example", password=password)
        for name in usernames
    )
    users = {user.username: user for user in user_model.objects.filter(username__in=usernames)}
    titles = {spec.member_title for spec in LOGINS if spec.member_title}
    people: dict[tuple[int, str], Member] = {}
    for person in Member.objects.filter(
        organization__in=organizations.values(), title__in=titles
    ).order_by("id"):
        people.setdefault((person.organization_id, person.title), person)

    memberships, logins = [], []
    for spec in LOGINS:
        organization = organizations[spec.organization_slug]
        member = people.get((organization.pk, spec.member_title))
        memberships.append(
            OrgMembership(
                user=users[spec.username], organization=organization, role=spec.role, member=member
            )
        )
        logins.append(
            DemoLogin(
                username=spec.username,
                password=DEMO_PASSWORD,
                role=spec.role.label,
                organization=organization.name,
                member=member.name if member else "",
            )
        )
    OrgMembership.objects.bulk_create(memberships)
    return logins


def _seed_app_demos(organization: Organization, rng: random.Random) -> None:
    """Each app adds its demo data: partnerships, then their sessions, then four quarters of
    checklists, measurements and pulse so the dashboard shows trends on first run, and last the
    everyday chain of command (no sessions of its own in the demo's history)."""
    seed_partnerships(organization, rng)
    seed_meetings(organization, rng)
    seed_progress(organization, rng)
    seed_chain_of_command(organization, rng)


@transaction.atomic
def demo_seed(*, seed: int = DEMO_SEED) -> list[DemoLogin]:
    """Build the demo organizations and their logins, replacing any earlier demo data."""
    demo_remove()
    rng = random.Random(seed)
    organizations = {DEMO_SLUG: _build_northwind(rng), SECOND_SLUG: _build_riverbend(rng)}
    logins = _create_logins(organizations)
    _seed_app_demos(organizations[DEMO_SLUG], rng)
    return logins


@transaction.atomic
def demo_remove() -> None:
    """Delete the demo organizations and the demo logins (nothing else)."""
    Organization.objects.filter(slug__in=[DEMO_SLUG, SECOND_SLUG]).delete()
    get_user_model().objects.filter(username__in={spec.username for spec in LOGINS}).delete()


def demo_logins() -> list[DemoLogin]:
    """The demo logins that exist in the database now (empty when the demo was never loaded)."""
    memberships = (
        OrgMembership.objects.filter(
            organization__slug__in=[DEMO_SLUG, SECOND_SLUG],
            user__username__in={spec.username for spec in LOGINS},
        )
        .select_related("user", "organization", "member")
        .order_by("organization__slug", "id")
    )
    order = {(spec.username, spec.organization_slug): i for i, spec in enumerate(LOGINS)}
    return [
        DemoLogin(
            username=m.user.username,
            password=DEMO_PASSWORD,
            role=m.get_role_display(),
            organization=m.organization.name,
            member=m.member.name if m.member else "",
        )
        for m in sorted(memberships, key=lambda m: order[(m.user.username, m.organization.slug)])
    ]
