"""The synthetic organization `make bench` measures: deterministic, built in bulk.

One organization ("Bench Corp") with, at the large size, 10,000 members (40 leaders, 600
managers, 900 teams, the rest employees), 50,000 relationships over 200 partnerships serving
12 objectives, people seated on teams, and four quarters of sessions (the current one and
the three before it) with their logs. Everything comes from one seeded random.Random, so
two builds on the same quarter are the same organization.

The shape follows the rule of types (`partnerships.models.relationship_type_for`): members
are numbered leadership first, then managers, teams, employees, and every relationship runs
from a lower number to a higher one, so no line points back up or left and the direct lines
cannot form a loop. First a skeleton (a reporting tree of leaders and managers, teams
influenced by leaders and guided by managers, employees directed by the teams they sit on,
influenced by a manager, sometimes guided by a leader), then relationships along randomly
chosen flows until the count is reached. Partnerships differ in size (the largest holds
about 2,700 relationships, the smallest about 100); the bench leader belongs to exactly 40
partnerships and the bench manager to 8.

For the leader's dashboard: the leader's checklist of the 13 actions each quarter, the
satisfaction scores and each objective's measurement of the past quarters, and up to three
pulse ratings per held session.

Dates are relative to the quarter the organization was built in: some members joined
lately and some left, some partnerships formed lately and some dissolved, some relationships
started or ended in the last three quarters, so that the diagram "as of" a past day differs
from today's. Rows are written with bulk_create (no per-row services); the database
constraints still check every row.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from meetings.models import (
    PULSE_FIELDS,
    PULSE_MAX,
    PULSE_MIN,
    Action,
    ActionItem,
    ActionState,
    BlackoutDate,
    Checklist,
    ChecklistItem,
    FeedbackItem,
    ObjectiveMeasurement,
    ObjectiveProgress,
    ProgressCall,
    PulseRating,
    SatisfactionScore,
    ScoreKind,
    Session,
    SessionStatus,
    SessionSuccess,
)
from meetings.quarters import Quarter
from meetings.selectors import facilitator_for
from org.models import Member, Organization, OrgMembership, Role, TeamMembership
from partnerships.models import (
    Emphasis,
    Objective,
    Partnership,
    Relationship,
    relationship_type_for,
)

SEED = 2002  # the year of the seed article
# Bump when the generated organization changes, so that cached databases are rebuilt.
GENERATOR_VERSION = 2
BATCH = 5000


@dataclass(frozen=True)
class Size:
    name: str
    members: int
    relationships: int
    partnerships: int
    objectives: int = 12
    leader_partnerships: int = 40
    manager_partnerships: int = 8


SIZES = {
    "large": Size("large", members=10_000, relationships=50_000, partnerships=200),
    "small": Size("small", members=300, relationships=1_500, partnerships=60),
    # make bench SIZE=xl: the large organizations of issue 23.
    "xl": Size("xl", members=100_000, relationships=500_000, partnerships=1_000),
}

# Shares of the organization by quadrant; employees are the rest.
SHARES = {"L": 0.004, "M": 0.06, "T": 0.09}
MINIMUM = {"L": 3, "M": 12, "T": 12}
# How the relationships beyond the skeleton spread over the flows (weights).
FLOW_WEIGHTS = {
    ("L", "L"): 1,
    ("L", "M"): 3,
    ("L", "T"): 5,
    ("L", "E"): 12,
    ("M", "M"): 3,
    ("M", "T"): 15,
    ("M", "E"): 33,
    ("T", "T"): 2,
    ("T", "E"): 20,
    ("E", "E"): 6,
}
USERNAMES = {"leader": "bench-leader", "manager": "bench-manager", "admin": "bench-admin"}

FIRST = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kai",
         "Logan", "Morgan", "Noa", "Parker", "Quinn", "Reese", "Sage", "Taylor", "Wren"]  # fmt: skip
LAST = ["Adler", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haas", "Ito",
        "Jensen", "Kowalski", "Lopez", "Moreau", "Novak", "Okafor", "Patel", "Rossi", "Silva",
        "Tanaka", "Weber"]  # fmt: skip
DEPARTMENTS = ["Sales", "Operations", "Finance", "Engineering", "Support", "Logistics"]
TITLES = {
    "L": ["Chief Executive", "Vice President", "Director"],
    "M": ["Senior Manager", "Manager", "Shift Lead"],
    "E": ["Analyst", "Specialist", "Associate", "Engineer", "Agent"],
}
CARRIES = ["on-time delivery", "first-call resolution", "waste down 5%", "customer ratings",
           "safety first", "the quarter's goals"]  # fmt: skip
OBJECTIVE_TITLES = ["On-time delivery", "Fewer damaged goods", "Cost per order down",
                    "Customer ratings above 4.5", "New accounts", "Safer warehouses",
                    "Faster onboarding", "Paperless invoicing", "Energy use down",
                    "Retention of key staff", "One-day quotes", "Supplier quality"]  # fmt: skip


@dataclass
class Plan:
    """The organization as plain data, before anything is written."""

    size: Size
    today: datetime.date
    quarters: list[Quarter]  # oldest first; the last one holds today
    origin: datetime.date  # when the organization's history starts
    past_day: datetime.date  # the "as of" day the benchmark asks about
    members: list[dict] = field(default_factory=list)  # in position order: L, M, T, E
    seats: list[tuple[int, int]] = field(default_factory=list)  # (team, person) positions
    partnerships: list[dict] = field(default_factory=list)
    relationships: list[dict] = field(default_factory=list)
    leader: int = 0  # positions of the bench personas
    manager: int = 0


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randrange(max(1, (last - first).days)))


def plan_organization(size: Size, today: datetime.date, *, seed: int = SEED) -> Plan:
    """Members, seats, partnerships and relationships of the synthetic organization."""
    rng = random.Random(seed)
    current = Quarter.containing(today)
    quarters = [current.previous().previous().previous(), current.previous().previous()]
    quarters += [current.previous(), current]
    origin = datetime.date(quarters[0].start.year - 2, 1, 1)
    plan = Plan(
        size, today, quarters, origin, past_day=quarters[1].start + datetime.timedelta(days=10)
    )

    counts = {q: max(MINIMUM[q], round(size.members * share)) for q, share in SHARES.items()}
    counts["E"] = size.members - sum(counts.values())
    positions: dict[str, list[int]] = {}
    for quadrant in "LMTE":
        start = len(plan.members)
        positions[quadrant] = list(range(start, start + counts[quadrant]))
        for number in range(counts[quadrant]):
            plan.members.append(_member(rng, quadrant, number, origin, today))
    leaders, managers, teams, employees = (positions[q] for q in "LMTE")
    plan.leader, plan.manager = leaders[0], managers[0]
    for person in (plan.leader, plan.manager):  # the personas are here for the whole year
        plan.members[person].update(active_from=origin, active_until=None)

    pairs: dict[tuple[int, int], str] = {}

    def relate(source: int, target: int) -> None:
        if source > target:
            source, target = target, source
        kind = relationship_type_for(
            plan.members[source]["quadrant"], plan.members[target]["quadrant"]
        )
        if kind is not None and source != target:
            pairs.setdefault((source, target), kind)

    # The skeleton: reporting lines, teams, and each employee's channels.
    for index, leader in enumerate(leaders[1:], start=1):
        relate(leaders[rng.randrange(index)], leader)
    senior = max(1, len(managers) // 6)
    for index, manager in enumerate(managers):
        relate(rng.choice(leaders) if index < senior else managers[rng.randrange(senior)], manager)
    for index, team in enumerate(teams):
        if rng.random() < 0.7:
            relate(rng.choice(leaders), team)
        for manager in rng.sample(managers, rng.randint(1, 2)):
            relate(manager, team)
        if index and rng.random() < 0.3:
            relate(teams[rng.randrange(index)], team)
    for index, employee in enumerate(employees):
        if rng.random() < 0.002:
            continue  # a few employees nobody has connected yet
        for team in rng.sample(teams, rng.randint(1, 2)):
            plan.seats.append((team, employee))
            relate(team, employee)
        if rng.random() < 0.8:
            relate(rng.choice(managers), employee)
        if rng.random() < 0.2:
            relate(rng.choice(leaders), employee)
        if index and rng.random() < 0.1:
            relate(employees[rng.randrange(index)], employee)
    # The personas reach enough people to belong to their number of partnerships.
    for employee in rng.sample(employees, size.leader_partnerships):
        relate(plan.leader, employee)
    for employee in rng.sample(employees, size.manager_partnerships):
        relate(plan.manager, employee)
    # The rest along randomly chosen flows.
    flows, weights = zip(*FLOW_WEIGHTS.items(), strict=True)
    flow_cumulative = list(itertools.accumulate(weights))  # as choices() would sum them
    while len(pairs) < size.relationships:
        (source_q, target_q) = rng.choices(flows, cum_weights=flow_cumulative)[0]
        relate(rng.choice(positions[source_q]), rng.choice(positions[target_q]))

    _plan_partnerships(plan, rng, origin)
    _plan_relationships(plan, rng, list(pairs.items())[: size.relationships])
    return plan


def _member(rng, quadrant: str, number: int, origin, today) -> dict:
    if quadrant == "T":
        department = DEPARTMENTS[number % len(DEPARTMENTS)]
        name, title = f"{department} team {number + 1:03d}", ""
    else:
        first = FIRST[number % len(FIRST)]
        last = LAST[(number // len(FIRST)) % len(LAST)]
        name, title = f"{first} {last} {quadrant}{number + 1:04d}", rng.choice(TITLES[quadrant])
    active_from, active_until = origin, None
    roll = rng.random()
    if roll < 0.03:  # joined in the last year
        active_from = _day_between(rng, today - datetime.timedelta(days=365), today)
    elif roll < 0.04:  # left in the last nine months
        active_until = _day_between(rng, today - datetime.timedelta(days=270), today)
    return {
        "quadrant": quadrant,
        "kind": "team" if quadrant == "T" else "person",
        "name": name,
        "title": title,
        "email": "" if quadrant == "T" else f"{name.lower().replace(' ', '.')}@bench.example",
        "external_id": f"{quadrant}{number + 1:05d}",
        "active_from": active_from,
        "active_until": active_until,
    }


def _plan_partnerships(plan: Plan, rng: random.Random, origin: datetime.date) -> None:
    first_quarter = plan.quarters[0]
    for number in range(plan.size.partnerships):
        formed_on = _day_between(rng, origin, origin + datetime.timedelta(days=365))
        dissolved_on = None
        roll = rng.random()
        if number >= plan.size.leader_partnerships and roll < 0.1:  # dissolved lately
            dissolved_on = _day_between(rng, first_quarter.start, plan.today)
        elif number >= plan.size.leader_partnerships and roll < 0.2:  # formed lately
            formed_on = _day_between(rng, first_quarter.start, plan.today)
        objective = number % plan.size.objectives
        plan.partnerships.append(
            {
                "name": f"{OBJECTIVE_TITLES[objective]} crew {number + 1:03d}",
                "objective": objective,
                "formed_on": formed_on,
                "dissolved_on": dissolved_on,
                "weight": 1 / (number + 1) ** 0.6,  # a few large partnerships, many small
            }
        )


def _plan_relationships(plan: Plan, rng: random.Random, pairs: list) -> None:
    size, everyone = plan.size, range(len(plan.partnerships))
    # Cumulative weights, summed once: choices() sums them on every call otherwise (the same
    # draws, a thousand partnerships times half a million relationships fewer additions).
    cumulative = list(itertools.accumulate(p["weight"] for p in plan.partnerships))
    leader_only = list(range(size.leader_partnerships))  # the bench leader's 40
    # The bench manager's 8: some shared with the leader, some not, large and small.
    step = max(1, len(plan.partnerships) // size.manager_partnerships)
    manager_only = sorted({(i * step + 3) % len(plan.partnerships) for i in range(8)})
    both = [p for p in manager_only if p in leader_only] or [leader_only[0]]
    leader_seen: set[int] = set()
    manager_seen: set[int] = set()
    for (source, target), kind in pairs:
        # The personas' relationships go to their own partnerships, covering each of them;
        # everyone else's anywhere, the large partnerships more often.
        with_leader = plan.leader in (source, target)
        with_manager = plan.manager in (source, target)
        if with_leader and with_manager:
            number = rng.choice(both)
        elif with_leader:
            number = next((p for p in leader_only if p not in leader_seen), None)
            number = rng.choice(leader_only) if number is None else number
        elif with_manager:
            number = next((p for p in manager_only if p not in manager_seen), None)
            number = rng.choice(manager_only) if number is None else number
        else:
            number = rng.choices(everyone, cum_weights=cumulative)[0]
        if with_leader:
            leader_seen.add(number)
        if with_manager:
            manager_seen.add(number)
        partnership = plan.partnerships[number]
        ends = [plan.members[m]["active_until"] for m in (source, target)]
        ends.append(partnership["dissolved_on"])
        starts = [plan.members[m]["active_from"] for m in (source, target)]
        starts.append(partnership["formed_on"])
        starts_on = max(starts)
        if rng.random() < 0.12:  # started in the last nine months
            starts_on = max(starts_on, _day_between(rng, plan.quarters[1].start, plan.today))
        if rng.random() < 0.04:  # ended lately
            ends.append(_day_between(rng, plan.quarters[0].start, plan.today))
        ends_on = min((day for day in ends if day is not None), default=None)
        if ends_on is not None and ends_on <= starts_on:
            starts_on = ends_on - datetime.timedelta(days=30)
        plan.relationships.append(
            {
                "partnership": number,
                "source": source,
                "target": target,
                "type": kind,
                "carries": rng.choice(CARRIES) if rng.random() < 0.3 else "",
                "starts_on": starts_on,
                "ends_on": ends_on,
            }
        )


# --- writing it -----------------------------------------------------------------------------


@transaction.atomic
def build_organization(size: Size, *, slug: str) -> Organization:
    """Write the planned organization, its logins, four quarters of sessions with their logs,
    and what the leader's dashboard reads: checklists, scores, measurements, pulse ratings."""
    now = timezone.now()
    organization = Organization.objects.create(name=f"Bench Corp ({size.name})", slug=slug)
    plan = plan_organization(size, organization.today())
    members = Member.objects.bulk_create(
        [Member(organization=organization, **row) for row in plan.members], batch_size=BATCH
    )
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(organization=organization, team=members[t], person=members[p])
            for t, p in plan.seats
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    objectives = Objective.objects.bulk_create(
        Objective(
            organization=organization,
            title=title,
            emphasis=Emphasis.values[number % len(Emphasis.values)],
            owner=members[plan.leader],
            starts_on=plan.origin,
            target_value=90 + number % 10,
            target_unit="%",
        )
        for number, title in enumerate(OBJECTIVE_TITLES[: size.objectives])
    )
    partnerships = Partnership.objects.bulk_create(
        Partnership(
            organization=organization,
            objective=objectives[row["objective"]],
            name=row["name"],
            purpose=f"Carry {objectives[row['objective']].title.lower()} through the organization.",
            formed_on=row["formed_on"],
            dissolved_on=row["dissolved_on"],
        )
        for row in plan.partnerships
    )
    relationships = Relationship.objects.bulk_create(
        [
            Relationship(
                organization=organization,
                partnership=partnerships[row["partnership"]],
                from_member=members[row["source"]],
                to_member=members[row["target"]],
                from_quadrant=members[row["source"]].quadrant,
                to_quadrant=members[row["target"]].quadrant,
                type=row["type"],
                carries=row["carries"],
                starts_on=row["starts_on"],
                ends_on=row["ends_on"],
            )
            for row in plan.relationships
        ],
        batch_size=BATCH,
    )
    logins = _logins(organization, members[plan.leader], members[plan.manager])
    rng = random.Random(SEED + 1)
    held = _sessions(organization, plan, rng, members, partnerships, relationships, now)
    _logs(organization, rng, held, logins["leader"], plan.today)
    _dashboard(organization, plan, rng, objectives, logins, held)
    return organization


