"""Corrections: removing a relationship, a quadrant move, a partnership or an objective that
was a mistake ("it never happened"), as distinct from ending it on a day.

Each removal asks first (a confirmation page saying what goes), refuses when it would take
logged history with it, keeps the removed values in the audit trail, and checks the role;
a removed relationship comes back with Undo.
"""

from __future__ import annotations

import datetime
import html

import pytest

from meetings.models import PulseRating, Session
from meetings.services import success_add
from org.models import AuditEntry, Member, Quadrant, QuadrantMove, TeamMembership
from partnerships.models import Objective, Partnership, Relationship
from partnerships.services import member_move_checked, relationship_add, relationship_end
from tests.factories import (
    ObjectiveFactory,
    OrgMembershipFactory,
    PartnershipFactory,
    PersonFactory,
    SessionFactory,
    TeamFactory,
    TeamMembershipFactory,
)

D = datetime.date


def _removal(object_type: str) -> AuditEntry:
    return AuditEntry.objects.get(action="removed", object_type=object_type)


def _page(response) -> str:
    return html.unescape(response.content.decode())


# --- relationships -------------------------------------------------------------------------


def test_it_asks_before_removing_a_relationship(leader_client, quality):
    line = quality.drive.relationships.get(to_member=quality.mia)
    url = f"/partnerships/{quality.drive.pk}/relationships/{line.pk}/remove/"
    response = leader_client.get(url)
    assert response.status_code == 200
    page = _page(response)
    assert "Remove this relationship?" in page
    assert "Max Manager → Mia Member: influential, in Quality drive" in page
    assert "Since 1 Jan 2024" in page
    assert "Remove: it never happened" in page
    assert Relationship.objects.filter(pk=line.pk).exists()


def test_the_partnership_page_offers_remove_beside_end(leader_client, quality):
    line = quality.drive.relationships.get(to_member=quality.mia)
    page = _page(leader_client.get(f"/partnerships/{quality.drive.pk}/"))
    assert f"/partnerships/{quality.drive.pk}/relationships/{line.pk}/remove/" in page


def test_it_removes_a_relationship_and_the_audit_trail_keeps_its_values(leader_client, quality):
    line = quality.drive.relationships.get(to_member=quality.mia)
    url = f"/partnerships/{quality.drive.pk}/relationships/{line.pk}/remove/"
    response = leader_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"/partnerships/{quality.drive.pk}/"
    assert "Max Manager → Mia Member removed: it never happened." in _page(response)
    assert not Relationship.objects.filter(pk=line.pk).exists()
    entry = _removal("relationship")
    assert entry.object_id == line.pk
    assert entry.actor.username == "lee_leader"
    kept = {name: values[0] for name, values in entry.changes.items()}
    assert kept["from_member"]["repr"] == "Max Manager"
    assert kept["to_member"]["repr"] == "Mia Member"
    assert kept["starts_on"] == "2024-01-01"
    assert kept["type"] == "influential"
    assert kept["to_quadrant"] == "E"


def test_undo_puts_the_removed_relationship_back_once(leader_client, quality):
    line = quality.drive.relationships.get(to_member=quality.mia)
    leader_client.post(f"/partnerships/{quality.drive.pk}/relationships/{line.pk}/remove/")
    entry = _removal("relationship")
    page = _page(leader_client.get(f"/partnerships/{quality.drive.pk}/"))
    assert f'action="/partnerships/undo/{entry.pk}/"' in page  # the message's Undo button

    response = leader_client.post(f"/partnerships/undo/{entry.pk}/", follow=True)
    assert "Max Manager → Mia Member is back." in _page(response)
    back = quality.drive.relationships.get(from_member=quality.max, to_member=quality.mia)
    assert (back.starts_on, back.ends_on, back.type) == (D(2024, 1, 1), None, "influential")
    assert AuditEntry.objects.filter(action="restored", object_id=back.pk).exists()

    again = leader_client.post(f"/partnerships/undo/{entry.pk}/", follow=True)
    assert "That removal was already undone." in _page(again)
    assert quality.drive.relationships.filter(to_member=quality.mia).count() == 1


