"""Two organizations furnished with one object of every kind a URL can name.

Organization A is the personas' own (tests/conftest.py). Organization B is a stranger whose
every name and text carries MARKER, so that a response leaking any of B's data is caught by
searching its body for that one string.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from meetings import services
from meetings.models import (
    ActionItem,
    AgendaItem,
    BlackoutDate,
    FeedbackItem,
    ObjectiveProgress,
    Session,
    SessionSuccess,
)
from meetings.progress import services as progress_services
from org.invitations import invitation_create
from org.models import (
    AuditEntry,
    Invitation,
    Member,
    Organization,
    OrgMembership,
    Quadrant,
    QuadrantMove,
    Role,
    TeamMembership,
)
from partnerships import services as partnership_services
from partnerships.models import Objective, Partnership, Relationship
from scenarios.facts import live_facts
from scenarios.models import Scenario, ScenarioStep
from tests.factories import (
    ObjectiveFactory,
    OrganizationFactory,
    OrgMembershipFactory,
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    SessionFactory,
    TeamFactory,
    TeamMembershipFactory,
)

MARKER = "ZEBRA-B-SECRET"

TENANT_MODELS = [
    AuditEntry,
    Member,
    TeamMembership,
    OrgMembership,
    Invitation,
    Objective,
    Partnership,
    Relationship,
    Session,
    BlackoutDate,
    SessionSuccess,
    ObjectiveProgress,
    FeedbackItem,
    ActionItem,
    QuadrantMove,
    Scenario,
    ScenarioStep,
]


def snapshot(organization: Organization) -> dict:
    """Every row the organization owns, as plain values (to show nothing changed)."""
    rows = {
        model.__name__: list(
            model.objects.filter(organization=organization).order_by("pk").values()
        )
        for model in TENANT_MODELS
    }
    rows["Organization"] = list(Organization.objects.filter(pk=organization.pk).values())
    rows["Session.attendees"] = list(
        Session.attendees.through.objects.filter(session__organization=organization)
        .order_by("pk")
        .values()
    )
    return rows


@dataclass
class World:
    """One organization's objects, by the names the route registry uses."""

    organization: Organization
    leader: Member
    manager: Member
    employee: Member
    team: Member
    objective: Objective
    partnership: Partnership
    relationship: Relationship
    session: Session
    blackout: BlackoutDate
    success: SessionSuccess
    progress: ObjectiveProgress
    feedback: FeedbackItem
    action: ActionItem
    agenda_item: AgendaItem  # added by the employee's login (a member), to the agenda
    invitee: Member  # a person without a login, invited
    invitation: Invitation
    login: OrgMembership  # the employee's login
    move: QuadrantMove  # the employee's, from Managers
    removed_relationship: AuditEntry  # the removal of a manager → employee line, to undo
    removed_objective: AuditEntry  # the removal of an objective created by mistake, to undo
    removed_log_item: AuditEntry  # the deletion of a feedback item, to undo
    scenario: Scenario  # a draft that ends the leader → manager relationship
    scenario_step: ScenarioStep

    def log_item(self, kind: str):
        return {
            "successes": self.success,
            "progress": self.progress,
            "feedback": self.feedback,
            "actions": self.action,
        }[kind]


