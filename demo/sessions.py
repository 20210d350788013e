"""Demo sessions for the demo organization: the last two quarters held and logged, the current
one planned by the planner (sessions already past are held, one missed), blackout dates, and
action items that carry forward (seed_meetings); then four quarters of the leader's progress
(seed_progress). Called with the organization and seed_demo's random.Random after the
partnerships demo ran; deterministic for a given seed and day."""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from meetings.models import (
    PULSE_FIELDS,
    ActionItem,
    AgendaItem,
    BlackoutDate,
    ChecklistItem,
    FeedbackItem,
    ObjectiveMeasurement,
    ObjectiveProgress,
    ProgressCall,
    PulseGiven,
    PulseLinkSent,
    PulseRating,
    ScoreKind,
    Session,
    SessionAgenda,
    SessionRating,
    SessionStatus,
    SessionSuccess,
)
from meetings.planner import plan_sessions
from meetings.progress import services as progress_services
from meetings.progress.selectors import measurable_objectives, quarters_up_to
from meetings.quarters import Quarter
from meetings.selectors import members_by_partnership, partnerships_to_meet, plan_partnership
from org.models import Organization, OrgMembership, Role
from partnerships.models import Relationship

SUCCESSES = [
    "Damage claims fell for the third month running.",
    "A driver's idea cut ten minutes from the morning loading.",
    "Two key accounts renewed early and said why: the weekly updates.",
    "The new inspection checklist caught a pallet fault before it left the dock.",
    "Customer ratings passed 4.5 for the first time.",
    "Night shift and day shift now hand over in five minutes, not twenty.",
    "Fuel per delivery is down 6% on the routes that use the planner.",
    "The first cross-team training ran with every seat taken.",
]
FEEDBACK = [
    "The checklist is too long to use at the busiest hour.",
    "We hear about objectives late; tell us at the start of the quarter.",
    "The weekly report is useful, but nobody says what changed because of it.",
    "Route changes need a day's notice to reach every driver.",
    "Recognition for small wins matters more than the bonus.",
    "Managers want the same training the leaders had.",
]
ACTIONS = [
    "Shorten the inspection checklist to one page",
    "Share the quarter's objectives in the first Monday briefing",
    "Say in each weekly report what changed because of the last one",
    "Pilot route changes with one day's notice",
    "Start a 'small wins' board in the break room",
    "Run the soft-skills session again for the night shift",
    "Ask three customers what 'on time' means to them",
]
NOTES = {
    ProgressCall.ON_TRACK: "Ahead of the quarter's milestone.",
    ProgressCall.AT_RISK: "Slipping: supplier delays and two people out.",
    ProgressCall.OFF_TRACK: "Behind; needs a decision from leadership.",
}


def seed_meetings(organization: Organization, rng: random.Random) -> None:
    today = organization.today()
    now = timezone.now()
    current = Quarter.containing(today, organization.fiscal_year_start_month)
    quarters = [current.previous().previous(), current.previous(), current]
    _blackouts(organization, current)
    for quarter in quarters:
        _plan_quarter(organization, quarter, rng, now)


def _blackouts(organization: Organization, quarter: Quarter) -> None:
    """The quarter's last Friday and the first Monday of the next one: company days."""
    last_friday = quarter.last_day - datetime.timedelta(days=(quarter.last_day.weekday() - 4) % 7)
    first_monday = quarter.end + datetime.timedelta(days=(7 - quarter.end.weekday()) % 7)
    BlackoutDate.objects.bulk_create(
        [
            BlackoutDate(organization=organization, date=last_friday, reason="Company offsite"),
            BlackoutDate(organization=organization, date=first_monday, reason="Inventory day"),
        ],
        ignore_conflicts=True,
    )


