"""iCalendar (RFC 5545) files for sessions, built with the icalendar package.

Events carry the organization's time zone (DTSTART;TZID=... with a VTIMEZONE block), so a
09:00 session stays at 09:00 local time on both sides of a daylight-saving change.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

import icalendar
from django.utils import timezone

from meetings.agenda import for_text as agenda_for_text
from meetings.models import Session, SessionStatus

PRODID = "-//Partnership Map//Quarterly sessions//EN"
_STATUS = {
    SessionStatus.PLANNED: "CONFIRMED",
    SessionStatus.HELD: "CONFIRMED",
    SessionStatus.CANCELLED: "CANCELLED",
    SessionStatus.MISSED: "CANCELLED",
}


def session_uid(session: Session) -> str:
    return f"session-{session.pk}-org-{session.organization_id}@partnership-map"


def session_event(session: Session, *, url: str, stamp: datetime.datetime) -> icalendar.Event:
    tz = session.organization.tz
    event = icalendar.Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp.astimezone(datetime.UTC))
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", f"{session.partnership.name}: quarterly partnership session")
    event.add("sequence", session.version)
    event.add("status", _STATUS[session.status])
    if session.place:
        event.add("location", session.place)
    elif session.video_link:
        event.add("location", session.video_link)
    event.add("url", url)
    lines = [
        f"{session.quarter.label} session of {session.partnership.name}.",
        f"Facilitator: {session.facilitator.name}.",
        "Share successes, discuss objectives, gather feedback, and check what was gained "
        "since the last session.",
    ]
    if session.video_link:
        lines.append(f"Video: {session.video_link}")
    if session.is_planned and session.ends_at > stamp:
        # still to come: its agenda, as it stands (meetings/agenda.py)
        lines += ["", agenda_for_text(session).as_text(), ""]
    lines.append(url)
    event.add("description", "\n".join(lines))
    return event


def calendar_bytes(
    sessions: Iterable[Session],
    *,
    name: str,
    url_for: Callable[[Session], str],
    stamp: datetime.datetime | None = None,
) -> bytes:
    """A VCALENDAR with one VEVENT per session, plus the VTIMEZONE blocks they need."""
    stamp = stamp or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    days = []
    for session in sessions:
        calendar.add_component(session_event(session, url=url_for(session), stamp=stamp))
        days.append(session.starts_at.date())
    if days:
        calendar.add_missing_timezones(
            first_date=min(days) - datetime.timedelta(days=366),
            last_date=max(days) + datetime.timedelta(days=366),
        )
    return calendar.to_ical()
