"""Planning a quarter in the app: preview writes nothing, confirm writes in one go, re-plans
keep held and hand-moved sessions, blackout dates, roles."""

from __future__ import annotations

import datetime
import re

import pytest

from meetings import services
from meetings.models import BlackoutDate, Session
from meetings.planner import WorkingTime
from meetings.quarters import Quarter
from org.models import Quadrant
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory, SessionFactory

UTC = datetime.UTC
Q1 = Quarter(2026, 1)
# The planner preview (test_the_preview_costs_the_same_queries_for_few_and_many_partnerships):
# the members of the partnerships read once per version of the organization's structure.
PREVIEW = 10
PREVIEW_CACHED = PREVIEW - 2
PLAN = "quarter=2026Q1&days=0&days=1&days=2&days=3&days=4&day_starts=09:00&day_ends=17:00&duration_minutes=90"


@pytest.fixture
def twelve(org, leader_membership, frozen_now):
    """The leader in twelve partnerships, each with a manager and an employee of its own."""
    lee = leader_membership.member
    partnerships = []
    for i in range(12):
        p = PartnershipFactory(organization=org, name=f"Partnership {i:02}")
        manager = PersonFactory(organization=org, quadrant=Quadrant.MANAGERS)
        employee = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES)
        RelationshipFactory(partnership=p, from_member=lee, to_member=manager)
        RelationshipFactory(partnership=p, from_member=manager, to_member=employee)
        partnerships.append(p)
    return partnerships


def confirm_data(page: str) -> dict:
    """The hidden fields of the confirmation form, as the browser would send them."""
    form = page[page.index('class="actions confirm-plan"') :]
    data: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data.setdefault(name, []).append(value)
    return data


def test_the_preview_writes_nothing_and_shows_the_weeks(twelve, leader_client):
    response = leader_client.get(f"/meetings/plan/?{PLAN}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "12 sessions to plan" in page
    assert page.count('class="plan-slot"') == 12
    assert "Week 7 (from 9 Feb)" in page
    assert Session.objects.count() == 0


def test_confirming_writes_the_previewed_plan(twelve, leader_client, leader_membership):
    page = leader_client.get(f"/meetings/plan/?{PLAN}").content.decode()
    response = leader_client.post("/meetings/plan/", confirm_data(page))
    assert response.status_code == 302
    assert response["Location"] == "/meetings/?quarter=2026Q1&scope=all"
    sessions = list(Session.objects.select_related("organization").prefetch_related("attendees"))
    assert len(sessions) == 12
    lee = leader_membership.member
    assert all(s.facilitator == lee for s in sessions)
    assert all(s.quarter_start == Q1.start for s in sessions)
    assert all(len(s.attendees.all()) == 3 for s in sessions)
    # now is Monday 16 February: everything lands in the rest of the quarter
    assert all(s.starts_at >= datetime.datetime(2026, 2, 16, 10, tzinfo=UTC) for s in sessions)
    assert len({s.starts_at.isocalendar().week for s in sessions}) >= 6


def test_a_plan_that_changed_since_the_preview_is_not_written(twelve, org, leader_client):
    page = leader_client.get(f"/meetings/plan/?{PLAN}").content.decode()
    PartnershipFactory(organization=org, name="Late arrival")
    extra = PartnershipFactory(organization=org, name="Late arrival 2")
    RelationshipFactory(partnership=extra)
    response = leader_client.post("/meetings/plan/", confirm_data(page))
    assert response.status_code == 409
    assert "changed since this plan was previewed" in response.content.decode()
    assert Session.objects.count() == 0


def test_a_replan_keeps_held_and_hand_moved_sessions_and_moves_the_rest(
    twelve, org, leader_membership
):
    lee = leader_membership.member
    held = SessionFactory(
        partnership=twelve[0],
        facilitator=lee,
        starts_at=datetime.datetime(2026, 2, 17, 9, tzinfo=UTC),
        status=Session.Status.HELD,
    )
    by_hand = SessionFactory(
        partnership=twelve[1],
        facilitator=lee,
        starts_at=datetime.datetime(2026, 3, 4, 14, tzinfo=UTC),
        moved_by_hand=True,
    )
    planned = SessionFactory(
        partnership=twelve[2],
        facilitator=lee,
        starts_at=datetime.datetime(2026, 3, 4, 14, 30, tzinfo=UTC),
    )
    request = services.PlanRequest(quarter=Q1)
    preview = services.session_plan_preview(organization=org, request=request)
    assert {b.session_id for b in preview.plan.kept} == {held.pk, by_hand.pk}
    assert set(preview.replanned) == {twelve[2].pk}
    services.session_plan_apply(organization=org, request=request, fingerprint=preview.fingerprint)
    held.refresh_from_db()
    by_hand.refresh_from_db()
    planned.refresh_from_db()
    assert held.starts_at == datetime.datetime(2026, 2, 17, 9, tzinfo=UTC) and held.version == 1
    assert by_hand.starts_at == datetime.datetime(2026, 3, 4, 14, tzinfo=UTC)
    assert planned.version == 2
    assert Session.objects.filter(partnership__in=twelve).count() == 12
    # nobody sits in two sessions at once, the kept ones included
    sessions = list(Session.objects.prefetch_related("attendees"))
    for a in sessions:
        for b in sessions:
            if a.pk < b.pk and {m.pk for m in a.attendees.all()} & {
                m.pk for m in b.attendees.all()
            }:
                assert a.ends_at <= b.starts_at or b.ends_at <= a.starts_at


def test_blackout_dates_are_skipped(twelve, org, leader_client):
    days = [datetime.date(2026, 2, 16) + datetime.timedelta(days=i) for i in range(21)]
    BlackoutDate.objects.bulk_create(BlackoutDate(organization=org, date=d) for d in days)
    preview = services.session_plan_preview(
        organization=org, request=services.PlanRequest(quarter=Q1)
    )
    assert len(preview.plan.placed) == 12
    assert not {p.start.date() for p in preview.plan.placed} & set(days)


def test_the_planner_explains_what_it_cannot_place(twelve, org, leader_client):
    orphan = PartnershipFactory(organization=org, name="Employees only")
    RelationshipFactory(
        partnership=orphan,
        from_member=PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES),
        to_member=PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES),
    )
    page = leader_client.get(f"/meetings/plan/?{PLAN}").content.decode()
    assert "Could not be placed" in page
    assert "Employees only" in page
    assert "No leader or manager belongs to this partnership" in page


