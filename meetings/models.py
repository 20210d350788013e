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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from meetings.quarters import Quarter
from org.models import Member, Organization, OrgMembership
from partnerships.models import Objective, Partnership, Relationship

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
        """Sessions of partnerships the member belongs to (or attends anyway). The subqueries
        name the member's organization, so that on Citus they stay on its node."""
        organization_id = member.organization_id
        return self.filter(
            Q(partnership_id__in=Relationship.objects.partnership_ids_of(member))
            | Q(
                pk__in=Session.objects.filter(organization_id=organization_id)
                .involving(member)
                .values("pk")
            )
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
        Member, on_delete=models.RESTRICT, related_name="facilitated_sessions"
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

    @property
    def kept_as_history(self) -> bool:
        """A session still planned is not history yet: it may go with a partnership removed
        as a mistake; one held, missed or cancelled is (partnerships/corrections.py)."""
        return not self.is_planned

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


class SuccessQuerySet(models.QuerySet):
    def for_org(self, organization: Organization) -> SuccessQuerySet:
        return self.filter(organization=organization)

    def shared(self) -> SuccessQuerySet:
        return self.filter(shared_with_organization=True)

    def between(self, start: datetime.date, end: datetime.date) -> SuccessQuerySet:
        """Successes dated in [start, end)."""
        return self.filter(happened_on__gte=start, happened_on__lt=end)

    def with_author_name(self) -> SuccessQuerySet:
        """Each success's `author_name`: the name of the person whose login wrote it down in
        the success's organization (blank when that login is no person of it)."""
        person = OrgMembership.objects.filter(
            user=OuterRef("author"), organization=OuterRef("organization"), member__isnull=False
        ).values("member__name")[:1]
        return self.annotate(author_name=Subquery(person))

    def visible_to(self, membership: OrgMembership) -> SuccessQuerySet:
        """Leaders and admins see every success; managers those of their partnerships and the
        ones shared with the organization; members the shared ones and their own."""
        successes = self.for_org(membership.organization)
        if membership.sees_whole_organization:
            return successes
        if membership.is_manager and membership.member_id is not None:
            return successes.filter(
                Q(shared_with_organization=True)
                | Q(partnership_id__in=Relationship.objects.partnership_ids_of(membership.member))
            )
        # and the successes they wrote down themselves (at their sessions: issue 20)
        return successes.filter(Q(shared_with_organization=True) | Q(author_id=membership.user_id))


class SessionSuccess(LogItem):
    """A success: shared at a session, or entered directly (then without a session).

    Either way it belongs to a partnership and an objective (a session's success to the
    session's partnership), has a date and an author (the login who wrote it down; shared_by
    is whose success it is), and can be shared with the whole organization."""

    # In words, when a removal lists what it would take (partnerships/corrections.py).
    nouns = ("success", "successes")

    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="successes"
    )
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="successes")
    objective = models.ForeignKey(Objective, on_delete=models.RESTRICT, related_name="+")
    happened_on = models.DateField()
    text = models.TextField()
    shared_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_with_organization = models.BooleanField(default=False)

    objects = SuccessQuerySet.as_manager()

    class Meta(LogItem.Meta):
        verbose_name = "success"
        indexes = [
            models.Index(fields=["organization", "happened_on"]),
            models.Index(fields=["partnership", "happened_on"]),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @classmethod
    def at_session(cls, session: Session, **fields) -> SessionSuccess:
        """An unsaved success of the session: its partnership, the partnership's objective and
        the session's day (in the organization's time zone) filled in."""
        fields.setdefault("objective_id", session.partnership.objective_id)
        fields.setdefault("happened_on", session.local_start().date())
        return cls(
            organization_id=session.organization_id,
            session=session,
            partnership_id=session.partnership_id,
            **fields,
        )


class ProgressCall(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


PROGRESS_RANK = {ProgressCall.OFF_TRACK: 0, ProgressCall.AT_RISK: 1, ProgressCall.ON_TRACK: 2}


class ObjectiveProgress(LogItem):
    """An objective discussed at the session, with the group's call on its progress."""

    nouns = ("progress call", "progress calls")

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
    # Who wrote it down (an attendee adding their own, or the facilitator), and whether it is
    # for the facilitator only: then nobody else sees it on the session's page.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    for_facilitator_only = models.BooleanField(default=False)

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
    owner = models.ForeignKey(Member, on_delete=models.RESTRICT, related_name="action_items")
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
    """A person's private iCalendar feed: whoever holds the token can read their sessions.

    The token answers only while the access it stands for lasts: the login is active, linked to
    a person of this organization who is not archived, and has not logged out on every device
    since the token was issued. Removing the login removes its feed.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        OrgMembership, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True)
    issued_after_logouts = models.PositiveIntegerField(
        default=0,
        help_text="The login's count of logouts on every device when this token was issued.",
    )

    def __str__(self) -> str:
        return f"Calendar of {self.membership}"

    @property
    def is_outlived(self) -> bool:
        """The login logged out on every device after this token was issued."""
        return self.issued_after_logouts != self.membership.logouts_everywhere

    def answers(self) -> bool:
        """Whether the token still reads the person's sessions (membership, its user and
        member loaded)."""
        membership = self.membership
        member = membership.member
        if member is None or not membership.user.is_active or self.is_outlived:
            return False
        today = self.organization.today()
        archived = member.active_until is not None and member.active_until <= today
        return (
            membership.organization_id == member.organization_id == self.organization_id
            and not archived
        )


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

    # A note that a mail went out, not part of the partnership's story.
    kept_as_history = False

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


# =============================================================================================
# The 13 actions, quarterly checklists, measurements, the partnership pulse (issue 7)
# =============================================================================================
#
# The 13 actions are reference rows (not tenant-owned) that arrive by data migration and are
# never deleted through the app: checklist items point at them with PROTECT. Everything else
# below carries its organization and a quarter, stored as the quarter's first day.


class Principle(models.IntegerChoices):
    """The three principles the 13 actions are grouped under (actions 1-5, 6-10, 11-13)."""

    EXAMPLE = 1, "Set the example"
    TEACH = 2, "Teach others"
    EVALUATE = 3, "Evaluate and adjust"


PRINCIPLE_ACTIONS = {
    Principle.EXAMPLE: (1, 5),
    Principle.TEACH: (6, 10),
    Principle.EVALUATE: (11, 13),
}


def _principle_matches_number() -> Q:
    return (
        Q(principle=Principle.EXAMPLE, number__gte=1, number__lte=5)
        | Q(principle=Principle.TEACH, number__gte=6, number__lte=10)
        | Q(principle=Principle.EVALUATE, number__gte=11, number__lte=13)
    )


class Action(models.Model):
    """One of the 13 actions a leader keeps up every quarter, in our own short words."""

    number = models.PositiveSmallIntegerField(unique=True)
    principle = models.PositiveSmallIntegerField(choices=Principle.choices)
    label = models.CharField(max_length=80)
    explanation = models.CharField(max_length=200)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=_principle_matches_number(),
                name="action_principle_matches_number",
                violation_error_message="Actions 1-5, 6-10 and 11-13 belong to the first, "
                "second and third principle.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"


class ChecklistOptIn(models.Model):
    """A manager who chose to keep the leaders' checklist too (leaders always have one)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        OrgMembership, on_delete=models.CASCADE, related_name="checklist_opt_in"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Checklist opt-in of {self.membership}"


class Checklist(models.Model):
    """One person's checklist of the 13 actions for one fiscal quarter."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        OrgMembership, on_delete=models.CASCADE, related_name="checklists"
    )
    quarter_start = models.DateField(help_text="First day of the fiscal quarter.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-quarter_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "quarter_start"],
                name="checklist_one_per_person_per_quarter",
            ),
        ]

    def __str__(self) -> str:
        return f"Checklist of {self.membership} from {self.quarter_start}"


class ActionState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class ChecklistItem(models.Model):
    """Where one action stands this quarter, with a note of the evidence.

    ``version`` guards the note: a note saved from an older form is refused. Setting the
    state names the state wanted (not "toggle"), so repeating it is harmless."""

    State = ActionState

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=12, choices=ActionState.choices, default=ActionState.NOT_STARTED
    )
    note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["action__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "action"], name="checklist_item_one_per_action"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ActionState.values), name="checklist_item_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.get_state_display()}"


# --- measurements ---------------------------------------------------------------------------

SCORE_MIN, SCORE_MAX = 0, 100
SCORE_SCALE = f"{SCORE_MIN}–{SCORE_MAX}"


class ScoreKind(models.TextChoices):
    CUSTOMER = "customer", "Customer satisfaction"
    EMPLOYEE = "employee", "Employee satisfaction"


class SatisfactionScore(models.Model):
    """The organization's customer or employee satisfaction for a quarter, on a 0-100 scale
    (for instance the share of satisfied answers in the quarter's survey)."""

    Kind = ScoreKind

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ScoreKind.choices)
    quarter_start = models.DateField()
    value = models.DecimalField(max_digits=4, decimal_places=1)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["quarter_start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "quarter_start"],
                name="score_one_per_kind_per_quarter",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=SCORE_MIN, value__lte=SCORE_MAX),
                name="score_value_0_to_100",
                violation_error_message=f"A satisfaction score lies between {SCORE_MIN} and "
                f"{SCORE_MAX}.",
            ),
            models.CheckConstraint(condition=Q(kind__in=ScoreKind.values), name="score_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} from {self.quarter_start}"


class ObjectiveMeasurement(models.Model):
    """An objective's measured value for a quarter, in the objective's own unit (copied here,
    so that an old value keeps the unit it was measured in)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="measurements")
    quarter_start = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["quarter_start", "objective_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "quarter_start"],
                name="measurement_one_per_objective_per_quarter",
            ),
            models.CheckConstraint(condition=~Q(unit=""), name="measurement_has_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.objective}: {self.value} {self.unit}"


PULSE_MIN, PULSE_MAX = 1, 5
# Relational coordination: how the other side communicates, and how we relate.
PULSE_COMMUNICATION = ("frequent", "timely", "accurate", "problem_solving")
PULSE_RELATIONSHIP = ("shared_goals", "shared_knowledge", "mutual_respect")
PULSE_FIELDS = PULSE_COMMUNICATION + PULSE_RELATIONSHIP
PULSE_LABELS = {
    "frequent": "Communicates often enough",
    "timely": "Communicates in time",
    "accurate": "Communicates accurately",
    "problem_solving": "Solves problems with us, not blames",
    "shared_goals": "Shares our goals",
    "shared_knowledge": "Knows what our work involves",
    "mutual_respect": "Respects our work",
}


PULSE_SHORT = {
    "frequent": "Often",
    "timely": "In time",
    "accurate": "Accurate",
    "problem_solving": "Solves problems",
    "shared_goals": "Shared goals",
    "shared_knowledge": "Shared knowledge",
    "mutual_respect": "Respect",
}


def _rating_field(name: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(verbose_name=PULSE_LABELS[name])


class PulseRating(models.Model):
    """One attendee's view, given at a session, of the other side of one of their
    relationships: seven ratings from 1 (never) to 5 (always).

    The quadrants of both sides are copied at rating time, so the quadrant-pair matrix of a
    past quarter stays as it was even when someone later moves quadrant."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="pulse_ratings")
    # Ratings entered per relationship before issue 21 keep it; each person's own pulse rates
    # the other quadrant as a whole (ties between roles, not between named people): no relationship.
    relationship = models.ForeignKey(
        "partnerships.Relationship",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    rater = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    rater_quadrant = models.CharField(max_length=1)
    other_quadrant = models.CharField(max_length=1)
    frequent = _rating_field("frequent")
    timely = _rating_field("timely")
    accurate = _rating_field("accurate")
    problem_solving = _rating_field("problem_solving")
    shared_goals = _rating_field("shared_goals")
    shared_knowledge = _rating_field("shared_knowledge")
    mutual_respect = _rating_field("mutual_respect")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "relationship", "rater"], name="pulse_once_per_rater"
            ),
            models.UniqueConstraint(
                fields=["session", "rater", "other_quadrant"],
                condition=Q(relationship__isnull=True),
                name="pulse_once_per_rater_and_quadrant",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": PULSE_MIN, f"{name}__lte": PULSE_MAX}),
                    name=f"pulse_{name}_1_to_5",
                )
                for name in PULSE_FIELDS
            ],
            models.CheckConstraint(
                condition=Q(rater_quadrant__in=["L", "M", "T", "E"])
                & Q(other_quadrant__in=["L", "M", "T", "E"]),
                name="pulse_quadrants_valid",
            ),
        ]

    def __str__(self) -> str:
        # Names no person: the admin and the audit trail must not tie an answer to its rater.
        return f"Pulse rating ({self.rater_quadrant}→{self.other_quadrant})"

    def ratings(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in PULSE_FIELDS}


