"""The pulse link mailed to attendees without a login, once per session (issue 21).

After a session is held, each attendee who has no login, has an email address and has not
given their pulse gets one mail with their own signed, single-use link
(meetings/progress/links.py). `PulseLinkSent` makes a second run send nothing new. Run daily
with `manage.py send_pulse_links --base-url https://...`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.models import PulseGiven, PulseLinkSent, Session, SessionStatus
from meetings.progress.links import MAX_AGE, pulse_link_path
from org.models import Organization, OrgMembership

RECENT = datetime.timedelta(days=14)  # sessions held (started) in the last two weeks


@dataclass
class LinkRun:
    mails: int = 0
    skipped_no_email: list[str] = field(default_factory=list)


def pulse_links_send(*, now: datetime.datetime | None = None, base_url: str = "") -> LinkRun:
    now = now or timezone.now()
    run = LinkRun()
    for organization in Organization.objects.order_by("pk"):
        _send_for(organization, now, base_url, run)
    return run


def _send_for(organization: Organization, now, base_url: str, run: LinkRun) -> None:
    sessions = (
        Session.objects.for_org(organization)
        .filter(status=SessionStatus.HELD, starts_at__gte=now - RECENT, starts_at__lte=now)
        .select_related("partnership", "organization")
        .prefetch_related("attendees")
        .order_by("starts_at", "pk")
    )
    with_login = set(
        OrgMembership.objects.filter(organization=organization, member__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    done = set(
        PulseGiven.objects.filter(organization=organization).values_list("session_id", "member_id")
    ) | set(
        PulseLinkSent.objects.filter(organization=organization).values_list(
            "session_id", "member_id"
        )
    )
    for session in sessions:
        for person in session.attendees.all():
            if person.pk in with_login or (session.pk, person.pk) in done:
                continue
            if not person.email:
                run.skipped_no_email.append(person.name)
                continue
            try:
                with transaction.atomic():
                    PulseLinkSent.objects.create(
                        organization=organization, session=session, member=person
                    )
                    send_mail(
                        subject=f"Your pulse: {session.partnership.name}, {session.quarter.label}",
                        message=_body(session, person, base_url),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=[person.email],
                    )
            except IntegrityError:  # another run sent it at the same moment
                continue
            run.mails += 1


def _body(session: Session, person, base_url: str) -> str:
    return "\n".join(
        [
            f"Hello {person.name},",
            "",
            f"Was the {session.partnership.name} session worth its time, and how do the other "
            "quadrants of the partnership work with you? It takes two minutes:",
            f"{base_url}{pulse_link_path(session, person)}",
            "",
            "The link is yours alone and works once; please do not forward it. Your answers are "
            "anonymous: they count only in averages of several people.",
            f"It works for {MAX_AGE.days} days.",
        ]
    )
