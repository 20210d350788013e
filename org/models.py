"""Organizations (tenants), their members (people and teams), quadrants and login roles."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from partnerships import rules


class Quadrant(models.TextChoices):
    """The four parts of the box, in the order L < M < T < E that relationships follow."""

    LEADERSHIP = rules.LEADERSHIP, rules.QUADRANT_NAMES[rules.LEADERSHIP]
    MANAGERS = rules.MANAGERS, rules.QUADRANT_NAMES[rules.MANAGERS]
    TEAMS = rules.TEAMS, rules.QUADRANT_NAMES[rules.TEAMS]
    EMPLOYEES = rules.EMPLOYEES, rules.QUADRANT_NAMES[rules.EMPLOYEES]

    @property
    def rank(self) -> int:
        return QUADRANT_ORDER.index(self.value)


QUADRANT_ORDER = list(rules.QUADRANTS)
PERSON_QUADRANTS = [Quadrant(q) for q in rules.PERSON_QUADRANTS]


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "%(value)s is not a known time zone (use a name such as Europe/Berlin).",
            code="unknown_time_zone",
            params={"value": value},
        ) from None


# Answers people give about each other (the pulse, session ratings) show only for groups of at
# least k distinct raters: k is the organization's `pulse_min_raters`, 5 unless an admin sets
# it, and never below 3 (README, "The pulse: anonymous answers and buy-in").
PULSE_MIN_RATERS_DEFAULT = 5
PULSE_MIN_RATERS_FLOOR = 3


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Month (1-12) in which the fiscal year starts; quarters follow it.",
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    leadership_titles = models.TextField(
        blank=True,
        default="",
        db_default="",  # rows written by code that predates the field (older migrations' states)
        help_text="Words in job titles that the HR import reads as leadership, one per line "
        "(empty: chief, president, vice president, VP, director, head of, ...).",
    )
    admins_use_two_factor = models.BooleanField(
        "Admins must use two-factor",
        default=False,
        db_default=False,
        help_text="An admin without an authenticator app is sent to set one up before anything "
        "else.",
    )
    pulse_min_raters = models.PositiveSmallIntegerField(
        "Fewest raters shown",
        default=PULSE_MIN_RATERS_DEFAULT,
        db_default=PULSE_MIN_RATERS_DEFAULT,
        validators=[MinValueValidator(PULSE_MIN_RATERS_FLOOR), MaxValueValidator(50)],
        help_text="Pulse and session ratings show a group's average only when at least this "
        f"many different people answered (never fewer than {PULSE_MIN_RATERS_FLOOR}).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="org_fiscal_month_1_12",
            ),
            models.CheckConstraint(
                condition=Q(pulse_min_raters__gte=PULSE_MIN_RATERS_FLOOR),
                name="org_pulse_min_raters_at_least_3",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def lock(cls, pk: int) -> Organization:
        """The organization's row, locked until the transaction ends: serializes the checks
        that span the whole organization (a row lock on PostgreSQL; SQLite serializes
        writers anyway)."""
        return cls.objects.select_for_update().get(pk=pk)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self) -> datetime.date:
        """Today's date in the organization's own time zone."""
        return timezone.now().astimezone(self.tz).date()


class MemberQuerySet(models.QuerySet):
    def for_org(self, organization: Organization) -> MemberQuerySet:
        return self.filter(organization=organization)

    def active_on(self, day: datetime.date) -> MemberQuerySet:
        return self.filter(
            Q(active_from__lte=day), Q(active_until__isnull=True) | Q(active_until__gt=day)
        )

    def in_quadrant_order(self) -> MemberQuerySet:
        """Leadership, managers, teams, employees; by name inside each."""
        rank = models.Case(
            *[models.When(quadrant=q, then=models.Value(i)) for i, q in enumerate(QUADRANT_ORDER)],
            output_field=models.IntegerField(),
        )
        return self.alias(quadrant_rank=rank).order_by("quadrant_rank", "name", "id")

    def search(self, text: str) -> MemberQuerySet:
        """Name, title or email contains the text, or the person sits on a team whose name does."""
        text = text.strip()
        if not text:
            return self
        # The people on matching teams, found once (not a subquery run for every member row).
        on_matching_team = TeamMembership.objects.filter(team__name__icontains=text).values(
            "person_id"
        )
        return self.filter(
            Q(name__icontains=text)
            | Q(title__icontains=text)
            | Q(email__icontains=text)
            | Q(pk__in=on_matching_team)
        )

    def with_people_count(self) -> MemberQuerySet:
        """Annotate people_count: how many people sit on each team (0 for a person)."""
        seats = (
            TeamMembership.objects.filter(team=models.OuterRef("pk"))
            .order_by()
            .values("team")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            people_count=models.functions.Coalesce(models.Subquery(seats), models.Value(0))
        )

    def count_by_quadrant(self) -> dict[str, int]:
        """{"L": n, "M": n, "T": n, "E": n} for this queryset, in one aggregate query."""
        return self.order_by().aggregate(
            **{q: models.Count("pk", filter=Q(quadrant=q)) for q in QUADRANT_ORDER}
        )


class Member(models.Model):
    """A node of the partnership map: a person (L, M or E) or a team (T).

    active_until is exclusive: a member archived on day D is no longer active on D.
    """

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        TEAM = "team", "Team"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.PERSON)
    quadrant = models.CharField(max_length=1, choices=Quadrant.choices)
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    external_id = models.CharField(
        max_length=100, blank=True, help_text="The id this person or team has in your HR system."
    )
    active_from = models.DateField(default=datetime.date.today)
    active_until = models.DateField(null=True, blank=True)
    people = models.ManyToManyField(
        "self",
        through="TeamMembership",
        through_fields=("team", "person"),
        symmetrical=False,
        related_name="teams",
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["organization", "quadrant", "name"]),
            models.Index(fields=["organization", "name"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quadrant__in=QUADRANT_ORDER), name="member_quadrant_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind="team", quadrant="T")
                | Q(kind="person", quadrant__in=["L", "M", "E"]),
                name="member_kind_matches_quadrant",
                violation_error_message="Teams sit in the Teams quadrant; people in Leadership, "
                "Managers or Employees.",
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_until__gt=models.F("active_from")),
                name="member_active_until_after_from",
                violation_error_message="The end date must be after the start date.",
            ),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="member_external_id_unique_per_org",
                violation_error_message="Another member of this organization already has this "
                "external id.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_team(self) -> bool:
        return self.kind == self.Kind.TEAM

    @property
    def quadrant_rank(self) -> int:
        return QUADRANT_ORDER.index(self.quadrant)

    def is_active_on(self, day: datetime.date) -> bool:
        return self.active_from <= day and (self.active_until is None or day < self.active_until)

    @property
    def is_archived(self) -> bool:
        return self.active_until is not None and self.active_until <= timezone.localdate()


class TeamMembership(models.Model):
    """A person sitting on a team; a person can sit on several teams."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    team = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="team_seats")
    person = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="person_seats")
    added_at = models.DateTimeField(auto_now_add=True)

    # A seat goes with a member removed as a mistake (partnerships/corrections.py).
    kept_as_history = False
    nouns = ("team seat", "team seats")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="team_person_unique"),
            models.CheckConstraint(
                condition=~Q(team=models.F("person")), name="team_membership_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.team}"


class QuadrantMove(models.Model):
    """History of a member moving from one quadrant to another, for the 'what changed' view."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="quadrant_moves")
    from_quadrant = models.CharField(max_length=1, choices=Quadrant.choices)
    to_quadrant = models.CharField(max_length=1, choices=Quadrant.choices)
    moved_on = models.DateField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The member's own history: it goes with a member removed as a mistake.
    kept_as_history = False

    class Meta:
        ordering = ["-moved_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_quadrant=models.F("to_quadrant")), name="quadrant_move_changes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.from_quadrant}→{self.to_quadrant} on {self.moved_on}"


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LEADER = "leader", "Leader"
    MANAGER = "manager", "Manager"
    MEMBER = "member", "Member"


class OrgMembership(models.Model):
    """A login user's role in one organization, optionally linked to the Member they are."""

    nouns = ("login", "logins")  # in words, when a removal lists what names a member

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="logins"
    )
    logouts_everywhere = models.PositiveIntegerField(
        default=0,
        help_text="How many times the user logged out on every device; what was issued to this "
        "login before the last time (a calendar feed's address) no longer works.",
    )
    disabled_at = models.DateTimeField(
        "access turned off",
        null=True,
        blank=True,
        help_text="When an admin turned this login's access to the organization off; empty "
        "while it is on. The person's other organizations are not affected.",
    )

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_role_per_org"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="org_membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} in {self.organization}"

    def clean(self) -> None:
        if self.member_id and self.member.organization_id != self.organization_id:
            raise ValidationError({"member": "That member belongs to another organization."})

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def can_edit_structure(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def sees_whole_organization(self) -> bool:
        """Admins and leaders see everything in the organization."""
        return self.role in (Role.ADMIN, Role.LEADER)

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None


# --- invitations -------------------------------------------------------------------------------


class InvitationQuerySet(models.QuerySet):
    def for_org(self, organization: Organization) -> InvitationQuerySet:
        return self.filter(organization=organization)

    def open(self) -> InvitationQuerySet:
        """Neither accepted nor revoked (an expired one is still open: it can be resent)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An admin's offer of a login to a person of the organization, sent by email.

    The link carries a random key; only its SHA-256 is kept (org/invitations.py), so the table
    cannot be read back into working links. A person has at most one open invitation; resending
    gives it a new key (the old link dies) and a new expiry.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("email address")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    key_hash = models.CharField(max_length=64)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField("sent", default=timezone.now)
    expires_at = models.DateTimeField("valid until")
    accepted_at = models.DateTimeField("accepted", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField("revoked", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["key_hash"], name="invitation_key_hash")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key_hash"], name="invitation_key_unique_per_org"
            ),
            models.UniqueConstraint(
                fields=["organization", "member"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_member",
                violation_error_message="This person already has an open invitation.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="invitation_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.member} as {self.get_role_display()}"

    def clean(self) -> None:
        if self.member_id and self.member.organization_id != self.organization_id:
            raise ValidationError({"member": "That member belongs to another organization."})

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


# --- the audit trail ---------------------------------------------------------------------------


def person_name(user_field: str, organization_field: str = "organization") -> Subquery:
    """For an annotation: the name of the person that the login in `user_field` is, in the
    row's organization (None when that login is no person of it). Pages name people, never
    their usernames."""
    return Subquery(
        OrgMembership.objects.filter(
            user=OuterRef(user_field),
            organization=OuterRef(organization_field),
            member__isnull=False,
        ).values("member__name")[:1]
    )


class AuditEntryQuerySet(models.QuerySet):
    def for_org(self, organization: Organization) -> AuditEntryQuerySet:
        return self.filter(organization=organization)

    def newest_first(self) -> AuditEntryQuerySet:
        return self.order_by("-at", "-id")


class AuditEntry(models.Model):
    """One change to the organization's data: who, when, what, and each field before and after.

    Written by the services in the same transaction as the change (org/audit.py); never
    edited or deleted by the app. `changes` is {field: [before, after]} with JSON values
    (dates in ISO form, a related object as {"id": ..., "repr": ...}). The actor's username is
    kept in actor_label, so the entry still says who it was after their login is deleted; an
    entry without an actor was written by a command or an import run from the shell.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20)
    object_type = models.CharField(max_length=30)
    object_id = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "audit entries"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organization", "at"], name="audit_org_at"),
            models.Index(fields=["organization", "actor", "at"], name="audit_org_actor_at"),
            models.Index(
                fields=["organization", "object_type", "object_id"], name="audit_org_object"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label or 'system'} {self.action} {self.object_type} {self.object_repr}"


