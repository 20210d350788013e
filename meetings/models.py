"""Quarterly partnership sessions, their logs, blackout dates, calendar feeds and reminders.

A session belongs to one partnership and one fiscal quarter (stored as the quarter's first
day); the database allows one session per partnership per quarter. Every row carries the
organization it belongs to.

Optimistic locking: a session and each log item carry a ``version``. A form sends back the
version it was rendered with; a save whose version is no longer current is refused
(`meetings.services.StaleEdit`) and the newer data stays.
"""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from meetings.quarters import Quarter
from org.models import Member, Organization, OrgMembership
from partnerships.models import Objective, Partnership

MIN_DURATION = 15
MAX_DURATION = 480


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"
    MISSED = "missed", "Missed"


class SessionQuerySet(models.QuerySet):
    def for_org(self, organization: Organization) -> SessionQuerySet:
        return self.filter(organization=organization)

    def in_quarter(self, quarter: Quarter) -> SessionQuerySet:
        return self.filter(quarter_start=quarter.start)

    def involving(self, member: Member) -> SessionQuerySet:
        """Sessions the member facilitates or attends."""
        attends = Session.attendees.through.objects.filter(
            session_id=OuterRef("pk"), member_id=member.pk
        )
        return self.filter(Q(facilitator=member) | Exists(attends))

    def of_partnerships_with(self, member: Member) -> SessionQuerySet:
        """Sessions of partnerships the member belongs to (or attends anyway)."""
        return self.filter(
            Q(partnership__in=Partnership.objects.with_member(member))
            | Q(pk__in=Session.objects.involving(member).values("pk"))
        )

    def visible_to(self, membership: OrgMembership) -> SessionQuerySet:
        """Leaders and admins see every session; others the sessions of their partnerships."""
        sessions = self.for_org(membership.organization)
        if membership.sees_whole_organization:
            return sessions
        if membership.member_id is None:
            return sessions.none()
        return sessions.of_partnerships_with(membership.member)


class Session(models.Model):
    """The informal quarterly session of one partnership."""

    Status = SessionStatus

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="sessions")
    quarter_start = models.DateField(help_text="First day of the fiscal quarter.")
    facilitator = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="facilitated_sessions"
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        default=90, help_text=f"Between {MIN_DURATION} and {MAX_DURATION} minutes."
    )
    place = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    attendees = models.ManyToManyField(Member, related_name="sessions_attended", blank=True)
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    moved_by_hand = models.BooleanField(
        default=False, help_text="Someone set the time by hand; the planner leaves it alone."
    )
    held_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["organization", "quarter_start", "starts_at"]),
            models.Index(fields=["organization", "starts_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "quarter_start"],
                name="session_one_per_partnership_per_quarter",
                violation_error_message="This partnership already has a session this quarter.",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_DURATION, duration_minutes__lte=MAX_DURATION),
                name="session_duration_15_to_480",
                violation_error_message=f"A session lasts between {MIN_DURATION} and "
                f"{MAX_DURATION} minutes.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values), name="session_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} · {self.quarter.label}"

    @property
    def quarter(self) -> Quarter:
        return Quarter.containing(self.quarter_start, self.organization.fiscal_year_start_month)

    def clean(self) -> None:
        """The start must fall in the session's own quarter (in the organization's time zone),
        and the facilitator must belong to the same organization."""
        if (
            self.facilitator_id
            and self.organization_id
            and self.facilitator.organization_id != self.organization_id
        ):
            raise ValidationError({"facilitator": "That person is in another organization."})
        if self.starts_at and self.quarter_start and self.organization_id:
            organization = self.organization
            held_in = Quarter.at(
                self.starts_at, organization.tz, organization.fiscal_year_start_month
            )
            if held_in.start != self.quarter_start:
                raise ValidationError(
                    {
                        "starts_at": f"This start lies in {held_in.label}, not in the session's quarter."
                    }
                )

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    def local_start(self) -> datetime.datetime:
        return self.starts_at.astimezone(self.organization.tz)

    def local_end(self) -> datetime.datetime:
        return self.ends_at.astimezone(self.organization.tz)

    @property
    def is_planned(self) -> bool:
        return self.status == SessionStatus.PLANNED

    @property
    def is_held(self) -> bool:
        return self.status == SessionStatus.HELD

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        """Planned, and its end has passed without anyone marking it held."""
        return self.is_planned and self.ends_at <= (now or timezone.now())


class BlackoutDate(models.Model):
    """A day the organization holds no sessions (holidays, closing days, all-hands)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "date"],
                name="blackout_one_per_day",
                violation_error_message="That day is already a blackout date.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}".strip()


class LogItem(models.Model):
    """What every entry of a session's log has: its organization, version and timestamps."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]


class SessionSuccess(LogItem):
    """A success shared at the session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="successes")
    text = models.TextField()
    shared_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(LogItem.Meta):
        verbose_name = "success"

    def __str__(self) -> str:
        return self.text[:60]


class ProgressCall(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


PROGRESS_RANK = {ProgressCall.OFF_TRACK: 0, ProgressCall.AT_RISK: 1, ProgressCall.ON_TRACK: 2}


class ObjectiveProgress(LogItem):
    """An objective discussed at the session, with the group's call on its progress."""

    Call = ProgressCall

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="progress_calls")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    call = models.CharField(max_length=10, choices=ProgressCall.choices)
    note = models.TextField(blank=True)

    class Meta(LogItem.Meta):
        verbose_name = "objective progress"
        verbose_name_plural = "objective progress"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "objective"],
                name="progress_one_call_per_objective",
                violation_error_message="This objective already has a progress call in this "
                "session; edit that one.",
            ),
            models.CheckConstraint(
                condition=Q(call__in=ProgressCall.values), name="progress_call_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective}: {self.get_call_display()}"


class FeedbackItem(LogItem):
    """Feedback the session received: from whom, and what."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback_items")
    from_member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()

    class Meta(LogItem.Meta):
        verbose_name = "feedback item"

    def __str__(self) -> str:
        return self.text[:60]


class ActionItemQuerySet(models.QuerySet):
    def open(self) -> ActionItemQuerySet:
        return self.filter(done_on__isnull=True)


class ActionItem(LogItem):
    """Something someone will do before the next session; open until marked done."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="action_items")
    text = models.TextField()
    owner = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="action_items")
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta(LogItem.Meta):
        verbose_name = "action item"
        indexes = [models.Index(fields=["organization", "done_on"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def is_overdue(self, today: datetime.date) -> bool:
        return not self.is_done and self.due_on is not None and self.due_on < today


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private iCalendar feed: whoever holds the token can read their sessions."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        OrgMembership, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar of {self.membership}"


class ReminderKind(models.TextChoices):
    UPCOMING = "upcoming", "Session in the next 7 days"
    UNSCHEDULED = "unscheduled", "No session this quarter"


class SentReminder(models.Model):
    """A reminder mailed to a facilitator, so a second run on the same day sends nothing."""

    Kind = ReminderKind

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    recipient = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.CASCADE)
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE)
    quarter_start = models.DateField()
    sent_on = models.DateField(help_text="The organization's date when it was sent.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "partnership", "quarter_start", "sent_on"],
                name="reminder_once_per_day",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} on {self.sent_on}"