def test_the_planner_works_in_the_organizations_time_zone(twelve, org):
    org.time_zone = "America/New_York"
    org.save()
    preview = services.session_plan_preview(
        organization=org,
        request=services.PlanRequest(
            quarter=Q1,
            working=WorkingTime(start=datetime.time(9), end=datetime.time(12)),
        ),
    )
    for placed in preview.plan.placed:
        local = placed.start.astimezone(org.tz)
        assert datetime.time(9) <= local.time() and placed.end.astimezone(org.tz).time() <= (
            datetime.time(12)
        )
    # sessions on both sides of the 8 March change keep their local hours
    offsets = {p.start.astimezone(org.tz).utcoffset() for p in preview.plan.placed}
    assert offsets == {datetime.timedelta(hours=-5), datetime.timedelta(hours=-4)}


def test_invalid_planner_settings_are_explained(twelve, leader_client):
    bad = PLAN.replace("day_ends=17:00", "day_ends=08:00")
    response = leader_client.get(f"/meetings/plan/?{bad}")
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    too_long = PLAN.replace("duration_minutes=90", "duration_minutes=600")
    assert leader_client.get(f"/meetings/plan/?{too_long}").status_code == 400


def test_only_leaders_and_admins_plan(twelve, role_clients):
    for role, client in role_clients.items():
        response = client.get(f"/meetings/plan/?{PLAN}")
        expected = 200 if role in ("admin", "leader") else 403
        if role == "outsider":
            expected = 200  # an admin of their own organization, planning their own quarter
        assert response.status_code == expected, role
    outsider_page = role_clients["outsider"].get(f"/meetings/plan/?{PLAN}").content.decode()
    assert "Partnership 00" not in outsider_page
    assert role_clients["manager"].post("/meetings/plan/", {}).status_code == 403


def test_blackout_dates_are_added_and_removed_by_planners(
    org, other_org, leader_client, manager_client
):
    response = leader_client.post(
        "/meetings/blackouts/", {"date": "2026-04-03", "reason": "Good Friday"}
    )
    assert response.status_code == 302
    blackout = BlackoutDate.objects.get()
    assert (blackout.organization, blackout.reason) == (org, "Good Friday")
    again = leader_client.post("/meetings/blackouts/", {"date": "2026-04-03"}, follow=True)
    assert "already a blackout date" in again.content.decode()
    assert manager_client.post("/meetings/blackouts/", {"date": "2026-04-06"}).status_code == 403
    foreign = BlackoutDate.objects.create(organization=other_org, date=datetime.date(2026, 4, 6))
    assert leader_client.post(f"/meetings/blackouts/{foreign.pk}/delete/").status_code == 404
    assert leader_client.post(f"/meetings/blackouts/{blackout.pk}/delete/").status_code == 302
    assert list(BlackoutDate.objects.all()) == [foreign]


