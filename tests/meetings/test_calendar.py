"""Calendars: a private feed per person with a resettable token, and an .ics per session."""

from __future__ import annotations

import datetime
import zoneinfo

import icalendar
from django.test import Client

from meetings.models import CalendarFeed, Session
from tests.factories import SessionFactory

UTC = datetime.UTC
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def events(body: bytes) -> list:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def feed_url(client) -> str:
    page = client.get("/meetings/calendar/").content.decode()
    start = page.index("http://testserver/meetings/calendar/")
    return page[start : page.index('"', start)].removeprefix("http://testserver")


def test_the_session_ics_parses_into_one_event_in_the_organizations_time_zone(
    session, org, manager_client
):
    org.time_zone = "America/New_York"
    org.save()
    response = manager_client.get(f"/meetings/sessions/{session.pk}/session.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="session-{session.pk}.ics"' in response["Content-Disposition"]
    (event,) = events(response.content)
    assert event.start == session.starts_at
    assert event.start.tzinfo.key == "America/New_York"
    assert event.end - event.start == datetime.timedelta(minutes=90)
    assert "Quality first" in str(event["summary"])
    assert f"/meetings/sessions/{session.pk}/" in str(event["url"])
    assert b"BEGIN:VTIMEZONE" in response.content
    assert b"DTSTART;TZID=America/New_York:20260220T040000" in response.content


def test_events_keep_local_time_across_the_daylight_saving_change(
    org, triad, leader_membership, leader_client, frozen_now
):
    org.time_zone = "America/New_York"
    org.save()
    before = SessionFactory(
        partnership=triad,
        facilitator=leader_membership.member,
        starts_at=datetime.datetime(2026, 3, 6, 14, tzinfo=UTC),  # 09:00 EST
        attendees=[leader_membership.member],
    )
    after = SessionFactory(
        partnership=triad,
        facilitator=leader_membership.member,
        starts_at=datetime.datetime(2026, 4, 6, 13, tzinfo=UTC),  # 09:00 EDT, next quarter
        attendees=[leader_membership.member],
    )
    body = leader_client.get(feed_url(leader_client)).content
    starts = {str(e["uid"]): e.start for e in events(body)}
    by_session = {
        s.pk: starts[next(uid for uid in starts if uid.startswith(f"session-{s.pk}-"))]
        for s in (before, after)
    }
    assert by_session[before.pk].astimezone(NEW_YORK).hour == 9
    assert by_session[after.pk].astimezone(NEW_YORK).hour == 9
    assert by_session[before.pk].utcoffset() == datetime.timedelta(hours=-5)
    assert by_session[after.pk].utcoffset() == datetime.timedelta(hours=-4)
    assert by_session[before.pk] == before.starts_at
    assert by_session[after.pk] == after.starts_at


def test_the_feed_lists_the_persons_sessions_and_nobody_elses(
    session, org, triad, manager_client, manager_membership, frozen_now
):
    SessionFactory(partnership__organization=org, starts_at=session.starts_at)  # not theirs
    url = feed_url(manager_client)
    feed = CalendarFeed.objects.get()
    assert feed.membership == manager_membership
    assert url == f"/meetings/calendar/{feed.token}.ics"
    response = manager_client.get(url)
    assert response.status_code == 200
    (event,) = events(response.content)
    assert event.start == session.starts_at
    assert str(event["status"]) == "CONFIRMED"


def test_the_feed_needs_no_login_but_the_right_token(session, manager_client, client):
    url = feed_url(manager_client)
    assert client.get(url).status_code == 200
    assert client.get("/meetings/calendar/not-a-real-token.ics").status_code == 404


def test_resetting_the_token_stops_the_old_url(session, manager_client, client):
    old = feed_url(manager_client)
    response = manager_client.post("/meetings/calendar/reset/")
    assert response.status_code == 302
    new = feed_url(manager_client)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_cancelled_session_stays_in_the_feed_as_cancelled(session, manager_client):
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    (event,) = events(manager_client.get(feed_url(manager_client)).content)
    assert str(event["status"]) == "CANCELLED"


def test_each_persons_feed_is_their_own(session, manager_client, member_client):
    assert feed_url(manager_client) != feed_url(member_client)
    assert CalendarFeed.objects.count() == 2


def test_a_login_without_a_person_has_no_feed(admin_client):
    page = admin_client.get("/meetings/calendar/").content.decode()
    assert "not linked to a person" in page
    assert admin_client.post("/meetings/calendar/reset/").status_code == 403
    assert not CalendarFeed.objects.exists()


# --- the feed ends with the access behind it -------------------------------------------------


def assert_feed_ended(client, url: str, session: Session) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert b"VEVENT" not in response.content
    assert session.partnership.name.encode() not in response.content
    assert session.facilitator.name.encode() not in response.content


def test_the_feed_ends_when_the_login_is_made_inactive(
    session, manager_membership, manager_client, client
):
    url = feed_url(manager_client)
    assert client.get(url).status_code == 200
    user = manager_membership.user
    user.is_active = False
    user.save()
    assert_feed_ended(client, url, session)


def test_the_feed_ends_when_the_person_is_archived(
    session, org, manager_membership, manager_client, admin_client, client
):
    url = feed_url(manager_client)
    person = manager_membership.member
    response = admin_client.post(
        f"/org/members/{person.pk}/archive/", {"on": org.today().isoformat()}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.active_until == org.today()
    assert_feed_ended(client, url, session)


def test_an_archive_date_still_to_come_keeps_the_feed_until_that_day(
    session, org, manager_membership, manager_client, admin_client, client
):
    url = feed_url(manager_client)
    later = org.today() + datetime.timedelta(days=10)
    admin_client.post(
        f"/org/members/{manager_membership.member.pk}/archive/", {"on": later.isoformat()}
    )
    assert client.get(url).status_code == 200


def test_the_feed_ends_when_the_login_leaves_the_organization(
    session, manager_membership, manager_client, client
):
    url = feed_url(manager_client)
    manager_membership.delete()
    assert not CalendarFeed.objects.exists()
    assert_feed_ended(client, url, session)


def test_the_feed_ends_when_the_login_is_unlinked_from_the_person(
    session, manager_membership, manager_client, client
):
    url = feed_url(manager_client)
    manager_membership.member = None
    manager_membership.save()
    assert_feed_ended(client, url, session)


def test_logging_out_on_every_device_ends_the_feed_and_the_page_gives_a_new_one(
    session, manager_membership, manager_client, client
):
    old = feed_url(manager_client)
    response = manager_client.post(
        "/account/logout-everywhere/", {"password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert_feed_ended(client, old, session)

    again = Client()
    manager_membership.user.refresh_from_db()  # the new hash of the password
    again.force_login(manager_membership.user)
    new = feed_url(again)
    assert new != old
    assert client.get(new).status_code == 200
    assert_feed_ended(client, old, session)


def test_a_wrong_password_keeps_the_feed(session, manager_client, client):
    url = feed_url(manager_client)
    response = manager_client.post("/account/logout-everywhere/", {"password": "not it"})
    assert response.status_code == 400
    assert client.get(url).status_code == 200