def test_ending_a_relationship_on_the_day_it_started_means_it_never_was(leader_client, quality):
    today = quality.drive.organization.today()
    added = relationship_add(
        partnership=quality.drive, from_member=quality.lee, to_member=quality.mia, starts_on=today
    )
    url = f"/partnerships/{quality.drive.pk}/relationships/{added.pk}/end/"
    response = leader_client.post(url, {"on": today.isoformat()}, follow=True)
    assert "Lee Leader → Mia Member removed: it never happened." in _page(response)
    assert not Relationship.objects.filter(pk=added.pk).exists()
    assert _removal("relationship").object_id == added.pk


def test_the_service_removes_a_relationship_ended_on_its_first_day(quality):
    line = quality.drive.relationships.get(to_member=quality.mia)
    ended = relationship_end(relationship=line, on=D(2024, 1, 1))
    assert ended.pk is None
    assert not quality.drive.relationships.filter(to_member=quality.mia).exists()
    assert _removal("relationship").changes["starts_on"] == ["2024-01-01", None]


def test_a_relationship_with_pulse_ratings_is_ended_not_removed(leader_client, quality):
    line = quality.drive.relationships.get(to_member=quality.mia)
    session = SessionFactory(partnership=quality.drive, facilitator=quality.lee)
    PulseRating.objects.create(
        organization=quality.drive.organization,
        session=session,
        relationship=line,
        rater=quality.mia,
        rater_quadrant="E",
        other_quadrant="M",
        **dict.fromkeys(
            [
                "frequent",
                "timely",
                "accurate",
                "problem_solving",
                "shared_goals",
                "shared_knowledge",
                "mutual_respect",
            ],
            4,
        ),
    )
    url = f"/partnerships/{quality.drive.pk}/relationships/{line.pk}/remove/"
    page = _page(leader_client.get(url))
    assert "would delete logged history (1 pulse rating). End it instead" in page
    assert "Remove: it never happened</button>" not in page
    response = leader_client.post(url, follow=True)
    assert "cannot be removed" in _page(response)
    assert Relationship.objects.filter(pk=line.pk).exists()
    assert not AuditEntry.objects.filter(action="removed").exists()


def test_a_member_may_not_remove_a_relationship(member_client, quality):
    line = quality.drive.relationships.get(to_member=quality.mia)
    url = f"/partnerships/{quality.drive.pk}/relationships/{line.pk}/remove/"
    assert member_client.get(url).status_code == 403
    assert member_client.post(url).status_code == 403
    assert Relationship.objects.filter(pk=line.pk).exists()


def test_a_manager_removes_only_relationships_they_are_an_end_of(manager_client, quality):
    others = relationship_add(
        partnership=quality.drive,
        from_member=quality.lee,
        to_member=quality.mia,
        starts_on=D(2024, 2, 1),
    )
    url = f"/partnerships/{quality.drive.pk}/relationships/{others.pk}/remove/"
    assert manager_client.post(url).status_code == 403
    assert Relationship.objects.filter(pk=others.pk).exists()
    own = quality.drive.relationships.get(to_member=quality.mia, from_member=quality.max)
    own_url = f"/partnerships/{quality.drive.pk}/relationships/{own.pk}/remove/"
    assert manager_client.post(own_url).status_code == 302
    assert not Relationship.objects.filter(pk=own.pk).exists()


def test_another_organizations_relationship_and_removal_are_404(
    outsider_client, leader_client, quality
):
    line = quality.drive.relationships.get(to_member=quality.mia)
    url = f"/partnerships/{quality.drive.pk}/relationships/{line.pk}/remove/"
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url).status_code == 404
    leader_client.post(url)
    entry = _removal("relationship")
    assert outsider_client.post(f"/partnerships/undo/{entry.pk}/").status_code == 404
    assert not quality.drive.relationships.filter(to_member=quality.mia).exists()