def test_a_manager_schedules_a_partnership_by_hand(triad, manager_client, frozen_now):
    response = manager_client.post(
        f"/meetings/partnerships/{triad.pk}/schedule/?quarter=2026Q1",
        {
            "date": "2026-03-10",
            "time": "10:00",
            "duration_minutes": 60,
            "place": "Room 2",
            "facilitator": triad.relationships.first().to_member_id,
        },
    )
    session = Session.objects.get()
    assert response["Location"] == f"/meetings/sessions/{session.pk}/"
    assert session.moved_by_hand and session.duration_minutes == 60
    assert session.attendees.count() == 3
    again = manager_client.post(
        f"/meetings/partnerships/{triad.pk}/schedule/?quarter=2026Q1",
        {
            "date": "2026-03-11",
            "time": "10:00",
            "duration_minutes": 60,
            "facilitator": session.facilitator_id,
        },
    )
    assert again.status_code == 400
    assert "already has a session this quarter" in again.content.decode()
    assert Session.objects.count() == 1


def test_a_session_without_a_facilitator_says_whom_to_choose(triad, manager_client, frozen_now):
    response = manager_client.post(
        f"/meetings/partnerships/{triad.pk}/schedule/?quarter=2026Q1",
        {"date": "2026-03-10", "time": "10:00", "duration_minutes": 60, "facilitator": ""},
    )

    assert "Choose a person to facilitate the session." in response.content.decode()
    assert not Session.objects.exists()


def test_invalid_settings_come_back_in_place_for_htmx(twelve, leader_client):
    bad = PLAN.replace("day_ends=17:00", "day_ends=08:00")
    response = leader_client.get(f"/meetings/plan/?{bad}", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "Working day ends: The working day must end after it starts." in body


def test_the_preview_costs_the_same_queries_for_few_and_many_partnerships(
    org, leader_membership, twelve, leader_client, django_assert_num_queries
):
    # session, user, roles; the partnerships to meet, the quarter's sessions (their
    # attendees too once there are some), the structure's data version, the partnerships'
    # members as ids and the organization's leaders and managers (who may facilitate; both
    # kept in the cache under that version), the blackout dates the plan avoids and those
    # the page lists.
    with django_assert_num_queries(PREVIEW):
        small = leader_client.get(f"/meetings/plan/?{PLAN}").content.decode()
    lee = leader_membership.member
    for i in range(30):
        p = PartnershipFactory(organization=org, name=f"More {i:02}")
        for _ in range(3):
            RelationshipFactory(
                partnership=p,
                from_member=lee,
                to_member=PersonFactory(organization=org, quadrant=Quadrant.MANAGERS),
            )
    with django_assert_num_queries(PREVIEW):  # new members: a new version
        large = leader_client.get(f"/meetings/plan/?{PLAN}").content.decode()
    with django_assert_num_queries(PREVIEW_CACHED):
        again = leader_client.get(f"/meetings/plan/?{PLAN}").content.decode()
    assert "42 sessions to plan" in again
    assert "12 sessions to plan" in small
    assert "42 sessions to plan" in large


def test_a_preview_that_cannot_place_everyone_reads_who_blocks_in_one_query_more(
    org, leader_membership, twelve, leader_client, django_assert_num_queries
):
    """Monday mornings 9:00-10:30 only, six Mondays left in the quarter (the clock stands in
    its middle) for the leader's fifteen partnerships: nine fit nowhere. The names of the
    members who block them are read once, in one query more, only because some do."""
    lee = leader_membership.member
    for i in range(3):
        RelationshipFactory(
            partnership=PartnershipFactory(organization=org, name=f"Extra {i}"),
            from_member=lee,
            to_member=PersonFactory(organization=org, quadrant=Quadrant.MANAGERS),
        )
    mondays = "quarter=2026Q1&days=0&day_starts=09:00&day_ends=10:30&duration_minutes=90"
    leader_client.get(f"/meetings/plan/?{mondays}")  # the members kept under the version
    with django_assert_num_queries(PREVIEW_CACHED + 1):
        page = leader_client.get(f"/meetings/plan/?{mondays}").content.decode()
    assert "6 sessions to plan" in page
    assert page.count('class="plan-slot"') == 6
    assert page.count(f"clashes with another session of {lee.name}.") == 9