class MeasurementChange(models.Model):
    """Who entered or corrected which value, from what to what: one row per changed field.

    Exactly one of score, measurement and pulse is set; ``old_value`` is empty for a first
    entry."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    score = models.ForeignKey(
        SatisfactionScore, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    measurement = models.ForeignKey(
        ObjectiveMeasurement,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="changes",
    )
    pulse = models.ForeignKey(
        PulseRating, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField(max_length=40)
    old_value = models.CharField(max_length=60, blank=True)
    new_value = models.CharField(max_length=60)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=False, measurement__isnull=True, pulse__isnull=True)
                | Q(score__isnull=True, measurement__isnull=False, pulse__isnull=True)
                | Q(score__isnull=True, measurement__isnull=True, pulse__isnull=False),
                name="measurement_change_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value or '—'} → {self.new_value}"


# =============================================================================================
# The session's agenda, and what its attendees add to it (issue 20)
# =============================================================================================


class AgendaPart(models.TextChoices):
    """The timed parts of a session, in their order."""

    SUCCESSES = "successes", "Successes since the last session"
    OBJECTIVES = "objectives", "Objectives"
    FEEDBACK = "feedback", "Feedback"
    CLOSE = "close", "Close"


class SessionAgenda(models.Model):
    """The minutes the facilitator gave each part of the agenda (without a row, the minutes
    follow from the partnership's data: meetings/agenda.py). Kept only while they add up to
    the session's length."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="agenda")
    successes_minutes = models.PositiveSmallIntegerField()
    objectives_minutes = models.PositiveSmallIntegerField()
    feedback_minutes = models.PositiveSmallIntegerField()
    close_minutes = models.PositiveSmallIntegerField()
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Agenda of {self.session_id}"

    def minutes(self) -> dict[str, int]:
        return {part: getattr(self, f"{part}_minutes") for part in AgendaPart.values}


class AgendaItem(LogItem):
    """A point someone put on the session's agenda, under one of its parts."""

    nouns = ("agenda item", "agenda items")

    Part = AgendaPart

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    part = models.CharField(max_length=12, choices=AgendaPart.choices)
    text = models.TextField()
    added_by = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(LogItem.Meta):
        verbose_name = "agenda item"
        constraints = [
            models.CheckConstraint(
                condition=Q(part__in=AgendaPart.values), name="agenda_item_part_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


# --- each person's own pulse and rating of the session (issue 21) ----------------------------

SESSION_RATING_QUESTION = "Was this session worth its time?"
SESSION_RATING_LABELS = {
    1: "1 – not at all",
    2: "2 – hardly",
    3: "3 – somewhat",
    4: "4 – yes",
    5: "5 – very much",
}


class SessionRating(models.Model):
    """An attendee's answer, 1 to 5, to "was this session worth its 90 minutes?". Shown only
    averaged over at least k distinct raters (Organization.pulse_min_raters)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "rater"], name="session_rating_once"),
            models.CheckConstraint(
                condition=Q(value__gte=PULSE_MIN, value__lte=PULSE_MAX),
                name="session_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return "Session rating"  # names no person and no value (see PulseRating.__str__)


class PulseGiven(models.Model):
    """That a person gave their pulse and rating at a session, and how (their login or the
    signed link in the reminder mail): what makes a link single-use, and what buy-in counts.
    It holds no answer."""

    class Via(models.TextChoices):
        LOGIN = "login", "Their login"
        LINK = "link", "The link in the reminder mail"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="pulses_given")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=5, choices=Via.choices)
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="pulse_given_once"),
            models.CheckConstraint(condition=Q(via__in=["login", "link"]), name="pulse_given_via"),
        ]

    def __str__(self) -> str:
        return f"Pulse given at {self.session}"


class PulseLinkSent(models.Model):
    """That the mail with a person's pulse link for a session went out, so it goes once."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    kept_as_history = False  # a note that a mail went out

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="pulse_link_sent_once"),
        ]

    def __str__(self) -> str:
        return f"Pulse link for {self.session}"