def test_undo_is_refused_to_a_member(leader_client, member_client, quality):
    line = quality.drive.relationships.get(to_member=quality.max)  # Mia still belongs
    leader_client.post(f"/partnerships/{quality.drive.pk}/relationships/{line.pk}/remove/")
    entry = _removal("relationship")
    assert member_client.post(f"/partnerships/undo/{entry.pk}/").status_code == 403
    assert not quality.drive.relationships.filter(to_member=quality.max).exists()


# --- quadrant moves ------------------------------------------------------------------------


@pytest.fixture
def eve(org):
    return PersonFactory(organization=org, quadrant=Quadrant.MANAGERS, name="Eve Early")


def test_it_takes_back_a_mistaken_move_and_the_relationships_follow(admin_client, quality, eve):
    """Lee directs Eve (L → M); moved to Leadership by mistake she stays directed (L → L).
    Taking the move back puts her in Managers again, and the line carries Managers again."""
    line = relationship_add(
        partnership=quality.drive, from_member=quality.lee, to_member=eve, starts_on=D(2024, 2, 1)
    )
    today = eve.organization.today()
    move = member_move_checked(
        member=eve, to_quadrant=Quadrant.LEADERSHIP, on=today, by=None, end_conflicting=False
    )
    url = f"/org/members/{eve.pk}/moves/{move.pk}/remove/"
    page = _page(admin_client.get(url))
    assert "Remove the move of Eve Early?" in page
    assert "Eve Early goes back to Managers" in page

    response = admin_client.post(url, follow=True)
    assert "The move of Eve Early is removed: back in Managers." in _page(response)
    eve.refresh_from_db()
    line.refresh_from_db()
    assert eve.quadrant == Quadrant.MANAGERS
    assert line.to_quadrant == Quadrant.MANAGERS
    assert not QuadrantMove.objects.filter(pk=move.pk).exists()
    entry = AuditEntry.objects.get(action="move removed", object_id=eve.pk)
    assert entry.changes["quadrant"] == ["L", "M"]
    assert entry.changes["moved_on"] == [today.isoformat(), None]


def test_it_refuses_to_take_back_a_move_a_relationship_depends_on(admin_client, quality, eve):
    today = eve.organization.today()
    move = member_move_checked(
        member=eve, to_quadrant=Quadrant.LEADERSHIP, on=today, by=None, end_conflicting=False
    )
    guidance = relationship_add(
        partnership=quality.drive, from_member=eve, to_member=quality.mia, starts_on=today
    )
    url = f"/org/members/{eve.pk}/moves/{move.pk}/remove/"
    response = admin_client.post(url)
    assert response.status_code == 200
    assert (
        "Eve Early → Mia Member (guidance in Quality drive) depends on the move: end or remove "
        "it first." in _page(response)
    )
    assert Member.objects.get(pk=eve.pk).quadrant == Quadrant.LEADERSHIP
    assert QuadrantMove.objects.filter(pk=move.pk).exists()

    relationship_end(relationship=guidance, on=today)  # its first day: removed
    admin_client.post(url)
    assert Member.objects.get(pk=eve.pk).quadrant == Quadrant.MANAGERS


def test_only_the_latest_move_can_be_taken_back(admin_client, eve):
    today = eve.organization.today()
    first = member_move_checked(
        member=eve, to_quadrant=Quadrant.EMPLOYEES, on=today, by=None, end_conflicting=False
    )
    member_move_checked(
        member=eve, to_quadrant=Quadrant.LEADERSHIP, on=today, by=None, end_conflicting=False
    )
    response = admin_client.post(f"/org/members/{eve.pk}/moves/{first.pk}/remove/")
    assert "Only Eve Early's latest move can be removed" in _page(response)
    assert Member.objects.get(pk=eve.pk).quadrant == Quadrant.LEADERSHIP


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_admins_take_back_a_move(role, role_clients, eve):
    move = member_move_checked(
        member=eve,
        to_quadrant=Quadrant.EMPLOYEES,
        on=eve.organization.today(),
        by=None,
        end_conflicting=False,
    )
    url = f"/org/members/{eve.pk}/moves/{move.pk}/remove/"
    assert role_clients[role].get(url).status_code == 403
    assert role_clients[role].post(url).status_code == 403
    assert role_clients["outsider"].post(url).status_code == 404
    assert Member.objects.get(pk=eve.pk).quadrant == Quadrant.EMPLOYEES


