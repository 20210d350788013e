"""Demo sessions for the demo organization: the last two quarters held and logged, the current
one planned by the planner (sessions already past are held, one missed), blackout dates, and
action items that carry forward. Called with the organization and seed_demo's random.Random
after the partnerships demo ran; deterministic for a given seed and day."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from meetings.models import (
    ActionItem,
    BlackoutDate,
    FeedbackItem,
    ObjectiveProgress,
    ProgressCall,
    Session,
    SessionStatus,
    SessionSuccess,
)
from meetings.planner import PlanPartnership, plan_sessions
from meetings.quarters import Quarter
from meetings.selectors import facilitator_for, members_by_partnership, partnerships_to_meet
from org.models import Organization

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
    members = members_by_partnership([p.pk for p in partnerships], quarter.start, quarter.end)
    blackouts = set(
        BlackoutDate.objects.filter(organization=organization).values_list("date", flat=True)
    )
    wanted = []
    for partnership in partnerships:
        people = members.get(partnership.pk, [])
        facilitator = facilitator_for(people)
        wanted.append(
            PlanPartnership(
                partnership.pk,
                partnership.name,
                frozenset(m.pk for m in people),
                facilitator.pk if facilitator else None,
            )
        )
    plan = plan_sessions(
        quarter=quarter, tz=organization.tz, partnerships=wanted, blackouts=blackouts
    )
    by_pk = {p.pk: p for p in partnerships}
    missed_one = False
    Through = Session.attendees.through
    for placed in plan.placed:
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