def furnish(
    organization: Organization, *, leader: Member, manager: Member, employee: Member, label: str
) -> World:
    """Give the organization a team, an objective, a partnership joining the three people
    (leader → manager → employee, and leader → employee), a session with every kind of log
    entry, and a blackout date. Every text carries `label`."""
    team = TeamFactory(organization=organization, name=f"{label} team")
    TeamMembershipFactory(team=team, person=employee)
    objective = ObjectiveFactory(
        organization=organization, title=f"{label} objective", description=f"{label} why"
    )
    partnership = PartnershipFactory(
        organization=organization,
        objective=objective,
        name=f"{label} partnership",
        purpose=f"{label} purpose",
        formed_on=datetime.date(2020, 1, 1),
    )
    relationship = RelationshipFactory(
        partnership=partnership, from_member=leader, to_member=manager, carries=f"{label} carries"
    )
    RelationshipFactory(partnership=partnership, from_member=manager, to_member=employee)
    RelationshipFactory(partnership=partnership, from_member=leader, to_member=employee)
    invitee = PersonFactory(
        organization=organization,
        quadrant=Quadrant.MANAGERS,
        name=f"{label} invitee",
        email=f"invitee@{organization.slug}.example",
    )
    invitation, _ = invitation_create(member=invitee, role=Role.MANAGER)
    today = organization.today()
    quarter_first = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    session = SessionFactory(
        partnership=partnership,
        facilitator=leader,
        starts_at=datetime.datetime.combine(
            quarter_first + datetime.timedelta(days=20), datetime.time(10), tzinfo=datetime.UTC
        ),
        place=f"{label} room",
        attendees=[leader, manager, employee],
    )
    mistaken = RelationshipFactory(
        partnership=partnership,
        from_member=manager,
        to_member=employee,
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2022, 1, 1),
    )
    removed_relationship = partnership_services.relationship_remove(relationship=mistaken)
    removed_objective = partnership_services.objective_remove(
        objective=ObjectiveFactory(organization=organization, title=f"{label} mistaken objective")
    )
    removed_log_item = services.log_item_remove(
        item=services.feedback_add(
            session=session, text=f"{label} mistaken feedback", from_member=employee
        )
    )
    login = OrgMembership.objects.get(organization=organization, member=employee)
    agenda_item = services.agenda_item_add(
        session=session,
        part="objectives",
        text=f"{label} agenda item",
        added_by=employee,
        by=login.user,
    )
    move = QuadrantMove.objects.create(
        organization=organization,
        member=employee,
        from_quadrant=Quadrant.MANAGERS,
        to_quadrant=Quadrant.EMPLOYEES,
        moved_on=datetime.date(2020, 6, 1),
    )
    scenario = Scenario.objects.create(
        organization=organization, name=f"{label} scenario", effective_on=today
    )
    scenario_step = ScenarioStep(
        organization=organization,
        scenario=scenario,
        position=1,
        kind=ScenarioStep.Kind.END_RELATIONSHIP,
        relationship=relationship,
        label=f"End {label} leader → manager",
    )
    scenario_step.recorded = live_facts(scenario_step, today)
    scenario_step.save()
    return World(
        organization=organization,
        leader=leader,
        manager=manager,
        employee=employee,
        team=team,
        objective=objective,
        partnership=partnership,
        relationship=relationship,
        session=session,
        blackout=BlackoutDate.objects.create(
            organization=organization, date=today + datetime.timedelta(days=3), reason=label
        ),
        # Shared with the whole organization, so that every role of it can see it.
        success=progress_services.success_set_shared(
            success=services.success_add(
                session=session, text=f"{label} success", shared_by=leader
            ),
            shared=True,
        ),
        progress=services.progress_add(
            session=session, objective=objective, call="at_risk", note=f"{label} note"
        ),
        feedback=services.feedback_add(
            session=session, text=f"{label} feedback", from_member=employee
        ),
        action=services.action_item_add(
            session=session, text=f"{label} action", owner=manager, due_on=None
        ),
        agenda_item=agenda_item,
        invitee=invitee,
        invitation=invitation,
        login=login,
        move=move,
        removed_relationship=removed_relationship,
        removed_objective=removed_objective,
        removed_log_item=removed_log_item,
        scenario=scenario,
        scenario_step=scenario_step,
    )


def stranger_world() -> World:
    """Organization B: everything named with MARKER, and an admin of its own."""
    organization = OrganizationFactory(name=f"{MARKER} Corp", slug="zebra-b")

    def person(quadrant: str, role: str) -> Member:
        return PersonFactory(
            organization=organization,
            quadrant=quadrant,
            name=f"{MARKER} {role}",
            title=f"{MARKER} title",
            email=f"{role}@zebra-b.example",
        )

    leader = person(Quadrant.LEADERSHIP, "leader")
    OrgMembershipFactory(
        organization=organization, role=Role.ADMIN, user__username=f"{MARKER}-admin", member=leader
    )
    employee = person(Quadrant.EMPLOYEES, "employee")
    OrgMembershipFactory(
        organization=organization,
        role=Role.MEMBER,
        user__username=f"{MARKER}-member",
        member=employee,
    )
    world = furnish(
        organization,
        leader=leader,
        manager=person(Quadrant.MANAGERS, "manager"),
        employee=employee,
        label=MARKER,
    )
    AuditEntry.objects.create(
        organization=organization,
        actor_label=f"{MARKER}-admin",
        action="update",
        object_type="member",
        object_id=leader.pk,
        object_repr=leader.name,
        changes={"title": [f"{MARKER} before", f"{MARKER} after"]},
    )
    return world
