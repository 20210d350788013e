"""Drafts of a restructure: a scenario and its ordered steps.

A step names the live rows it changes and keeps, in `recorded`, what those rows looked like
when it was drafted (scenarios/facts.py): applying compares them with the live data again and
refuses, step by step, when something changed underneath. Nothing here writes live tables;
scenarios/apply.py replays the steps through the services when a scenario is applied.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from org.models import Member, Organization, Quadrant
from partnerships.models import Partnership, Relationship


class ScenarioQuerySet(models.QuerySet):
    def for_org(self, organization: Organization) -> ScenarioQuerySet:
        return self.filter(organization=organization)


class Scenario(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPLIED = "applied", "Applied"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    effective_on = models.DateField(
        "effective date", help_text="The day the changes take effect when the scenario is applied."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "status"], name="scenario_org_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "applied"]), name="scenario_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class StepKind(models.TextChoices):
    MOVE = "move", "Move a person to another quadrant"
    ARCHIVE = "archive", "Archive a person"
    ADD_RELATIONSHIP = "add_relationship", "Add a relationship"
    END_RELATIONSHIP = "end_relationship", "End a relationship"
    SEAT = "seat", "Seat a person on a team"
    UNSEAT = "unseat", "Take a person off a team"
    MERGE_TEAMS = "merge_teams", "Merge a team into another"


class ScenarioStep(models.Model):
    """One change of a scenario. Which fields it uses depends on its kind:

    move: member, to_quadrant · archive: member · add_relationship: partnership, member (from),
    other (to), carries · end_relationship: relationship · seat / unseat: member (the team),
    other (the person) · merge_teams: member (the team merged, archived), other (the team
    it is merged into).
    """

    Kind = StepKind

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=StepKind.choices)
    # A draft never stands in the way of the live data: removing a member, a partnership or
    # a relationship "that never happened" is not refused because a draft names it (no
    # database constraint, nothing done on delete). The step keeps the id; its recorded facts
    # then say the row was removed, and applying the scenario is refused, naming the step.
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    other = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    relationship = models.ForeignKey(
        Relationship,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    to_quadrant = models.CharField(max_length=1, choices=Quadrant.choices, blank=True)
    carries = models.CharField(max_length=200, blank=True)
    # What the step read said in words when drafted ("Move Ana Ortiz to Managers").
    label = models.CharField(max_length=400)
    # The live facts the step relies on, as drafted (scenarios/facts.py).
    recorded = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scenario", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "position"], name="scenario_step_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=StepKind.values), name="scenario_step_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.label
