"""Admins add, edit, archive and move people and teams; everyone else is refused."""

from __future__ import annotations

import datetime

import pytest

from org.models import AuditEntry, Member, QuadrantMove, TeamMembership
from tests.factories import (
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    TeamFactory,
    TeamMembershipFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def person_data(**overrides) -> dict:
    data = {
        "kind": "person",
        "name": "Grace Hopper",
        "quadrant": "M",
        "title": "Rear Admiral",
        "email": "grace@example.com",
        "external_id": "HR-1906",
        "active_from": "2024-01-01",
        "active_until": "",
    }
    data.update(overrides)
    return data


def edit_data(member: Member, **overrides) -> dict:
    data = {
        "name": member.name,
        "title": member.title,
        "email": member.email,
        "external_id": member.external_id,
        "active_from": member.active_from.isoformat(),
        "active_until": member.active_until.isoformat() if member.active_until else "",
        "version": member.updated_at.isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def grace(org):
    return PersonFactory(organization=org, quadrant="M", name="Grace Hopper", external_id="HR-1906")


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["new/", "{pk}/edit/", "{pk}/archive/", "{pk}/move/"])
def test_the_forms_require_login(client, grace, path):
    url = "/org/members/" + path.format(pk=grace.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
@pytest.mark.parametrize("path", ["new/", "{pk}/edit/", "{pk}/archive/", "{pk}/move/"])
def test_non_admins_are_refused_the_form_pages(role, path, role_clients, grace):
    response = role_clients[role].get("/org/members/" + path.format(pk=grace.pk))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_non_admins_cannot_change_anything(role, role_clients, grace):
    client = role_clients[role]
    before = Member.objects.count()
    assert client.post("/org/members/new/", person_data(external_id="")).status_code == 403
    url = f"/org/members/{grace.pk}"
    assert client.post(f"{url}/edit/", edit_data(grace, name="Hacked")).status_code == 403
    assert client.post(f"{url}/archive/", {"on": "2030-01-01"}).status_code == 403
    assert client.post(f"{url}/move/", {"to_quadrant": "L", "on": "2030-01-01"}).status_code == 403
    grace.refresh_from_db()
    assert (grace.name, grace.quadrant, grace.active_until) == ("Grace Hopper", "M", None)
    assert Member.objects.count() == before
    assert not QuadrantMove.objects.exists()


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "member"])
@pytest.mark.parametrize("path", ["edit/", "archive/", "move/"])
def test_another_organizations_member_is_404_for_every_role(role, path, role_clients, other_org):
    theirs = PersonFactory(organization=other_org, name="Their Person")
    url = f"/org/members/{theirs.pk}/{path}"
    assert role_clients[role].get(url).status_code == 404
    assert role_clients[role].post(url, {"on": "2030-01-01", "to_quadrant": "L"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.quadrant, theirs.active_until) == ("E", None)


def test_an_outsider_adds_to_their_own_organization_only(outsider_client, org, other_org):
    response = outsider_client.post("/org/members/new/", person_data())
    assert response.status_code == 302
    assert Member.objects.get(name="Grace Hopper").organization == other_org
    assert not Member.objects.filter(organization=org, name="Grace Hopper").exists()


# --- adding --------------------------------------------------------------------------------


def test_it_shows_the_add_form(admin_client):
    response = admin_client.get("/org/members/new/?kind=team")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert 'value="team" required id="id_kind_1" checked' in page
    assert '<option value="T" selected>Teams</option>' in page


def test_it_refuses_an_unknown_kind_in_the_address(admin_client):
    assert admin_client.get("/org/members/new/?kind=robot").status_code == 400


def test_it_adds_a_person(admin_client, org):
    response = admin_client.post("/org/members/new/", person_data())
    grace = Member.objects.get(name="Grace Hopper")
    assert response.status_code == 302
    assert response["Location"] == f"/org/members/{grace.pk}/"
    assert grace.organization == org
    assert (grace.kind, grace.quadrant, grace.title, grace.external_id) == (
        "person",
        "M",
        "Rear Admiral",
        "HR-1906",
    )
    assert grace.active_from == datetime.date(2024, 1, 1)
    assert "Added Grace Hopper." in admin_client.get(response["Location"]).content.decode()


def test_it_adds_a_team_through_htmx_with_a_client_redirect(admin_client, org):
    data = person_data(kind="team", name="Night Shift", quadrant="T", title="", email="")
    response = admin_client.post("/org/members/new/", data, **HTMX)
    team = Member.objects.get(name="Night Shift")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/org/members/{team.pk}/"
    assert (team.kind, team.quadrant, team.organization) == ("team", "T", org)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "   "}, "Give a name: a person&#x27;s full name or the team&#x27;s name."),
        (
            {"quadrant": "X"},
            "“X” is not a quadrant; choose Leadership, Managers, Teams or Employees.",
        ),
        ({"external_id": "HR-1"}, "Another member, Ada Lovelace, already has external id HR-1."),
        (
            {"kind": "team", "quadrant": "L"},
            "A team sits in the Teams quadrant; Leadership is for people.",
        ),
        ({"quadrant": "T"}, "The Teams quadrant holds teams only"),
        ({"active_until": "2023-12-31"}, "The end date must be after the start date (2024-01-01)."),
        ({"active_until": "2024-01-01"}, "The end date must be after the start date (2024-01-01)."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_is_refused_with_a_message_and_writes_nothing(
    admin_client, org, overrides, message, htmx
):
    PersonFactory(organization=org, name="Ada Lovelace", external_id="HR-1")
    before = list(Member.objects.values_list("pk", "name", "external_id"))

    response = admin_client.post(
        "/org/members/new/", person_data(**overrides), **(HTMX if htmx else {})
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert ("<html" in page) is not htmx
    assert list(Member.objects.values_list("pk", "name", "external_id")) == before


def test_an_external_id_may_repeat_in_another_organization(admin_client, other_org):
    PersonFactory(organization=other_org, external_id="HR-1906")
    response = admin_client.post("/org/members/new/", person_data())
    assert response.status_code == 302
    assert Member.objects.filter(external_id="HR-1906").count() == 2


def test_it_defaults_the_start_to_the_organizations_today(admin_client, org):
    page = admin_client.get("/org/members/new/").content.decode()
    assert f'value="{org.today().isoformat()}"' in page


# --- editing -------------------------------------------------------------------------------


def test_it_shows_the_edit_form_without_kind_or_quadrant(admin_client, grace):
    response = admin_client.get(f"/org/members/{grace.pk}/edit/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Grace Hopper"' in page
    assert 'name="quadrant"' not in page
    assert 'name="kind"' not in page
    assert f'href="/org/members/{grace.pk}/move/"' in page


def test_it_edits_a_member(admin_client, grace):
    data = edit_data(grace, name="Grace B. Hopper", title="Commodore", active_until="2030-01-01")
    response = admin_client.post(f"/org/members/{grace.pk}/edit/", data)
    assert response.status_code == 302
    grace.refresh_from_db()
    assert (grace.name, grace.title, grace.active_until) == (
        "Grace B. Hopper",
        "Commodore",
        datetime.date(2030, 1, 1),
    )


def test_it_keeps_a_members_own_external_id(admin_client, grace):
    response = admin_client.post(f"/org/members/{grace.pk}/edit/", edit_data(grace, title="X"))
    assert response.status_code == 302


def test_an_edit_is_refused_a_duplicate_external_id(admin_client, org, grace):
    PersonFactory(organization=org, name="Ada Lovelace", external_id="HR-1")
    data = edit_data(grace, external_id="HR-1", name="Renamed")
    response = admin_client.post(f"/org/members/{grace.pk}/edit/", data, **HTMX)
    assert response.status_code == 200
    assert (
        "Another member, Ada Lovelace, already has external id HR-1." in response.content.decode()
    )
    grace.refresh_from_db()
    assert (grace.name, grace.external_id) == ("Grace Hopper", "HR-1906")


def test_a_stale_edit_is_refused(admin_client, grace):
    data = edit_data(grace, title="Mine")
    Member.objects.filter(pk=grace.pk).update(
        title="Theirs", updated_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    )
    response = admin_client.post(f"/org/members/{grace.pk}/edit/", data)
    assert response.status_code == 200
    assert "Someone else changed Grace Hopper while you were editing." in response.content.decode()
    grace.refresh_from_db()
    assert grace.title == "Theirs"


# --- archiving -----------------------------------------------------------------------------


def test_archiving_asks_for_confirmation_first(admin_client, org, grace):
    response = admin_client.get(f"/org/members/{grace.pk}/archive/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Archive <bdi>Grace Hopper</bdi>?" in page
    assert f'value="{org.today().isoformat()}"' in page
    grace.refresh_from_db()
    assert grace.active_until is None


def test_it_archives_a_member(admin_client, grace):
    response = admin_client.post(f"/org/members/{grace.pk}/archive/", {"on": "2025-06-30"})
    assert response.status_code == 302
    grace.refresh_from_db()
    assert grace.active_until == datetime.date(2025, 6, 30)
    assert not grace.is_active_on(datetime.date(2025, 6, 30))
    assert grace.is_active_on(datetime.date(2025, 6, 29))


def test_it_refuses_to_archive_before_the_start(admin_client, grace):
    response = admin_client.post(f"/org/members/{grace.pk}/archive/", {"on": "2019-01-01"}, **HTMX)
    assert response.status_code == 200
    assert (
        "became active on 1 Jan 2020; the archive date must be after that"
        in response.content.decode()
    )
    grace.refresh_from_db()
    assert grace.active_until is None


def test_it_refuses_to_archive_twice(admin_client, grace):
    Member.objects.filter(pk=grace.pk).update(active_until=datetime.date(2024, 1, 1))
    response = admin_client.post(f"/org/members/{grace.pk}/archive/", {"on": "2025-01-01"})
    assert "already archived" in response.content.decode()
    grace.refresh_from_db()
    assert grace.active_until == datetime.date(2024, 1, 1)


def test_archiving_a_person_ends_their_team_seats_and_open_relationships(admin_client, org, grace):
    team = TeamFactory(organization=org, name="Compilers")
    TeamMembershipFactory(team=team, person=grace)
    partnership = PartnershipFactory(organization=org, formed_on=datetime.date(2024, 1, 1))
    open_line = RelationshipFactory(partnership=partnership, to_member=grace)  # L → M
    ended = RelationshipFactory(
        partnership=partnership, from_member=grace, ends_on=datetime.date(2024, 6, 1)
    )
    response = admin_client.post(f"/org/members/{grace.pk}/archive/", {"on": "2025-06-30"})
    assert response.status_code == 302
    assert not TeamMembership.objects.filter(person=grace).exists()
    open_line.refresh_from_db()
    ended.refresh_from_db()
    assert open_line.ends_on == datetime.date(2025, 6, 30)
    assert ended.ends_on == datetime.date(2024, 6, 1)  # already over: left as it was
    actions = set(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))
    assert {"archived", "removed", "ended"} <= actions


def test_it_refuses_to_archive_before_a_relationship_starts_and_changes_nothing(
    admin_client, org, grace
):
    team = TeamFactory(organization=org, name="Compilers")
    TeamMembershipFactory(team=team, person=grace)
    later = PartnershipFactory(
        organization=org, name="Quality", formed_on=datetime.date(2026, 1, 1)
    )
    RelationshipFactory(partnership=later, to_member=grace)
    response = admin_client.post(f"/org/members/{grace.pk}/archive/", {"on": "2025-06-30"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "in Quality (from 1 Jan 2026) only starts on or after that day" in page
    grace.refresh_from_db()
    assert grace.active_until is None
    assert TeamMembership.objects.filter(person=grace).exists()


# --- moving --------------------------------------------------------------------------------


def test_it_moves_a_person_and_records_the_move(admin_client, admin_membership, grace):
    response = admin_client.post(
        f"/org/members/{grace.pk}/move/", {"to_quadrant": "L", "on": "2025-04-01"}
    )
    assert response.status_code == 302
    grace.refresh_from_db()
    assert grace.quadrant == "L"
    move = QuadrantMove.objects.get()
    assert (move.member, move.organization, move.from_quadrant, move.to_quadrant) == (
        grace,
        grace.organization,
        "M",
        "L",
    )
    assert (move.moved_on, move.moved_by) == (datetime.date(2025, 4, 1), admin_membership.user)


@pytest.mark.parametrize(
    ("to_quadrant", "message"),
    [
        ("T", "“T” is not a quadrant a person can move to"),
        ("X", "“X” is not a quadrant a person can move to"),
        ("M", "Grace Hopper is already in Managers."),
    ],
)
def test_a_bad_move_is_refused_and_writes_nothing(admin_client, grace, to_quadrant, message):
    response = admin_client.post(
        f"/org/members/{grace.pk}/move/", {"to_quadrant": to_quadrant, "on": "2025-04-01"}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "<html" not in page
    grace.refresh_from_db()
    assert grace.quadrant == "M"
    assert not QuadrantMove.objects.exists()


def test_a_team_cannot_move(admin_client, org):
    team = TeamFactory(organization=org, name="Night Shift")
    response = admin_client.post(
        f"/org/members/{team.pk}/move/", {"to_quadrant": "L", "on": "2025-04-01"}
    )
    assert (
        "Night Shift is a team; teams always sit in the Teams quadrant."
        in response.content.decode()
    )
    team.refresh_from_db()
    assert team.quadrant == "T"
    assert not QuadrantMove.objects.exists()
