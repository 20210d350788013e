"""The success log: from session logs or entered directly; each with a partnership, an
objective, a date and an author; shared with the organization or kept to the partnership;
feeds per partnership and for the organization."""

from __future__ import annotations

import datetime

import pytest

from meetings.models import SessionSuccess
from org.models import Quadrant, Role
from tests.factories import (
    ObjectiveFactory,
    OrgMembershipFactory,
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    SuccessFactory,
)

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def elsewhere(org):
    """A partnership none of the personas belongs to, with one success kept to it and one
    shared with the organization."""
    partnership = PartnershipFactory(organization=org, name="Night routes")
    a = PersonFactory(organization=org, quadrant=Quadrant.MANAGERS)
    b = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES)
    RelationshipFactory(partnership=partnership, from_member=a, to_member=b)
    kept = SuccessFactory(session=None, partnership=partnership, text="Kept to night routes")
    shared = SuccessFactory(
        session=None,
        partnership=partnership,
        text="Shared by night routes",
        shared_with_organization=True,
    )
    return {"partnership": partnership, "kept": kept, "shared": shared}


def test_a_success_logged_at_a_session_belongs_to_its_partnership_and_objective(
    session, manager_client, manager_membership
):
    response = manager_client.post(
        f"/meetings/sessions/{session.pk}/successes/", {"success-text": "Returns fell"}
    )
    assert response.status_code == 302
    success = SessionSuccess.objects.get()
    assert success.session == session
    assert success.partnership == session.partnership
    assert success.objective == session.partnership.objective
    assert success.happened_on == datetime.date(2026, 2, 20)
    assert success.author == manager_membership.user
    assert success.shared_with_organization is False