def _plan_quarter(
    organization: Organization, quarter: Quarter, rng: random.Random, now: datetime.datetime
) -> None:
    partnerships = list(
        partnerships_to_meet(organization, quarter, quarter.start).select_related("objective")
    )
    members = members_by_partnership(
        organization, [p.pk for p in partnerships], quarter.start, quarter.end
    )
    blackouts = set(
        BlackoutDate.objects.filter(organization=organization).values_list("date", flat=True)
    )
    wanted = [plan_partnership(p, members.get(p.pk, [])) for p in partnerships]
    plan = plan_sessions(
        quarter=quarter, tz=organization.tz, partnerships=wanted, blackouts=blackouts
    )
    by_pk = {p.pk: p for p in partnerships}
    missed_one = False
    prepared = 0
    Through = Session.attendees.through
    ahead = _kept_ahead(organization, quarter, members, blackouts, now)
    for placed in plan.placed:
        if placed.partnership_id in ahead and placed.end <= now:
            placed = dataclasses.replace(placed, start=ahead[placed.partnership_id])
        past = placed.end <= now
        status = SessionStatus.HELD if past else SessionStatus.PLANNED
        if past and not missed_one and quarter.end > now.date():
            status, missed_one = SessionStatus.MISSED, True
        session = Session.objects.create(
            organization=organization,
            partnership_id=placed.partnership_id,
            quarter_start=quarter.start,
            facilitator_id=placed.facilitator_id,
            starts_at=placed.start,
            duration_minutes=placed.duration_minutes,
            place=rng.choice(["Board room", "Dock office", "Training room 2", ""]),
            video_link="" if rng.random() < 0.7 else "https://meet.example.com/partnership",
            status=status,
            held_at=placed.end if status == SessionStatus.HELD else None,
        )
        attendees = sorted(placed.attendee_ids)
        if status == SessionStatus.HELD and len(attendees) > 3 and rng.random() < 0.5:
            attendees.remove(rng.choice([a for a in attendees if a != placed.facilitator_id]))
        Through.objects.bulk_create(Through(session_id=session.pk, member_id=m) for m in attendees)
        if status == SessionStatus.HELD:
            people = members.get(placed.partnership_id, [])
            _log(session, by_pk[placed.partnership_id].objective, people, quarter, rng, now)
        elif status == SessionStatus.PLANNED:
            _prepare(session, members.get(placed.partnership_id, []), first=not prepared)
            prepared += 1


def _kept_ahead(
    organization: Organization,
    quarter: Quarter,
    members: dict[int, list],
    blackouts: set[datetime.date],
    now: datetime.datetime,
) -> dict[int, datetime.datetime]:
    """The partnerships of the demo's member login whose session this quarter is kept still to
    come (whatever day the demo is loaded), with the start it gets: so that someone trying the
    demo as a member finds a session of their own to add to. The first working day at least two
    days ahead, 14:00, that is no blackout and still in the quarter; none when there is no such
    day (the quarter's last days)."""
    person_ids = set(
        OrgMembership.objects.filter(organization=organization, role=Role.MEMBER)
        .exclude(member=None)
        .values_list("member_id", flat=True)
    )
    day = now.astimezone(organization.tz).date() + datetime.timedelta(days=2)
    while day.weekday() >= 5 or day in blackouts:
        day += datetime.timedelta(days=1)
    if not person_ids or not quarter.start <= day < quarter.end:
        return {}
    start = datetime.datetime.combine(day, datetime.time(14), tzinfo=organization.tz)
    return {
        partnership_id: start
        for partnership_id, people in members.items()
        if person_ids & {person.pk for person in people}
    }


AGENDA_POINTS = [
    ("objectives", "How do we hand over between the day and the night shift?"),
    ("successes", "The new loading checklist: first results"),
    ("feedback", "Are the sessions at the right time of day?"),
]


def _prepare(session, people, *, first: bool) -> None:
    """A session still to come: a point or two its people put on the agenda (the same ones
    every run: no draw from the seed's random sequence); the first one timed by hand. Added
    by people, not by a team."""
    people = [person for person in people if not person.is_team]
    if not people:
        return
    for i, (part, text) in enumerate(AGENDA_POINTS[: 1 + session.pk % 2]):
        AgendaItem.objects.create(
            organization_id=session.organization_id,
            session=session,
            part=part,
            text=text,
            added_by=people[(session.pk + i) % len(people)],
        )
    if first and session.duration_minutes == 90:
        SessionAgenda.objects.create(
            organization_id=session.organization_id,
            session=session,
            successes_minutes=20,
            objectives_minutes=40,
            feedback_minutes=20,
            close_minutes=10,
        )


def _log(session, objective, people, quarter: Quarter, rng: random.Random, now) -> None:
    organization_id = session.organization_id
    for text in rng.sample(SUCCESSES, rng.randint(1, 2)):
        SessionSuccess.at_session(
            session,
            text=text,
            shared_by=rng.choice(people) if people else None,
            objective_id=objective.pk,
        ).save()
    call = rng.choice(list(ProgressCall))
    ObjectiveProgress.objects.create(
        organization_id=organization_id,
        session=session,
        objective=objective,
        call=call,
        note=NOTES[call],
    )
    if rng.random() < 0.7:
        FeedbackItem.objects.create(
            organization_id=organization_id,
            session=session,
            from_member=rng.choice(people) if people else None,
            text=rng.choice(FEEDBACK),
        )
    held_on = session.starts_at.date()
    for text in rng.sample(ACTIONS, rng.randint(1, 2)):
        due = held_on + datetime.timedelta(days=rng.choice([14, 21, 30, 45]))
        finished = due < now.date() and rng.random() < 0.6
        ActionItem.objects.create(
            organization_id=organization_id,
            session=session,
            text=text,
            owner=rng.choice(people) if people else session.facilitator,
            due_on=due,
            done_on=due - datetime.timedelta(days=rng.randint(0, 5)) if finished else None,
        )


