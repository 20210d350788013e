"""Reminder mails to facilitators: sessions in the next seven days, and partnerships that have
no session this quarter yet. Safe to run from cron as often as you like: each reminder is
recorded (`SentReminder`, unique per kind, person, partnership, quarter and day) before its
mail leaves, in the same transaction, so a second run on the same day sends nothing again.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.agenda import for_text as agenda_for_text
from meetings.models import SentReminder, Session, SessionStatus
from meetings.progress.links import pulse_link_path
from meetings.quarters import Quarter
from meetings.selectors import facilitator_for, members_by_partnership, partnerships_to_meet
from org import dates
from org.models import Member, Organization

UPCOMING_WINDOW = datetime.timedelta(days=7)


@dataclass
class Reminder:
    kind: str
    recipient: Member
    partnership_id: int
    partnership_name: str
    quarter: Quarter
    session: Session | None = None


@dataclass
class ReminderRun:
    mails: int = 0
    reminders: int = 0
    skipped_no_email: list[str] = field(default_factory=list)


def reminders_due(organization: Organization, now: datetime.datetime) -> list[Reminder]:
    """What the organization's facilitators should hear about today (before de-duplication)."""
    tz = organization.tz
    today = now.astimezone(tz).date()
    quarter = Quarter.containing(today, organization.fiscal_year_start_month)
    reminders = []
    upcoming = (
        Session.objects.for_org(organization)
        .filter(
            status=SessionStatus.PLANNED, starts_at__gte=now, starts_at__lt=now + UPCOMING_WINDOW
        )
        .select_related("facilitator", "partnership", "organization")
        .order_by("starts_at")
    )
    for session in upcoming:
        reminders.append(
            Reminder(
                SentReminder.Kind.UPCOMING,
                session.facilitator,
                session.partnership_id,
                session.partnership.name,
                session.quarter,
                session,
            )
        )
    unscheduled = list(
        partnerships_to_meet(organization, quarter, today).exclude(
            sessions__quarter_start=quarter.start
        )
    )
    members = members_by_partnership(organization, [p.pk for p in unscheduled], today, quarter.end)
    for partnership in unscheduled:
        facilitator = facilitator_for(members.get(partnership.pk, []))
        if facilitator is not None:
            reminders.append(
                Reminder(
                    SentReminder.Kind.UNSCHEDULED,
                    facilitator,
                    partnership.pk,
                    partnership.name,
                    quarter,
                )
            )
    return reminders


def session_reminders_send(
    *, now: datetime.datetime | None = None, base_url: str = ""
) -> ReminderRun:
    """Mail every facilitator of every organization one message listing their reminders."""
    now = now or timezone.now()
    run = ReminderRun()
    for organization in Organization.objects.order_by("pk"):
        today = now.astimezone(organization.tz).date()
        by_recipient: dict[int, list[Reminder]] = defaultdict(list)
        for reminder in reminders_due(organization, now):
            by_recipient[reminder.recipient.pk].append(reminder)
        already = set(
            SentReminder.objects.filter(organization=organization, sent_on=today).values_list(
                "kind", "recipient_id", "partnership_id", "quarter_start"
            )
        )
        for reminders in by_recipient.values():
            recipient = reminders[0].recipient
            fresh = [
                r
                for r in reminders
                if (r.kind, recipient.pk, r.partnership_id, r.quarter.start) not in already
            ]
            if not fresh:
                continue
            if not recipient.email:
                run.skipped_no_email.append(recipient.name)
                continue
            if _send(organization, recipient, fresh, today, base_url):
                run.mails += 1
                run.reminders += len(fresh)
    return run


def _send(
    organization: Organization,
    recipient: Member,
    reminders: list[Reminder],
    today: datetime.date,
    base_url: str,
) -> bool:
    """Record the reminders and send the mail, all or nothing. False when another run got
    there first (the unique constraint refuses the second record)."""
    try:
        with transaction.atomic():
            SentReminder.objects.bulk_create(
                SentReminder(
                    organization=organization,
                    kind=r.kind,
                    recipient=recipient,
                    session=r.session,
                    partnership_id=r.partnership_id,
                    quarter_start=r.quarter.start,
                    sent_on=today,
                )
                for r in reminders
            )
            send_mail(
                subject=_subject(reminders),
                message=_body(organization, recipient, reminders, base_url),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient.email],
            )
    except IntegrityError:
        return False
    return True


def _subject(reminders: list[Reminder]) -> str:
    upcoming = sum(1 for r in reminders if r.kind == SentReminder.Kind.UPCOMING)
    unscheduled = len(reminders) - upcoming
    parts = []
    if upcoming:
        parts.append(f"{upcoming} session{'s' if upcoming != 1 else ''} this week")
    if unscheduled:
        parts.append(f"{unscheduled} partnership{'s' if unscheduled != 1 else ''} to schedule")
    return "Partnership sessions: " + ", ".join(parts)


def _body(
    organization: Organization, recipient: Member, reminders: list[Reminder], base_url: str
) -> str:
    tz = organization.tz
    lines = [f"Hello {recipient.name},", ""]
    upcoming = [r for r in reminders if r.kind == SentReminder.Kind.UPCOMING]
    unscheduled = [r for r in reminders if r.kind == SentReminder.Kind.UNSCHEDULED]
    if upcoming:
        lines.append("You facilitate these sessions in the next seven days:")
        for r in upcoming:
            start = r.session.starts_at.astimezone(tz)
            where = r.session.place or r.session.video_link or "place not set"
            lines.append(
                f"- {r.partnership_name}: {dates.moment(start, weekday=True)} ({tz.key}), "
                f"{r.session.duration_minutes} minutes, {where}"
            )
            if base_url:
                lines.append(f"  {base_url}/meetings/sessions/{r.session.pk}/")
                # issue 21: the person's own signed, single-use link to give their pulse
                lines.append(
                    f"  Your pulse, after it: {base_url}{pulse_link_path(r.session, recipient)}"
                )
            agenda = agenda_for_text(r.session).as_text()
            lines += ["", *(f"  {line}" for line in agenda.splitlines()), ""]
            if base_url:
                lines.append("  Change the minutes or add to the agenda on the session's page.")
        lines.append("")
    if unscheduled:
        quarter = unscheduled[0].quarter
        lines.append(f"These partnerships have no session planned in {quarter.label} yet:")
        lines += [f"- {r.partnership_name}" for r in unscheduled]
        if base_url:
            lines.append(f"Plan them: {base_url}/meetings/")
        lines.append("")
    lines.append("One informal 90-minute session a quarter with each partnership: share ")
    lines.append("successes, discuss objectives, and gather feedback.")
    return "\n".join(lines)
