"""Who may change what, inside one organization (partnerships/access.py, README "Who may do
what"): every write a role may not make, with the organization's own objects and data that
would otherwise be accepted, is refused and leaves every table as it was.

The cases: a manager against relationships between two others, in the chain of command and
elsewhere, and against the chain of command even where they are an end; a leader against the
chain of command; a manager who left a partnership against its relationships and sessions; a
member everywhere. Each refused request has a control beside it: the same request by a role
that may make it changes the database, so a refusal means something.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from meetings import services
from org.models import Quadrant
from partnerships.rules import CHAIN_OF_COMMAND
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory, SessionFactory
from tests.trust.world import World, snapshot


@dataclass
class Structure:
    """World A, plus a chain of command and a partnership the manager has left."""

    world: World
    boss: object  # a second leader, above the leader persona in the chain of command
    emma: object  # an employee the manager has nothing to do with
    chain: object
    chain_above: object  # boss → leader: between two others for the manager
    chain_manager: object  # leader → manager: the manager is an end
    left: object  # a partnership the manager belonged to until yesterday
    left_others: object  # leader → employee there, still open
    left_session: object
    left_feedback: object
    left_action: object
    left_success: object

    @property
    def today(self) -> datetime.date:
        return self.world.organization.today()


@pytest.fixture
def structure(world_a) -> Structure:
    org = world_a.organization
    formed = datetime.date(2020, 1, 1)
    today = org.today()
    boss = PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP, name="Bea Boss")
    emma = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name="Emma Else")
    chain = PartnershipFactory(
        organization=org, objective=world_a.objective, name=CHAIN_OF_COMMAND, formed_on=formed
    )
    chain_above = RelationshipFactory(partnership=chain, from_member=boss, to_member=world_a.leader)
    chain_manager = RelationshipFactory(
        partnership=chain, from_member=world_a.leader, to_member=world_a.manager
    )
    left = PartnershipFactory(
        organization=org, objective=world_a.objective, name="Left behind", formed_on=formed
    )
    RelationshipFactory(
        partnership=left,
        from_member=world_a.manager,
        to_member=world_a.employee,
        ends_on=today - datetime.timedelta(days=1),
    )
    left_others = RelationshipFactory(
        partnership=left, from_member=world_a.leader, to_member=world_a.employee
    )
    session = SessionFactory(
        partnership=left,
        facilitator=world_a.leader,
        starts_at=world_a.session.starts_at,
        attendees=[world_a.leader, world_a.manager, world_a.employee],
    )
    return Structure(
        world=world_a,
        boss=boss,
        emma=emma,
        chain=chain,
        chain_above=chain_above,
        chain_manager=chain_manager,
        left=left,
        left_others=left_others,
        left_session=session,
        left_feedback=services.feedback_add(
            session=session, text="left feedback", from_member=None
        ),
        left_action=services.action_item_add(
            session=session, text="left action", owner=world_a.employee, due_on=None
        ),
        left_success=services.success_add(session=session, text="left success", shared_by=None),
    )


def add(partnership, from_member, to_member):
    return lambda s: (
        f"/partnerships/{partnership(s).pk}/relationships/",
        {
            "from_member": from_member(s).pk,
            "to_member": to_member(s).pk,
            "starts_on": s.today.isoformat(),
            "carries": "rewritten",
        },
    )


def end(partnership, relationship):
    return lambda s: (
        f"/partnerships/{partnership(s).pk}/relationships/{relationship(s).pk}/end/",
        {"on": s.today.isoformat()},
    )


def dissolve(partnership):
    return lambda s: (f"/partnerships/{partnership(s).pk}/dissolve/", {"on": s.today.isoformat()})


def cancel(session):
    return lambda s: (
        f"/meetings/sessions/{session(s).pk}/status/",
        {"status-status": "cancelled", "status-version": session(s).version},
    )


def feedback(session):
    return lambda s: (
        f"/meetings/sessions/{session(s).pk}/feedback/",
        {"feedback-text": "added after leaving", "feedback-from_member": ""},
    )


def edit_feedback(item):
    return lambda s: (
        f"/meetings/log/feedback/{item(s).pk}/edit/",
        {f"feedback-{item(s).pk}-text": "rewritten", f"feedback-{item(s).pk}-version": 1},
    )


def tick(item):
    return lambda s: (f"/meetings/log/actions/{item(s).pk}/done/", {"version": 1, "done": "on"})


def share(success):
    return lambda s: (f"/meetings/successes/{success(s).pk}/share/", {"shared": "on"})


def schedule(partnership):
    return lambda s: (f"/meetings/partnerships/{partnership(s).pk}/schedule/", {})


def held(session):
    return lambda s: (f"/meetings/sessions/{session(s).pk}/held/", {})


def details(session):
    return lambda s: (f"/meetings/sessions/{session(s).pk}/details/", {})


def success_new(partnership):
    return lambda s: (
        "/meetings/successes/new/",
        {
            "partnership": partnership(s).pk,
            "happened_on": s.today.isoformat(),
            "text": "logged after leaving",
        },
    )


def chain(s):
    return s.chain


def shared(s):
    return s.world.partnership


def left(s):
    return s.left


def left_session(s):
    return s.left_session


def own_session(s):
    return s.world.session


def leader(s):
    return s.world.leader


def manager(s):
    return s.world.manager


def employee(s):
    return s.world.employee


def boss(s):
    return s.boss


def emma(s):
    return s.emma


# (role, what, request, control: the role whose same request is accepted)
REFUSED = [
    # a manager and the reporting lines: between two others, and where they are an end
    ("manager", "adds a reporting line between two others", add(chain, leader, emma), "admin"),
    ("manager", "adds a line to themselves in the chain", add(chain, manager, emma), "admin"),
    (
        "manager",
        "ends a reporting line between two others",
        end(chain, lambda s: s.chain_above),
        "admin",
    ),
    ("manager", "ends their own reporting line", end(chain, lambda s: s.chain_manager), "admin"),
    ("manager", "dissolves the chain of command", dissolve(chain), "admin"),
    # a leader and the reporting lines: only admins and the import change them
    ("leader", "adds a reporting line", add(chain, leader, emma), "admin"),
    ("leader", "ends their own reporting line", end(chain, lambda s: s.chain_above), "admin"),
    ("leader", "dissolves the chain of command", dissolve(chain), "admin"),
    # a manager in a partnership they belong to, between two others
    ("manager", "adds a relationship between two others", add(shared, leader, emma), "leader"),
    (
        "manager",
        "adds one between two others, for a team",
        add(shared, lambda s: s.world.team, emma),
        "leader",
    ),
    (
        "manager",
        "ends a relationship between two others",
        end(
            shared,
            lambda s: s.world.partnership.relationships.get(
                from_member=s.world.leader, to_member=s.world.employee
            ),
        ),
        "leader",
    ),
    # a manager who left a partnership: relationships and sessions
    ("manager", "who left adds themselves back", add(left, manager, emma), "leader"),
    ("manager", "who left ends a relationship there", end(left, lambda s: s.left_others), "leader"),
    ("manager", "who left schedules a session", schedule(left), None),
    ("manager", "who left cancels the session", cancel(left_session), "leader"),
    ("manager", "who left adds feedback", feedback(left_session), "leader"),
    ("manager", "who left edits feedback", edit_feedback(lambda s: s.left_feedback), "leader"),
    ("manager", "who left ticks an action done", tick(lambda s: s.left_action), "leader"),
    ("manager", "who left marks the session held", held(left_session), None),
    ("manager", "who left edits the session's details", details(left_session), None),
    ("manager", "who left shares a success", share(lambda s: s.left_success), "leader"),
    ("manager", "who left logs a success", success_new(left), "leader"),
    # a member, everywhere
    ("member", "adds a relationship to themselves", add(shared, leader, employee), None),
    ("member", "adds a relationship between others", add(shared, leader, emma), "leader"),
    (
        "member",
        "ends their own relationship",
        end(shared, lambda s: s.world.relationship),
        "leader",
    ),
    ("member", "adds to the chain of command", add(chain, leader, emma), "admin"),
    ("member", "ends a reporting line", end(chain, lambda s: s.chain_above), "admin"),
    ("member", "dissolves a partnership", dissolve(shared), "leader"),
    ("member", "schedules a session", schedule(shared), None),
    ("member", "cancels a session", cancel(own_session), "manager"),
    ("member", "adds feedback", feedback(own_session), "manager"),
    ("member", "marks a session held", held(own_session), None),
    ("member", "edits a session's details", details(own_session), None),
    ("member", "edits feedback", edit_feedback(lambda s: s.world.feedback), "manager"),
    ("member", "ticks an action done", tick(lambda s: s.world.action), "manager"),
    ("member", "shares a success", share(lambda s: s.world.success), None),
    ("member", "logs a success", success_new(shared), "manager"),
]


def _id(case) -> str:
    return f"{case[0]} {case[1]}"


@pytest.mark.parametrize("case", REFUSED, ids=[_id(c) for c in REFUSED])
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_a_role_that_may_not_act_changes_nothing(case, htmx, clients, structure):
    role, _, request, _ = case
    url, data = request(structure)
    before = snapshot(structure.world.organization)
    headers = {"HX-Request": "true"} if htmx else {}
    response = clients[role].post(url, data, headers=headers)
    # Refused outright (403; 404 where the role may not even read it), or the form again
    # with the reason: never a redirect to success.
    assert response.status_code in {200, 400, 403, 404}, response.status_code
    assert snapshot(structure.world.organization) == before


@pytest.mark.parametrize(
    "case", [c for c in REFUSED if c[3]], ids=[_id(c) for c in REFUSED if c[3]]
)
def test_the_same_request_by_a_role_that_may_act_changes_the_database(case, clients, structure):
    """The control: the refused requests carry data that would be accepted."""
    _, _, request, control = case
    url, data = request(structure)
    before = snapshot(structure.world.organization)
    response = clients[control].post(url, data)
    assert response.status_code in {200, 302}, response.status_code
    assert snapshot(structure.world.organization) != before


def test_a_manager_still_changes_relationships_they_are_an_end_of(clients, structure):
    s = structure
    response = clients["manager"].post(*add(shared, manager, emma)(s))
    assert response.status_code == 302
    assert s.world.partnership.relationships.filter(to_member=s.emma, ends_on=None).exists()
    own = s.world.partnership.relationships.get(from_member=manager(s), to_member=employee(s))
    response = clients["manager"].post(*end(shared, lambda _: own)(s))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.ends_on == s.today


def test_a_manager_who_left_still_reads_what_they_took_part_in(clients, structure):
    s = structure
    manager_client = clients["manager"]
    assert manager_client.get(f"/partnerships/{s.left.pk}/").status_code == 200
    page = manager_client.get(f"/meetings/sessions/{s.left_session.pk}/")
    assert page.status_code == 200
    assert page.context["can_log"] is False
    assert b"left feedback" in page.content
    assert f'action="/meetings/sessions/{s.left_session.pk}/status/"'.encode() not in page.content


def test_the_partnership_page_offers_a_manager_only_the_ends_they_may_change(clients, structure):
    s = structure
    page = clients["manager"].get(f"/partnerships/{s.world.partnership.pk}/")
    mine = {
        r.pk
        for r in s.world.partnership.relationships.all()
        if s.world.manager.pk in (r.from_member_id, r.to_member_id)
    }
    assert page.context["can_add"] is True
    assert page.context["endable"] == mine
    chain_page = clients["manager"].get(f"/partnerships/{s.chain.pk}/")
    assert chain_page.context["can_add"] is False
    assert chain_page.context["endable"] == set()
    assert clients["leader"].get(f"/partnerships/{s.chain.pk}/").context["can_dissolve"] is False
    assert clients["admin"].get(f"/partnerships/{s.chain.pk}/").context["can_dissolve"] is True


def test_the_services_refuse_what_the_views_refuse(structure, manager_membership):
    """A view that forgot to ask would still be refused: the services check the rule too."""
    from django.core.exceptions import PermissionDenied

    from partnerships import services as partnership_services

    s = structure
    before = snapshot(s.world.organization)
    with pytest.raises(PermissionDenied):
        partnership_services.relationship_add(
            partnership=s.chain,
            from_member=s.world.leader,
            to_member=s.emma,
            starts_on=s.today,
            acting=manager_membership,
        )
    with pytest.raises(PermissionDenied):
        partnership_services.relationship_end(
            relationship=s.left_others, on=s.today, acting=manager_membership
        )
    with pytest.raises(PermissionDenied):
        partnership_services.partnership_dissolve(
            partnership=s.chain, on=s.today, acting=manager_membership
        )
    assert snapshot(s.world.organization) == before
