"""Objectives, the partnerships that serve them, and the typed relationships they are made of.

A relationship's type follows from the quadrants of its two members (see
`relationship_type_for`); the database refuses any row whose (from, to, type) triple breaks
that rule. Dates are half-open: a relationship that ends on D is no longer active on D.
"""

from __future__ import annotations

import datetime
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from org.models import Member, Organization, OrgMembership, Quadrant
from partnerships import rules
from partnerships.rules import RELATIONSHIP_RULE
from partnerships.rules import type_for_quadrants as relationship_type_for


class RelationshipType(models.TextChoices):
    DIRECT = rules.DIRECT, rules.TYPE_NAMES[rules.DIRECT]
    INFLUENTIAL = rules.INFLUENTIAL, rules.TYPE_NAMES[rules.INFLUENTIAL]
    GUIDANCE = rules.GUIDANCE, rules.TYPE_NAMES[rules.GUIDANCE]


VERBS = rules.TYPE_VERBS


def type_problem(from_member: Member, to_member: Member) -> str:
    """Why two members cannot be joined that way ("" when they can)."""
    if from_member.pk == to_member.pk:
        return f"{from_member.name} cannot have a relationship with themselves."
    if relationship_type_for(from_member.quadrant, to_member.quadrant) is not None:
        return ""
    reverse = relationship_type_for(to_member.quadrant, from_member.quadrant)
    hint = (
        f" The other way round, {to_member.name} → {from_member.name}, it would be "
        f"{RelationshipType(reverse).label.lower()}."
        if reverse
        else ""
    )
    return (
        f"{from_member.name} ({from_member.get_quadrant_display()}) cannot reach "
        f"{to_member.name} ({to_member.get_quadrant_display()}): relationships run from "
        f"Leadership towards Employees, never back up or left.{hint}"
    )


def _rule_condition() -> Q:
    return reduce(
        or_,
        (
            Q(from_quadrant=from_q, to_quadrant=to_q, type=type_)
            for (from_q, to_q), type_ in RELATIONSHIP_RULE.items()
        ),
    )


class Emphasis(models.TextChoices):
    QUALITY = "quality", "Quality"
    COST_REDUCTION = "cost_reduction", "Cost reduction"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    GROWTH = "growth", "Growth"
    OPERATING_PHILOSOPHY = "operating_philosophy", "Operating philosophy"


class ObjectiveStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class Objective(models.Model):
    """A business objective that partnerships form around."""

    Emphasis = Emphasis
    Status = ObjectiveStatus

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    emphasis = models.CharField(max_length=24, choices=Emphasis.choices)
    owner = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_objectives",
        help_text="Who answers for this objective.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text="Leave empty for an objective without an end date."
    )
    status = models.CharField(
        max_length=10, choices=ObjectiveStatus.choices, default=ObjectiveStatus.ACTIVE
    )
    target_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="A measurable target."
    )
    target_unit = models.CharField(
        max_length=40, blank=True, help_text="What the target counts, e.g. % on-time or € saved."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="objective_ends_after_start",
                violation_error_message="The objective must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ObjectiveStatus.values), name="objective_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(emphasis__in=Emphasis.values),
                name="objective_emphasis_valid",
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True) | ~Q(target_unit=""),
                name="objective_target_has_unit",
                violation_error_message="Say what the target counts (its unit).",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PartnershipQuerySet(models.QuerySet):
    def for_org(self, organization: Organization) -> PartnershipQuerySet:
        return self.filter(organization=organization)

    def active_on(self, day: datetime.date) -> PartnershipQuerySet:
        return self.filter(
            Q(formed_on__lte=day), Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
        )

    def dissolved_by(self, day: datetime.date) -> PartnershipQuerySet:
        return self.filter(dissolved_on__lte=day)

    def with_member(self, member: Member) -> PartnershipQuerySet:
        """Partnerships where the member is an end of one of the relationships, at any time."""
        return self.filter(
            Exists(Relationship.objects.filter(partnership=OuterRef("pk")).involving(member))
        )

    def with_member_on(self, member: Member, day: datetime.date) -> PartnershipQuerySet:
        """Partnerships the member belongs to on the day: an end of a relationship active then."""
        relationships = Relationship.objects.filter(partnership=OuterRef("pk")).active_on(day)
        return self.filter(Exists(relationships.involving(member)))

    def visible_to(self, membership: OrgMembership) -> PartnershipQuerySet:
        """Admins and leaders see every partnership; others those they (have) belonged to:
        who left keeps reading what they took part in."""
        partnerships = self.for_org(membership.organization)
        if membership.sees_whole_organization:
            return partnerships
        if membership.member_id is None:
            return partnerships.none()
        return partnerships.with_member(membership.member)

    def writable_by(self, membership: OrgMembership) -> PartnershipQuerySet:
        """The partnerships whose sessions the person may schedule and log: admins and leaders
        every one; managers those they belong to on the organization's today (not those they
        left); members none. partnerships/access.py states the whole rule."""
        partnerships = self.for_org(membership.organization)
        if membership.sees_whole_organization:
            return partnerships
        if not membership.is_manager or membership.member_id is None:
            return partnerships.none()
        return partnerships.with_member_on(membership.member, membership.organization.today())