def test_a_manager_logs_a_success_directly(triad, manager_client, manager_membership, frozen_now):
    form = manager_client.get(f"/meetings/successes/new/?partnership={triad.pk}")
    assert form.status_code == 200
    assert 'value="2026-02-16"' in form.content.decode()
    response = manager_client.post(
        "/meetings/successes/new/",
        {
            "partnership": triad.pk,
            "objective": "",
            "happened_on": "2026-02-12",
            "text": "  A customer thanked the night shift  ",
            "shared_with_organization": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/partnerships/{triad.pk}/successes/"
    success = SessionSuccess.objects.get()
    assert (success.session, success.partnership, success.objective) == (
        None,
        triad,
        triad.objective,
    )
    assert (success.text, success.happened_on, success.author) == (
        "A customer thanked the night shift",
        datetime.date(2026, 2, 12),
        manager_membership.user,
    )
    assert success.shared_with_organization is True
    feed = manager_client.get(response["Location"]).content.decode()
    assert "A customer thanked the night shift" in feed and "entered directly" in feed
    # The person who logged it by their name, never by their login.
    assert "logged by Max Manager" in feed
    assert "logged by max_manager" not in feed


def test_a_success_cannot_be_dated_in_the_future(triad, leader_client, frozen_now):
    response = leader_client.post(
        "/meetings/successes/new/",
        {"partnership": triad.pk, "happened_on": "2026-02-17", "text": "Tomorrow's win"},
    )
    assert response.status_code == 400
    assert "A success has already happened" in response.content.decode()
    assert not SessionSuccess.objects.exists()


def test_a_manager_logs_only_for_partnerships_they_belong_to(
    triad, elsewhere, manager_client, frozen_now
):
    response = manager_client.post(
        "/meetings/successes/new/",
        {"partnership": elsewhere["partnership"].pk, "happened_on": "2026-02-10", "text": "x"},
    )
    assert response.status_code == 400
    assert SessionSuccess.objects.count() == 2


def test_members_do_not_log_successes(triad, member_client):
    assert member_client.get("/meetings/successes/new/").status_code == 403
    response = member_client.post(
        "/meetings/successes/new/",
        {"partnership": triad.pk, "happened_on": "2026-02-10", "text": "x"},
    )
    assert response.status_code == 403
    assert not SessionSuccess.objects.exists()


def test_who_sees_which_successes_in_the_organizations_feed(
    triad, elsewhere, role_clients, frozen_now
):
    SuccessFactory(session=None, partnership=triad, text="Kept to quality first")

    def feed(role):
        return role_clients[role].get("/meetings/successes/").content.decode()

    leader = feed("leader")
    assert all(
        t in leader
        for t in ("Kept to night routes", "Shared by night routes", "Kept to quality first")
    )
    admin = feed("admin")
    assert "Kept to night routes" in admin
    manager = feed("manager")
    assert "Kept to quality first" in manager and "Shared by night routes" in manager
    assert "Kept to night routes" not in manager
    member = feed("member")
    assert "Shared by night routes" in member
    assert "Kept to quality first" not in member and "Kept to night routes" not in member
    outsider = feed("outsider")
    assert "night routes" not in outsider.lower() and "quality first" not in outsider.lower()


def test_the_partnership_feed_is_404_for_other_organizations_and_outsiders_to_it(
    triad, elsewhere, outsider_client, member_client, manager_client
):
    url = f"/meetings/partnerships/{elsewhere['partnership'].pk}/successes/"
    assert outsider_client.get(url).status_code == 404
    assert member_client.get(url).status_code == 404  # not one of hers
    assert manager_client.get(url).status_code == 404
    SuccessFactory(session=None, partnership=triad, text="Quality kept")
    SuccessFactory(
        session=None, partnership=triad, text="Quality shared", shared_with_organization=True
    )
    own = member_client.get(f"/meetings/partnerships/{triad.pk}/successes/").content.decode()
    assert "Quality shared" in own and "Quality kept" not in own


def test_a_manager_shares_a_success_of_their_partnership_in_place(
    triad, manager_client, frozen_now
):
    success = SuccessFactory(session=None, partnership=triad, text="Faster handovers")
    response = manager_client.post(
        f"/meetings/successes/{success.pk}/share/", {"shared": "on"}, **HX
    )
    assert response.status_code == 200
    assert "Shared with the organization" in response.content.decode()
    assert "<html" not in response.content.decode()
    success.refresh_from_db()
    assert success.shared_with_organization is True
    back = manager_client.post(f"/meetings/successes/{success.pk}/share/", {})
    assert back.status_code == 302
    success.refresh_from_db()
    assert success.shared_with_organization is False


def test_sharing_belongs_to_the_partnerships_managers_and_the_leaders(
    elsewhere, manager_client, member_client, outsider_client, leader_client
):
    shared = elsewhere["shared"]
    url = f"/meetings/successes/{shared.pk}/share/"
    assert manager_client.post(url, {}).status_code == 403  # sees it, not theirs
    assert member_client.post(url, {}).status_code == 403
    assert outsider_client.post(url, {}).status_code == 404
    assert (
        manager_client.post(
            f"/meetings/successes/{elsewhere['kept'].pk}/share/", {"shared": "on"}
        ).status_code
        == 404
    )
    shared.refresh_from_db()
    assert shared.shared_with_organization is True
    assert leader_client.post(url, {}).status_code == 302
    shared.refresh_from_db()
    assert shared.shared_with_organization is False


def test_the_feed_is_paginated(triad, leader_client):
    for day in range(1, 26):
        SuccessFactory(
            session=None,
            partnership=triad,
            happened_on=datetime.date(2026, 1, day),
            text=f"Day {day:02}",
        )
    first = leader_client.get("/meetings/successes/").content.decode()
    assert first.count('class="log-item success-item"') == 20
    assert "Day 25" in first and "Day 05" not in first
    assert "Page 1 of 2" in first
    second = leader_client.get("/meetings/successes/?page=2").content.decode()
    assert second.count('class="log-item success-item"') == 5
    assert "Day 05" in second
    assert leader_client.get("/meetings/successes/?page=zero").status_code == 400


def test_the_feed_costs_the_same_queries_for_few_and_many(
    org, triad, manager_client, django_assert_num_queries
):
    SuccessFactory(session=None, partnership=triad)
    manager_client.get("/meetings/successes/")
    with django_assert_num_queries(6):
        few = manager_client.get("/meetings/successes/")
    for _ in range(30):
        partnership = PartnershipFactory(
            organization=org, objective=ObjectiveFactory(organization=org)
        )
        SuccessFactory(session=None, partnership=partnership, shared_with_organization=True)
        SuccessFactory(
            session=None,
            partnership=triad,
            author=OrgMembershipFactory(organization=org, role=Role.MEMBER).user,
        )
    with django_assert_num_queries(6):
        many = manager_client.get("/meetings/successes/")
    assert few.status_code == many.status_code == 200
    assert many.content.decode().count("success-item") == 20


def test_the_successes_export_is_spreadsheet_safe(triad, leader_client, member_client):
    SuccessFactory(
        session=None,
        partnership=triad,
        text="=1+1 fewer defects",
        happened_on=datetime.date(2026, 2, 3),
    )
    SuccessFactory(
        session=None,
        partnership=triad,
        text="@everyone: shared",
        shared_with_organization=True,
        happened_on=datetime.date(2026, 2, 4),
    )
    lines = leader_client.get("/meetings/export/successes.csv").content.decode().splitlines()
    assert (
        lines[0]
        == "date,partnership,objective,success,source,whose,logged_by,shared_with_organization"
    )
    assert lines[1].startswith("2026-02-04,Quality first,")
    assert ",'@everyone: shared,entered directly,,,yes" in lines[1]
    assert ",'=1+1 fewer defects,entered directly,,,no" in lines[2]
    member_lines = member_client.get("/meetings/export/successes.csv").content.decode().splitlines()
    assert len(member_lines) == 2  # the shared one only