# --- partnerships --------------------------------------------------------------------------


def test_it_removes_a_partnership_with_its_relationships_and_planned_session(
    leader_client, quality
):
    SessionFactory(partnership=quality.drive, facilitator=quality.lee)
    url = f"/partnerships/{quality.drive.pk}/remove/"
    page = _page(leader_client.get(url))
    assert "Remove “Quality drive”?" in page
    assert "Removed with it: 2 relationships and 1 session." in page

    response = leader_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == "/partnerships/"
    assert "“Quality drive” removed: it never happened." in _page(response)
    assert not Partnership.objects.filter(pk=quality.drive.pk).exists()
    assert not Session.objects.exists()
    entry = _removal("partnership")
    assert entry.changes["name"] == ["Quality drive", None]
    assert entry.changes["formed_on"] == ["2024-01-01", None]
    assert entry.changes["removed_with"] == [["2 relationships", "1 session"], None]
    lines = AuditEntry.objects.filter(action="removed", object_type="relationship")
    assert sorted(e.changes["to_member"][0]["repr"] for e in lines) == [
        "Max Manager",
        "Mia Member",
    ]


def test_a_partnership_whose_session_was_held_is_dissolved_not_removed(leader_client, quality):
    held = SessionFactory(partnership=quality.drive, facilitator=quality.lee, status="held")
    success_add(session=held, text="Fewer returns", shared_by=None)
    url = f"/partnerships/{quality.drive.pk}/remove/"
    page = _page(leader_client.get(url))
    assert "would delete logged history (1 session and 1 success). Dissolve it instead" in page
    response = leader_client.post(url)
    assert response.status_code == 200
    assert "Dissolve it instead" in _page(response)
    assert Partnership.objects.filter(pk=quality.drive.pk).exists()
    assert quality.drive.relationships.count() == 2


def test_dissolving_a_partnership_on_the_day_it_was_formed_points_to_removal(
    leader_client, quality
):
    response = leader_client.post(
        f"/partnerships/{quality.drive.pk}/dissolve/", {"on": "2024-01-01"}
    )
    assert "dissolved the same day, it never was. Remove it instead" in _page(response)
    assert Partnership.objects.get(pk=quality.drive.pk).dissolved_on is None


@pytest.mark.parametrize("role", ["manager", "member"])
def test_managers_and_members_may_not_remove_a_partnership(role, role_clients, quality):
    url = f"/partnerships/{quality.drive.pk}/remove/"
    assert role_clients[role].get(url).status_code == 403
    assert role_clients[role].post(url).status_code == 403
    assert role_clients["outsider"].post(url).status_code == 404
    assert Partnership.objects.filter(pk=quality.drive.pk).exists()


# --- objectives ----------------------------------------------------------------------------


def test_it_removes_an_objective_nobody_uses(admin_client, org):
    objective = ObjectiveFactory(organization=org, title="Typo objective")
    url = f"/objectives/{objective.pk}/remove/"
    assert "Remove the objective “Typo objective”?" in _page(admin_client.get(url))
    response = admin_client.post(url, follow=True)
    assert "Objective “Typo objective” removed: it never was." in _page(response)
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert _removal("objective").changes["title"] == ["Typo objective", None]


def test_it_refuses_to_remove_an_objective_a_partnership_serves(leader_client, quality):
    url = f"/objectives/{quality.objective.pk}/remove/"
    page = _page(leader_client.get(url))
    assert "2 partnerships use it. Remove those first" in page
    assert leader_client.post(url).status_code == 200
    assert Objective.objects.filter(pk=quality.objective.pk).exists()


def test_an_objective_with_one_partnership_says_it_uses_it(leader_client, org):
    objective = ObjectiveFactory(organization=org)
    PartnershipFactory(organization=org, objective=objective)
    page = _page(leader_client.get(f"/objectives/{objective.pk}/remove/"))
    assert "1 partnership uses it." in page