# --- login protection --------------------------------------------------------------------------


class LoginAttempt(models.Model):
    """A login attempt that did not succeed: for which username, from which address, when.

    org/throttle.py counts these per username and per address to refuse logins after too
    many failures. They live in the database so that every web process, on every host, counts
    the same attempts. Not tenant data: nobody has an organization before logging in.
    """

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="login_attempt_username_at"),
            models.Index(fields=["address", "at"], name="login_attempt_address_at"),
            models.Index(fields=["at"], name="login_attempt_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M}"


# --- single sign-on ----------------------------------------------------------------------------


class SingleSignOn(models.Model):
    """An organization's OpenID Connect identity provider: people whose email is in one of its
    domains sign in there instead of typing a password here (org/single_sign_on.py).

    The client secret is stored as the identity provider issued it: the app must send it back
    to the provider's token endpoint, so it cannot be hashed.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="single_sign_on"
    )
    issuer = models.URLField(
        "Issuer URL",
        max_length=300,
        help_text="The identity provider's issuer; its discovery document is at "
        "<issuer>/.well-known/openid-configuration.",
    )
    client_id = models.CharField("Client ID", max_length=200)
    client_secret = models.CharField("Client secret", max_length=500)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "single sign-on"

    def __str__(self) -> str:
        return f"Single sign-on of {self.organization}"


class SingleSignOnDomain(models.Model):
    """An email domain whose people sign in with the organization's identity provider. A
    domain belongs to one organization at most: the login page finds the organization from it
    before anyone is signed in."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="single_sign_on_domains"
    )
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain=models.functions.Lower("domain")) & ~Q(domain=""),
                name="sso_domain_lowercase",
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class WriteKey(models.Model):
    """A one-time key a form carried, kept once the write it came with was stored.

    A form that adds something renders a fresh random key (`{% once_field %}`); posting it a
    second time (a double click, a retry after the answer was lost) finds the key used and is
    answered as the first post was, without storing anything again (org/once.py).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    purpose = models.CharField(max_length=80, help_text="What the write added, e.g. 'log:success'.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="write_key_used_once"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.key})"