# =============================================================================================
# Four quarters of the leader's progress (issue 7): checklists, measurements, pulse, successes
# =============================================================================================

EVIDENCE = {
    1: "Listening course finished; weekly 1:1s now start with the other person's agenda.",
    2: "Monthly coffee with each direct report; two old conflicts settled.",
    3: "Every partnership has its session in the planner.",
    4: "Quality message sent through the dock teams and the shift managers, not only by email.",
    5: "Damage rate and customer rating reviewed in the Monday briefing.",
    6: "Walked the managers through what changed in our own 1:1s.",
    7: "Twenty-minute training slots at the shift change.",
    8: "The inspection checklist now carries the new loading steps.",
    9: "Managers run their own quarterly sessions with their teams.",
    10: "A 'small wins' board in each break room.",
    11: "Quarterly numbers on the dashboard before each leadership meeting.",
    12: "Guidance training planned for the night shift, where the pulse is lowest.",
    13: "Route notice moved to a day ahead after the drivers' feedback.",
}
DIRECT_SUCCESSES = [
    "A customer wrote in to thank the night shift by name.",
    "The loading dock went a full month without a damaged pallet.",
    "Two teams swapped a checklist idea without being asked.",
    "A new hire suggested the route change that saved an hour a day.",
]
# The pulse's quadrant pairs: (rater, other side) -> (level in the oldest quarter, change a
# quarter). Managers and employees drift apart, so the M-E flow weakens on the dashboard.
PULSE_TREND = {("M", "E"): (4.2, -0.35), ("E", "M"): (4.0, -0.3)}
PULSE_DEFAULT = (3.4, 0.15)


