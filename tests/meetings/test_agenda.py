"""The session's agenda: timed parts that add up to the session's length, built from the
partnership's data; the facilitator changes the minutes; the reminder mail and the calendar
event carry it."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from meetings.agenda import allocate
from meetings.models import (
    ActionItem,
    AgendaItem,
    ObjectiveProgress,
    PulseRating,
    Session,
    SessionAgenda,
)
from meetings.reminders import session_reminders_send
from partnerships.models import Relationship
from tests.factories import ActionItemFactory, SessionFactory, SuccessFactory
from tests.meetings.conftest import NOW

PARTS = ("successes", "objectives", "feedback", "close")


def url(session, rest=""):
    return f"/meetings/sessions/{session.pk}/{rest}"


# --- the minutes -----------------------------------------------------------------------------


@pytest.mark.parametrize("duration", [15, 30, 45, 60, 90, 95, 120, 480])
@pytest.mark.parametrize(
    "counts", [{}, {"objectives": 6}, {"successes": 3, "feedback": 1}, {"successes": 40}]
)
def test_the_parts_always_add_up_to_the_sessions_length(duration, counts):
    minutes = allocate(duration, counts)
    assert list(minutes) == list(PARTS)
    assert sum(minutes.values()) == duration
    assert all(value >= 0 for value in minutes.values())


def test_ninety_minutes_without_data_and_with_much_to_discuss_on_objectives():
    assert allocate(90, {}) == {"successes": 30, "objectives": 25, "feedback": 25, "close": 10}
    busy = allocate(90, {"objectives": 7, "successes": 1})
    assert busy["close"] == 10
    assert busy["objectives"] > busy["successes"] > busy["feedback"] >= 10


# --- the agenda from a partnership's data ----------------------------------------------------


@pytest.fixture
def history(session, triad, leader_membership, manager_membership):
    """Last quarter's held session: an at-risk call on the objective and an open action item;
    a success since then; the manager rating the leader low on timeliness."""
    leader, manager = leader_membership.member, manager_membership.member
    previous = SessionFactory(
        partnership=triad,
        facilitator=leader,
        starts_at=datetime.datetime(2025, 11, 12, 9, 0, tzinfo=datetime.UTC),
        status=Session.Status.HELD,
    )
    ObjectiveProgress.objects.create(
        organization=triad.organization, session=previous, objective=triad.objective, call="at_risk"
    )
    ActionItemFactory(session=previous, text="Write the handover checklist", owner=manager)
    ActionItemFactory(
        session=previous, text="Already done", owner=manager, done_on=datetime.date(2025, 12, 1)
    )
    SuccessFactory(
        session=None,
        partnership=triad,
        happened_on=datetime.date(2026, 1, 20),
        text="Returns fell by a third",
        shared_by=manager,
    )
    relationship = Relationship.objects.get(
        partnership=triad, from_member=leader, to_member=manager
    )
    PulseRating.objects.create(
        organization=triad.organization,
        session=previous,
        relationship=relationship,
        rater=manager,
        rater_quadrant="M",
        other_quadrant="L",
        frequent=4,
        timely=2,
        accurate=4,
        problem_solving=5,
        shared_goals=4,
        shared_knowledge=4,
        mutual_respect=5,
    )
    return previous


def _part(page: str, part: str) -> str:
    """The text of one part of the agenda on the page."""
    start = page.index(f'id="agenda-{part}"')
    end = page.find('class="agenda-part"', start + 1)
    return page[start : end if end > 0 else page.index("</section>", start)]


def _minutes(page: str) -> dict[str, int]:
    import re

    found = re.findall(r'id="agenda-(\w+)">\s*<h3><span class="agenda-minutes">(\d+) min', page)
    return {part: int(minutes) for part, minutes in found}


def test_the_agenda_is_built_from_the_partnerships_data(session, history, leader_client):
    page = leader_client.get(url(session)).content.decode()
    minutes = _minutes(page)
    assert list(minutes) == list(PARTS)
    assert sum(minutes.values()) == 90
    assert 'Agenda <span class="muted">· 90 minutes' in page
    successes = _part(page, "successes")
    assert "Returns fell by a third" in successes
    objectives = _part(page, "objectives")
    assert "Progress call: " in objectives and "last time: At risk" in objectives
    assert "Carried forward: Write the handover checklist" in objectives
    assert "Already done" not in objectives
    feedback = _part(page, "feedback")
    assert "Communicates in time" in feedback  # the weakest dimension, named
    assert "What reached you too late this quarter?" in feedback
    assert "Agree the action items" in _part(page, "close")
    # objectives hold the most to discuss, so they get the most time
    assert minutes["objectives"] == max(minutes[p] for p in ("successes", "objectives", "feedback"))


def test_without_pulse_ratings_the_feedback_prompts_are_general(session, member_client):
    page = member_client.get(url(session)).content.decode()
    assert "weakest pulse dimension" not in page
    assert "What worked well in how we work together this quarter?" in page
    assert "Each attendee: one thing that went well since last time." in page
    assert sum(_minutes(page).values()) == 90


def test_a_pulse_rated_often_or_better_gives_no_weakest_dimension(session, history, member_client):
    PulseRating.objects.update(timely=4)
    page = member_client.get(url(session)).content.decode()
    assert "weakest pulse dimension" not in page


# --- the facilitator times the parts ---------------------------------------------------------


def minutes_post(successes, objectives, feedback, close, **extra):
    return {
        "agenda-successes": successes,
        "agenda-objectives": objectives,
        "agenda-feedback": feedback,
        "agenda-close": close,
        **extra,
    }


def test_the_facilitator_sets_the_minutes_and_can_go_back_to_the_data(session, leader_client):
    response = leader_client.post(url(session, "agenda/"), minutes_post(15, 45, 20, 10))
    assert response.status_code == 302
    stored = SessionAgenda.objects.get(session=session)
    assert stored.minutes() == {"successes": 15, "objectives": 45, "feedback": 20, "close": 10}
    page = leader_client.get(url(session)).content.decode()
    assert _minutes(page) == stored.minutes()
    assert "timed by the facilitator" in page
    response = leader_client.post(
        url(session, "agenda/"), minutes_post(15, 45, 20, 10, **{"agenda-from_data": "on"})
    )
    assert response.status_code == 302
    assert not SessionAgenda.objects.exists()


def test_minutes_that_do_not_add_up_are_refused(session, leader_client):
    response = leader_client.post(url(session, "agenda/"), minutes_post(30, 45, 20, 10))
    assert response.status_code == 400
    assert "The parts add up to 105 minutes; the session lasts 90." in response.content.decode()
    assert not SessionAgenda.objects.exists()


def test_a_member_does_not_time_the_agenda(session, member_client):
    page = member_client.get(url(session)).content.decode()
    assert "Change the minutes of each part" not in page
    response = member_client.post(url(session, "agenda/"), minutes_post(15, 45, 20, 10))
    assert response.status_code == 403
    assert not SessionAgenda.objects.exists()


# --- in the reminder mail and the calendar ---------------------------------------------------


def test_the_reminder_a_week_before_carries_the_agenda(
    session, history, member_client, leader_membership
):
    leader_membership.member.email = "lee@example.com"
    leader_membership.member.save()
    member_client.post(
        url(session, "add/agenda/"),
        {"my-agenda-part": "feedback", "my-agenda-text": "Shift swaps"},
    )
    assert AgendaItem.objects.exists()
    session_reminders_send(now=NOW, base_url="https://pm.example")
    (message,) = mail.outbox
    assert "Agenda (90 minutes)" in message.body
    assert "Carried forward: Write the handover checklist" in message.body
    assert "Shift swaps (Mia Member)" in message.body
    assert "1 success logged since the last session" in message.body
    assert "Returns fell by a third" not in message.body  # counted, not quoted


def test_the_calendar_event_of_a_session_to_come_carries_the_agenda(
    session, history, member_client
):
    body = member_client.get(url(session, "session.ics")).content.decode()
    unfolded = body.replace("\r\n ", "")
    assert "Agenda (90 minutes)" in unfolded
    assert "Carried forward: Write the handover checklist" in unfolded
    assert ActionItem.objects.filter(done_on__isnull=True).exists()