class Partnership(models.Model):
    """A set of relationships with a common purpose: one business objective.

    dissolved_on is exclusive: a partnership dissolved on D is no longer active on D.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="partnerships"
    )
    objective = models.ForeignKey(Objective, on_delete=models.RESTRICT, related_name="partnerships")
    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True)
    formed_on = models.DateField()
    dissolved_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "formed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=models.F("formed_on")),
                name="partnership_dissolved_after_formed",
                violation_error_message="A partnership is dissolved after it is formed.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, day: datetime.date) -> bool:
        return self.formed_on <= day and (self.dissolved_on is None or day < self.dissolved_on)

    def is_dissolved_by(self, day: datetime.date) -> bool:
        return self.dissolved_on is not None and self.dissolved_on <= day

    @property
    def is_chain_of_command(self) -> bool:
        """Whether this partnership holds the organization's reporting lines."""
        return self.name == rules.CHAIN_OF_COMMAND


class RelationshipQuerySet(models.QuerySet):
    def for_org(self, organization: Organization) -> RelationshipQuerySet:
        return self.filter(organization=organization)

    def active_on(self, day: datetime.date) -> RelationshipQuerySet:
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gt=day))

    def not_ended_by(self, day: datetime.date) -> RelationshipQuerySet:
        """Active on the day or starting later: everything still in force from that day on."""
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))

    def overlapping(
        self, starts_on: datetime.date, ends_on: datetime.date | None
    ) -> RelationshipQuerySet:
        """Active on at least one day of [starts_on, ends_on)."""
        relationships = self.not_ended_by(starts_on)
        if ends_on is not None:
            relationships = relationships.filter(starts_on__lt=ends_on)
        return relationships

    def involving(self, member: Member) -> RelationshipQuerySet:
        return self.filter(Q(from_member=member) | Q(to_member=member))

    def partnership_ids_of(self, member: Member) -> RelationshipQuerySet:
        """The partnerships where the member is an end of a relationship, at any time, as a
        subquery of their ids. ``partnership_id IN`` it costs PostgreSQL two index scans of
        the member's relationships; `PartnershipQuerySet.with_member` (``EXISTS`` for each
        partnership) became a join over every relationship of the organization, about 1 ms in
        each query that asks who may see a session (issue 20)."""
        return (
            self.filter(organization_id=member.organization_id)
            .involving(member)
            .values("partnership_id")
        )

    def direct(self) -> RelationshipQuerySet:
        return self.filter(type=RelationshipType.DIRECT)

    def with_members(self) -> RelationshipQuerySet:
        return self.select_related("from_member", "to_member")