def test_undo_puts_a_removed_objective_back_once_with_its_values(leader_client, org):
    owner = PersonFactory(organization=org, name="Olive Owner")
    objective = ObjectiveFactory(
        organization=org,
        title="Fewer returns",
        description="Why it matters",
        owner=owner,
        target_value="12.50",
        target_unit="% of orders",
    )
    page = _page(leader_client.post(f"/objectives/{objective.pk}/remove/", follow=True))
    entry = _removal("objective")
    assert f'action="/objectives/undo/{entry.pk}/"' in page  # the message's Undo button

    page = _page(leader_client.post(f"/objectives/undo/{entry.pk}/", follow=True))

    assert "Objective “Fewer returns” is back." in page
    restored = Objective.objects.get(organization=org, title="Fewer returns")
    assert (restored.description, restored.owner, str(restored.target_value)) == (
        "Why it matters",
        owner,
        "12.50",
    )
    assert (restored.target_unit, restored.starts_on) == ("% of orders", objective.starts_on)
    again = _page(leader_client.post(f"/objectives/undo/{entry.pk}/", follow=True))
    assert "That removal was already undone." in again
    assert Objective.objects.filter(organization=org, title="Fewer returns").count() == 1


def test_undo_of_an_objective_is_for_leaders_of_its_organization(
    leader_client, manager_client, outsider_client, org
):
    objective = ObjectiveFactory(organization=org, title="Typo objective")
    leader_client.post(f"/objectives/{objective.pk}/remove/")
    entry = _removal("objective")
    assert manager_client.post(f"/objectives/undo/{entry.pk}/").status_code == 403
    assert outsider_client.post(f"/objectives/undo/{entry.pk}/").status_code == 404
    assert not Objective.objects.filter(title="Typo objective").exists()


@pytest.mark.parametrize("role", ["manager", "member"])
def test_only_leaders_and_admins_remove_objectives(role, role_clients, org):
    objective = ObjectiveFactory(organization=org)
    url = f"/objectives/{objective.pk}/remove/"
    assert role_clients[role].post(url).status_code == 403
    assert role_clients["outsider"].get(url).status_code == 404
    assert Objective.objects.filter(pk=objective.pk).exists()


# --- team seats ----------------------------------------------------------------------------


def test_a_seat_taken_off_by_mistake_comes_back_with_undo(admin_client, quality, org):
    team = TeamFactory(organization=org, name="Dock team")
    TeamMembershipFactory(team=team, person=quality.mia)
    url = f"/org/members/{team.pk}/seat/"
    response = admin_client.post(
        url, {"action": "remove", "person": quality.mia.pk}, headers={"HX-Request": "true"}
    )
    page = _page(response)
    assert "Took Mia Member off the team." in page
    assert 'name="action" value="add"' in page and ">Undo</button>" in page
    assert not TeamMembership.objects.filter(team=team).exists()
    entry = _removal("team_seat")
    assert entry.changes["person"][0]["repr"] == "Mia Member"
    assert entry.changes["team"][0]["repr"] == "Dock team"

    # The Undo button posts the opposite change.
    admin_client.post(
        url, {"action": "add", "person": quality.mia.pk}, headers={"HX-Request": "true"}
    )
    assert TeamMembership.objects.filter(team=team, person=quality.mia).exists()


def test_a_leader_may_not_take_a_seat_away(leader_client, quality, org):
    team = TeamFactory(organization=org)
    TeamMembershipFactory(team=team, person=quality.mia)
    url = f"/org/members/{team.pk}/seat/"
    assert (
        leader_client.post(url, {"action": "remove", "person": quality.mia.pk}).status_code == 403
    )
    assert TeamMembership.objects.filter(team=team).exists()


def test_taking_back_a_move_says_which_relationships_it_ended_stay_ended(admin_client, quality):
    today = quality.mia.organization.today()
    move = member_move_checked(
        member=quality.mia,
        to_quadrant=Quadrant.MANAGERS,
        on=today,
        by=None,
        end_conflicting=True,
    )
    url = f"/org/members/{quality.mia.pk}/moves/{move.pk}/remove/"
    page = _page(admin_client.get(url))
    assert "Max Manager → Mia Member ended that day and stays ended" in page
    admin_client.post(url)
    assert Member.objects.get(pk=quality.mia.pk).quadrant == Quadrant.EMPLOYEES
    line = quality.drive.relationships.get(to_member=quality.mia)
    assert line.ends_on == today