def _logins(organization: Organization, leader: Member, manager: Member) -> dict:
    User = get_user_model()
    logins = {}
    for role, username in USERNAMES.items():
        user = User(username=username, email=f"{username}@bench.example")
        user.set_unusable_password()
        user.save()
        member = {"leader": leader, "manager": manager}.get(role)
        logins[role] = OrgMembership.objects.create(
            user=user, organization=organization, role=Role(role), member=member
        )
    return logins


@dataclass
class Held:
    """A held session, who attended, and the relationships of its partnership that quarter."""

    session: Session
    attendees: list[Member]
    relationships: list[Relationship]


def _sessions(organization, plan, rng, members, partnerships, relationships, now) -> list[Held]:
    """One session per partnership per quarter that it is active in: the past quarters held
    (a few missed or cancelled), the current one held up to now and planned after."""
    tz = organization.tz
    by_partnership: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(plan.relationships):
        by_partnership[row["partnership"]].append(index)
    sessions: list[Held] = []
    blackouts = []
    for quarter in plan.quarters:
        blackouts.append(
            BlackoutDate(organization=organization, date=quarter.last_day, reason="Year-end close")
        )
        active = [
            number
            for number, p in enumerate(plan.partnerships)
            if p["formed_on"] < quarter.end
            and (p["dissolved_on"] is None or p["dissolved_on"] > quarter.start)
        ]
        weekdays = [
            quarter.start + datetime.timedelta(days=d)
            for d in range(quarter.days - 1)
            if (quarter.start + datetime.timedelta(days=d)).weekday() < 5
        ]
        for slot, number in enumerate(active):
            rows = [
                i
                for i in by_partnership[number]
                if plan.relationships[i]["starts_on"] < quarter.end
                and (
                    plan.relationships[i]["ends_on"] is None
                    or plan.relationships[i]["ends_on"] > quarter.start
                )
            ]
            people = {}
            for i in rows:
                for end in ("source", "target"):
                    member = members[plan.relationships[i][end]]
                    people[member.pk] = member
            facilitator = facilitator_for(people.values())
            if facilitator is None:
                continue
            day = weekdays[slot * len(weekdays) // len(active)]
            starts_at = datetime.datetime.combine(
                day, datetime.time(9 + slot % 7, 30 * (slot % 2)), tzinfo=tz
            )
            status = SessionStatus.PLANNED
            if starts_at + datetime.timedelta(minutes=90) <= now:
                roll = rng.random()
                status = SessionStatus.HELD
                if roll >= 0.9:
                    status = SessionStatus.MISSED if roll < 0.95 else SessionStatus.CANCELLED
                if quarter == plan.quarters[-1] and roll > 0.8:
                    status = SessionStatus.PLANNED  # overdue: nobody marked it held
            session = Session(
                organization=organization,
                partnership=partnerships[number],
                quarter_start=quarter.start,
                facilitator=facilitator,
                starts_at=starts_at,
                place=f"Room {1 + slot % 12}",
                status=status,
            )
            if status == SessionStatus.HELD:
                session.held_at = starts_at + datetime.timedelta(minutes=90)
            others = sorted((m for m in people.values() if m.pk != facilitator.pk), key=_pk)
            present = [facilitator, *rng.sample(others, min(11, len(others)))]
            sessions.append(Held(session, present, [relationships[i] for i in rows]))
    BlackoutDate.objects.bulk_create(blackouts, ignore_conflicts=True)
    Session.objects.bulk_create([held.session for held in sessions], batch_size=BATCH)
    Through = Session.attendees.through
    Through.objects.bulk_create(
        (Through(session=held.session, member=m) for held in sessions for m in held.attendees),
        batch_size=BATCH,
    )
    return [held for held in sessions if held.session.status == SessionStatus.HELD]


def _pk(member: Member) -> int:
    return member.pk


def _logs(organization, rng, held: list[Held], author: OrgMembership, today) -> None:
    """Two successes, a progress call, a feedback item and two action items per held session."""
    successes, progress, feedback, actions = [], [], [], []
    for item in held:
        session, people = item.session, item.attendees
        for n in range(2):
            successes.append(
                SessionSuccess.at_session(
                    session,
                    text=f"{rng.choice(CARRIES).capitalize()}: better than last quarter ({n + 1}).",
                    shared_by=rng.choice(people),
                    author=author.user,
                    shared_with_organization=rng.random() < 0.3,
                )
            )
        progress.append(
            ObjectiveProgress(
                organization=organization,
                session=session,
                objective_id=session.partnership.objective_id,
                call=rng.choice(ProgressCall.values),
            )
        )
        feedback.append(
            FeedbackItem(
                organization=organization,
                session=session,
                from_member=rng.choice(people),
                text="Tell us the objectives at the start of the quarter.",
            )
        )
        for n in range(2):
            due_on = session.starts_at.date() + datetime.timedelta(days=30 + 15 * n)
            actions.append(
                ActionItem(
                    organization=organization,
                    session=session,
                    text=f"Follow up on {rng.choice(CARRIES)}",
                    owner=rng.choice(people),
                    due_on=due_on,
                    done_on=due_on if due_on < today and rng.random() < 0.6 else None,
                )
            )
    for model, rows in (
        (SessionSuccess, successes),
        (ObjectiveProgress, progress),
        (FeedbackItem, feedback),
        (ActionItem, actions),
    ):
        model.objects.bulk_create(rows, batch_size=BATCH)


def _dashboard(organization, plan, rng, objectives, logins, held: list[Held]) -> None:
    """The leader's checklist each quarter (the past ones mostly done), the satisfaction
    scores and each objective's measurement per quarter, and up to three pulse ratings per
    held session, each from an attendee about the other side of one of their relationships."""
    actions = list(Action.objects.order_by("number"))
    states = ActionState.values
    for age, quarter in enumerate(reversed(plan.quarters)):
        checklist = Checklist.objects.create(
            organization=organization, membership=logins["leader"], quarter_start=quarter.start
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                organization=organization,
                checklist=checklist,
                action=action,
                state=ActionState.DONE if age and rng.random() < 0.7 else rng.choice(states),
                note="Done at the quarter's briefing." if rng.random() < 0.5 else "",
            )
            for action in actions
        )
    past = plan.quarters[:-1]  # the current quarter is not measured yet
    SatisfactionScore.objects.bulk_create(
        SatisfactionScore(
            organization=organization,
            kind=kind,
            quarter_start=quarter.start,
            value=round(rng.uniform(60, 90), 1),
        )
        for quarter in past
        for kind in ScoreKind.values
    )
    ObjectiveMeasurement.objects.bulk_create(
        ObjectiveMeasurement(
            organization=organization,
            objective=objective,
            quarter_start=quarter.start,
            value=round(rng.uniform(70, 99), 2),
            unit=objective.target_unit,
        )
        for quarter in past
        for objective in objectives
    )
    ratings = []
    for item in held:
        present = {m.pk for m in item.attendees}
        rated = [r for r in item.relationships if {r.from_member_id, r.to_member_id} & present]
        for relationship in rng.sample(rated, min(3, len(rated))):
            rater, other = relationship.from_member, relationship.to_member
            if rater.pk not in present:
                rater, other = other, rater
            ratings.append(
                PulseRating(
                    organization=organization,
                    session=item.session,
                    relationship=relationship,
                    rater=rater,
                    rater_quadrant=rater.quadrant,
                    other_quadrant=other.quadrant,
                    **{name: rng.randint(PULSE_MIN, PULSE_MAX) for name in PULSE_FIELDS},
                )
            )
    PulseRating.objects.bulk_create(ratings, batch_size=BATCH)