class Relationship(models.Model):
    """One member reaching another inside a partnership; the type follows from the quadrants.

    from_quadrant and to_quadrant copy the members' quadrants so that the database itself can
    refuse a type that does not match them; services keep them equal to the members' own.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="relationships"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="relationships"
    )
    from_member = models.ForeignKey(
        Member, on_delete=models.RESTRICT, related_name="relationships_out"
    )
    to_member = models.ForeignKey(
        Member, on_delete=models.RESTRICT, related_name="relationships_in"
    )
    from_quadrant = models.CharField(max_length=1, choices=Quadrant.choices)
    to_quadrant = models.CharField(max_length=1, choices=Quadrant.choices)
    type = models.CharField(max_length=12, choices=RelationshipType.choices)
    carries = models.CharField(
        max_length=200,
        blank=True,
        help_text="What this relationship carries: a short message or emphasis.",
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RelationshipQuerySet.as_manager()

    # Removed with its partnership, a relationship is not logged history by itself; what was
    # logged about it (pulse ratings) is (partnerships/corrections.py).
    kept_as_history = False

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [
            models.Index(fields=["organization", "type", "starts_on"]),
            models.Index(fields=["partnership", "starts_on"]),
            # a member's place reads the lines into the quadrants above the member
            models.Index(fields=["organization", "to_quadrant"], name="relationship_into_quadrant"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=_rule_condition(),
                name="relationship_type_follows_quadrants",
                violation_error_message="The relationship's type does not follow from the "
                "quadrants of its two members.",
            ),
            models.CheckConstraint(
                condition=~Q(from_member=models.F("to_member")),
                name="relationship_not_self",
                violation_error_message="A member cannot have a relationship with themselves.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="relationship_ends_after_start",
                violation_error_message="A relationship ends after it starts.",
            ),
            models.UniqueConstraint(
                fields=["partnership", "from_member", "to_member"],
                condition=Q(ends_on__isnull=True),
                name="relationship_one_open_per_pair",
                violation_error_message="These two members already have an open relationship "
                "in this partnership.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_member} → {self.to_member} ({self.type})"

    @property
    def kind_phrase(self) -> str:
        """What kind of relationship this is, in words: 'an influential relationship'."""
        label = self.get_type_display().lower()
        return f"{rules.article(label)} {label} relationship"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)

    @property
    def verb(self) -> str:
        return VERBS[self.type]


class DataChange(models.Model):
    """One write to an organization's data, in a domain: its structure (members, team seats,
    partnerships, relationships) or its progress (sessions, checklists, measurements...).

    Written by database triggers only (partnerships/versions.py creates them), so bulk
    UPDATEs, the import and the admin site are all seen. The newest row of an organization
    in a domain is that domain's data version: what cached pages are keyed by.
    A plain number, not a foreign key: rows are written while an organization's members are
    being deleted with it, and its own delete trigger removes them last.
    """

    organization_pk = models.BigIntegerField()
    # PostgreSQL: the writing transaction's id, which orders the versions (SQLite: 0).
    writer = models.BigIntegerField(default=0)
    # SQLite reuses the ids of rolled-back rows; a random token keeps each version new.
    token = models.CharField(max_length=16, default="", blank=True)
    domain = models.CharField(max_length=16, default="structure")

    class Meta:
        indexes = [
            models.Index(
                fields=["organization_pk", "domain", "-writer", "-id"],
                name="datachange_newest_first",
            )
        ]

    def __str__(self) -> str:
        return f"change {self.pk} of organization {self.organization_pk}"


class AcceptedRiskQuerySet(models.QuerySet):
    def for_org(self, organization: Organization) -> AcceptedRiskQuerySet:
        return self.filter(organization=organization)

    def in_force_on(self, day: datetime.date) -> AcceptedRiskQuerySet:
        """Acceptances whose review date has not come yet: their risks stay out of sight."""
        return self.filter(accepted_on__lte=day, review_on__gt=day)


class AcceptedRisk(models.Model):
    """A leader's decision to live with one kind of risk until a review date, and why.

    `key` names the risk's group on the health page (partnerships/health/remedies.py
    group_key: "one_channel:E:direct"). From review_on the risk shows again. Rows are history:
    a later acceptance of the same key adds a row."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="accepted_risks"
    )
    key = models.CharField(max_length=100)
    label = models.CharField(max_length=300, help_text="The risk as the page said it.")
    reason = models.TextField()
    accepted_on = models.DateField()
    review_on = models.DateField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AcceptedRiskQuerySet.as_manager()

    class Meta:
        ordering = ["review_on", "id"]
        indexes = [models.Index(fields=["organization", "review_on"], name="accepted_risk_review")]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_on__gt=models.F("accepted_on")),
                name="accepted_risk_review_after_acceptance",
                violation_error_message="A risk is reviewed after the day it is accepted.",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class HealthSnapshot(models.Model):
    """The health analysis of an organization (or one of its objectives) on a day, computed
    ahead by `manage.py refresh_health` so that no page waits for it.

    One row per organization and objective (none: the whole organization), replaced at each
    refresh. `data_version` is the organization's structure version it was computed under
    (partnerships/versions.py): when it still is the current one, the snapshot is exact;
    otherwise the health page shows it with its age and says changes since are not included.
    `report` and `brokers` are the pickled HealthReport and BrokerReport of
    partnerships/health/analysis.py, written only by this application (as Django's own cache
    backends pickle what they keep)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="health_snapshots"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    data_version = models.CharField(max_length=100)
    computed_at = models.DateTimeField()
    seconds = models.FloatField(help_text="How long the analysis took.")
    report = models.BinaryField()
    brokers = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(objective__isnull=True),
                name="health_snapshot_one_per_organization",
            ),
            models.UniqueConstraint(
                fields=["organization", "objective"],
                condition=Q(objective__isnull=False),
                name="health_snapshot_one_per_objective",
            ),
        ]

    def __str__(self) -> str:
        return f"Health of {self.organization_id}/{self.objective_id or 'all'} on {self.day}"