def seed_progress(organization: Organization, rng: random.Random) -> None:
    """Four quarters of history (the current one and the three before) for the progress
    dashboard: the leaders' checklists (and one manager who opted in), satisfaction scores,
    objective values, the pulse at every held session, and successes shared or entered
    directly. Run after seed_meetings; it plans and holds the oldest quarter's sessions when
    seed_meetings did not reach back that far."""
    today = organization.today()
    now = timezone.now()
    current = Quarter.containing(today, organization.fiscal_year_start_month)
    quarters = quarters_up_to(current)
    if not Session.objects.filter(organization=organization, quarter_start=quarters[0].start):
        _plan_quarter(organization, quarters[0], rng, now)

    logins = list(
        OrgMembership.objects.filter(
            organization=organization, role__in=[Role.LEADER, Role.MANAGER]
        )
        .select_related("user", "organization")
        .order_by("role", "id")
    )
    keepers = [m for m in logins if m.role == Role.LEADER]
    managers = [m for m in logins if m.role == Role.MANAGER and m.member_id]
    if managers:
        progress_services.checklist_opt_in(membership=managers[0])
        keepers.append(managers[0])
    author = keepers[0].user if keepers else None

    # checklists: more done each quarter, notes carried forward and added to
    for keeper in keepers:
        for index, quarter in enumerate(quarters):
            checklist = progress_services.checklist_ensure(membership=keeper, quarter=quarter)
            items = list(checklist.items.select_related("action"))
            share = 1.0 if quarter != current else 0.6
            for item in items:
                roll = rng.random()
                if roll < (0.15 + 0.22 * index) * share:
                    item.state = ChecklistItem.State.DONE
                elif roll < (0.45 + 0.2 * index) * share:
                    item.state = ChecklistItem.State.IN_PROGRESS
                if not item.note and item.state != ChecklistItem.State.NOT_STARTED:
                    item.note = EVIDENCE[item.action.number]
            ChecklistItem.objects.bulk_update(items, ["state", "note"])

    # satisfaction scores, rising with some noise
    for index, quarter in enumerate(quarters):
        for kind, base in ((ScoreKind.CUSTOMER, 66), (ScoreKind.EMPLOYEE, 58)):
            value = Decimal(str(round(base + 4 * index + rng.uniform(-2, 2), 1)))
            progress_services.satisfaction_score_set(
                organization=organization,
                kind=kind,
                quarter=quarter,
                value=value,
                version=0,
                user=author,
            )

    # objective values, closing in on their targets
    for objective in measurable_objectives(organization, quarters[0], current):
        if objective.target_value is None:
            continue
        for index, quarter in enumerate(quarters):
            if not (objective.starts_on < quarter.end):
                continue
            ratio = 0.86 + 0.035 * index + rng.uniform(-0.01, 0.01)
            value = (objective.target_value * Decimal(str(round(ratio, 3)))).quantize(
                Decimal("0.01")
            )
            if not ObjectiveMeasurement.objects.filter(
                objective=objective, quarter_start=quarter.start
            ).exists():
                progress_services.objective_measurement_set(
                    objective=objective,
                    quarter=quarter,
                    value=value,
                    unit=objective.target_unit,
                    version=0,
                    user=author,
                )

    # the pulse at every held session
    sessions = list(
        Session.objects.filter(
            organization=organization,
            quarter_start__in=[q.start for q in quarters],
            status=SessionStatus.HELD,
        )
        .select_related("partnership")
        .prefetch_related("attendees")
    )
    index_of = {q.start: i for i, q in enumerate(quarters)}
    relationships = defaultdict(list)
    for relationship in Relationship.objects.filter(
        organization=organization, partnership_id__in={s.partnership_id for s in sessions}
    ):
        relationships[relationship.partnership_id].append(relationship)
    with_login = set(
        OrgMembership.objects.filter(organization=organization, member__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    # Each attendee gives their own pulse (issue 21): most of them, about every other
    # quadrant of the partnership, with the session's worth; some through the mail's link.
    ratings, worth, given, mailed = [], [], [], []
    for session in sessions:
        quarter = Quarter.containing(session.quarter_start, organization.fiscal_year_start_month)
        index = index_of[session.quarter_start]
        present = set()
        for relationship in relationships[session.partnership_id]:
            if relationship.starts_on >= quarter.end or (
                relationship.ends_on is not None and relationship.ends_on <= quarter.start
            ):
                continue
            present.update((relationship.from_quadrant, relationship.to_quadrant))
        for attendee in session.attendees.all():
            if rng.random() < 0.05:
                continue  # did not answer
            common = {"organization": organization, "session": session}
            for other_quadrant in sorted(present - {attendee.quadrant}):
                level, step = PULSE_TREND.get((attendee.quadrant, other_quadrant), PULSE_DEFAULT)
                ratings.append(
                    PulseRating(
                        **common,
                        relationship=None,
                        rater=attendee,
                        rater_quadrant=attendee.quadrant,
                        other_quadrant=other_quadrant,
                        **{
                            name: min(5, max(1, round(level + step * index + rng.gauss(0, 0.6))))
                            for name in PULSE_FIELDS
                        },
                    )
                )
            worth.append(
                SessionRating(
                    **common, rater=attendee, value=min(5, max(1, round(rng.gauss(3.9, 0.8))))
                )
            )
            via = PulseGiven.Via.LOGIN if attendee.pk in with_login else PulseGiven.Via.LINK
            given.append(PulseGiven(**common, member=attendee, via=via))
            if via == PulseGiven.Via.LINK:  # the mail with their link went out
                mailed.append(PulseLinkSent(**common, member=attendee))
    SessionRating.objects.bulk_create(worth, ignore_conflicts=True)
    PulseGiven.objects.bulk_create(given, ignore_conflicts=True)
    PulseLinkSent.objects.bulk_create(mailed, ignore_conflicts=True)
    PulseRating.objects.bulk_create(ratings, ignore_conflicts=True)

    # successes: some of the sessions' shared with everyone, a few entered directly
    session_successes = list(
        SessionSuccess.objects.filter(organization=organization).order_by("id")
    )
    shared = [s.pk for s in session_successes if rng.random() < 0.45]
    SessionSuccess.objects.filter(pk__in=shared).update(shared_with_organization=True)
    for index, quarter in enumerate(quarters):
        held_here = [s for s in sessions if s.quarter_start == quarter.start]
        if not held_here:
            continue
        for text in rng.sample(DIRECT_SUCCESSES, 1 + index % 2):
            session = rng.choice(held_here)
            day = quarter.start + datetime.timedelta(days=rng.randint(5, 80))
            SessionSuccess.objects.create(
                organization=organization,
                session=None,
                partnership_id=session.partnership_id,
                objective_id=session.partnership.objective_id,
                happened_on=min(day, today),
                text=text,
                author=author,
                shared_with_organization=rng.random() < 0.6,
            )