def test_only_admins_remove_a_reporting_line(leader_client, admin_client, org, quality):
    chain = PartnershipFactory(
        organization=org,
        objective=quality.objective,
        name="Chain of command",
        formed_on=D(2024, 1, 1),
    )
    line = relationship_add(
        partnership=chain, from_member=quality.lee, to_member=quality.max, starts_on=D(2024, 1, 1)
    )
    url = f"/partnerships/{chain.pk}/relationships/{line.pk}/remove/"
    assert leader_client.post(url).status_code == 403
    assert leader_client.post(f"/partnerships/{chain.pk}/remove/").status_code == 403
    assert Relationship.objects.filter(pk=line.pk).exists()
    assert admin_client.post(url).status_code == 302
    assert not Relationship.objects.filter(pk=line.pk).exists()


def test_the_audit_trail_page_shows_what_a_removal_kept(admin_client, leader_client, quality):
    line = quality.drive.relationships.get(to_member=quality.mia)
    leader_client.post(f"/partnerships/{quality.drive.pk}/relationships/{line.pk}/remove/")
    page = _page(admin_client.get("/org/audit/"))
    assert "removed" in page
    assert "Max Manager → Mia Member (influential)" in page
    assert "Quality drive" in page  # the partnership it was in, named
    assert "1 Jan 2024" in page  # its start day, kept


# --- members -------------------------------------------------------------------------------


def test_it_removes_a_person_added_by_mistake_with_their_seat(admin_client, org):
    typo = PersonFactory(organization=org, name="Gerald Typo", quadrant=Quadrant.EMPLOYEES)
    team = TeamFactory(organization=org, name="Dock team")
    TeamMembershipFactory(team=team, person=typo)
    url = f"/org/members/{typo.pk}/remove/"
    page = _page(admin_client.get(url))
    assert "Remove Gerald Typo?" in page
    assert "Removed with it: 1 team seat." in page
    response = admin_client.post(url, follow=True)
    assert "Gerald Typo removed: they never were." in _page(response)
    assert not Member.objects.filter(pk=typo.pk).exists()
    assert not TeamMembership.objects.filter(team=team).exists()
    assert _removal("member").changes["name"] == ["Gerald Typo", None]
    assert _removal("team_seat").changes["person"][0]["repr"] == "Gerald Typo"


def test_a_member_a_login_names_is_archived_not_removed(admin_client, org):
    linked = PersonFactory(organization=org, name="Linda Login")
    OrgMembershipFactory(organization=org, member=linked)
    url = f"/org/members/{linked.pk}/remove/"
    assert "1 login uses it. Archive them instead" in _page(admin_client.get(url))
    assert admin_client.post(url).status_code == 200
    assert Member.objects.filter(pk=linked.pk).exists()


def test_a_member_with_relationships_is_archived_not_removed(admin_client, quality):
    url = f"/org/members/{quality.cfo.pk}/remove/"
    assert "1 relationship uses it. Archive them instead" in _page(admin_client.get(url))
    admin_client.post(url)
    assert Member.objects.filter(pk=quality.cfo.pk).exists()


def test_archiving_a_member_on_their_first_day_points_to_removal(admin_client, org):
    typo = PersonFactory(organization=org, active_from=D(2024, 5, 1))
    response = admin_client.post(f"/org/members/{typo.pk}/archive/", {"on": "2024-05-01"})
    assert "archived the same day, they never were. Remove them instead" in _page(response)
    assert Member.objects.get(pk=typo.pk).active_until is None


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_admins_remove_members(role, role_clients, org):
    typo = PersonFactory(organization=org)
    url = f"/org/members/{typo.pk}/remove/"
    assert role_clients[role].post(url).status_code == 403
    assert role_clients["outsider"].post(url).status_code == 404
    assert Member.objects.filter(pk=typo.pk).exists()
