"""'My sessions this quarter': due, overdue, held, and partnerships still without a session."""

from __future__ import annotations

import datetime

import pytest

from meetings.models import Session
from org.models import Quadrant
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory, SessionFactory

UTC = datetime.UTC


def groups(page: str) -> dict[str, str]:
    """The text of each group on the page, by heading id."""
    found = {}
    for name in ["overdue", "due", "held", "closed", "unscheduled"]:
        start = page.find(f'id="group-{name}"')
        if start == -1:
            continue
        end = page.find("</section>", start)
        found[name] = page[start:end]
    return found


@pytest.fixture
def quarter_of_sessions(org, triad, leader_membership, manager_membership, frozen_now):
    """The manager's partnership 'Quality first' plus three more they belong to, and one
    partnership without them; now is Monday 16 February 2026."""
    lee, max_ = leader_membership.member, manager_membership.member

    def partnership(name):
        p = PartnershipFactory(organization=org, name=name)
        RelationshipFactory(partnership=p, from_member=lee, to_member=max_)
        return p

    due = SessionFactory(
        partnership=triad, facilitator=lee, starts_at=datetime.datetime(2026, 3, 2, 9, tzinfo=UTC)
    )
    overdue = SessionFactory(
        partnership=partnership("Cost down"),
        facilitator=lee,
        starts_at=datetime.datetime(2026, 2, 3, 9, tzinfo=UTC),
    )
    held = SessionFactory(
        partnership=partnership("Customer voice"),
        facilitator=max_,
        starts_at=datetime.datetime(2026, 1, 20, 9, tzinfo=UTC),
        status=Session.Status.HELD,
    )
    unscheduled = partnership("Night shift")
    elsewhere = PartnershipFactory(organization=org, name="Finance only")
    RelationshipFactory(partnership=elsewhere)
    not_mine = SessionFactory(
        partnership=elsewhere, starts_at=datetime.datetime(2026, 3, 3, 9, tzinfo=UTC)
    )
    return {
        "due": due,
        "overdue": overdue,
        "held": held,
        "unscheduled": unscheduled,
        "not_mine": not_mine,
    }


def test_a_manager_sees_due_overdue_and_held_sessions_of_their_partnerships(
    quarter_of_sessions, manager_client
):
    response = manager_client.get("/meetings/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "FY2026 Q1" in page
    found = groups(page)
    assert "Quality first" in found["due"]
    assert "Cost down" in found["overdue"]
    assert "Customer voice" in found["held"]
    assert "Night shift" in found["unscheduled"]
    assert "Schedule its session" in found["unscheduled"]
    assert "Finance only" not in page


def test_a_member_sees_only_the_sessions_of_their_own_partnerships(
    quarter_of_sessions, member_client
):
    page = member_client.get("/meetings/?quarter=2026Q1").content.decode()
    assert "Quality first" in page
    assert "Cost down" not in page
    assert "Finance only" not in page
    assert "Schedule its session" not in page


def test_a_leader_can_look_at_the_whole_organization(quarter_of_sessions, leader_client):
    mine = leader_client.get("/meetings/?quarter=2026Q1").content.decode()
    assert "Finance only" not in mine
    everyone = leader_client.get("/meetings/?quarter=2026Q1&scope=all").content.decode()
    assert "Finance only" in everyone
    assert "All sessions this quarter" in everyone


def test_a_manager_cannot_ask_for_the_whole_organization(quarter_of_sessions, manager_client):
    page = manager_client.get("/meetings/?quarter=2026Q1&scope=all").content.decode()
    assert "Finance only" not in page


def test_another_quarter_can_be_picked_and_a_bad_one_is_refused(
    quarter_of_sessions, manager_client
):
    page = manager_client.get("/meetings/?quarter=2026Q2").content.decode()
    assert "FY2026 Q2" in page and "Quality first" not in groups(page)["due"]
    assert manager_client.get("/meetings/?quarter=2026Q9").status_code == 400
    assert manager_client.get("/meetings/?quarter=nonsense").status_code == 400


def test_htmx_gets_just_the_lists(quarter_of_sessions, manager_client):
    response = manager_client.get("/meetings/?quarter=2026Q1", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="lists"' in body
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(quarter_of_sessions, manager_client):
    response = manager_client.get(
        "/meetings/?quarter=2026Q1",
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    body = response.content.decode()
    assert "<html" in body and 'class="filter-form"' in body
    assert body.count('id="lists"') == 1
    assert "HX-Request" in response["Vary"]


def test_the_whole_page_varies_with_htmx(quarter_of_sessions, manager_client):
    assert "HX-Request" in manager_client.get("/meetings/?quarter=2026Q1")["Vary"]


def test_quarters_follow_the_organizations_fiscal_year(quarter_of_sessions, org, manager_client):
    org.fiscal_year_start_month = 7
    org.save()
    page = manager_client.get("/meetings/").content.decode()
    # 16 February 2026 lies in the third quarter of the fiscal year July 2025 - June 2026.
    assert "FY2026 Q3" in page
    assert "1 Jan 2026 – 31 Mar 2026" in page


def test_other_organizations_sessions_never_show(quarter_of_sessions, outsider_client):
    page = outsider_client.get("/meetings/?quarter=2026Q1&scope=all").content.decode()
    assert "Quality first" not in page and "Cost down" not in page


def test_my_sessions_costs_the_same_queries_for_few_and_many_sessions(
    org, quarter_of_sessions, manager_client, manager_membership, django_assert_num_queries
):
    max_ = manager_membership.member
    manager_client.get("/meetings/")
    with django_assert_num_queries(5):
        few = manager_client.get("/meetings/?quarter=2026Q1")
    for i in range(25):
        p = PartnershipFactory(organization=org, name=f"More {i:02}")
        RelationshipFactory(
            partnership=p,
            from_member=max_,
            to_member=PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES),
        )
        SessionFactory(
            partnership=p,
            facilitator=max_,
            starts_at=datetime.datetime(2026, 3, 1 + i % 28, 9, tzinfo=UTC),
        )
    with django_assert_num_queries(5):
        many = manager_client.get("/meetings/?quarter=2026Q1")
    assert many.content.decode().count("More ") == 25
    assert few.status_code == many.status_code == 200


def test_an_organization_without_partnerships_is_told_where_they_are_formed(
    leader_client, frozen_now
):
    page = leader_client.get("/meetings/?scope=all").content.decode()

    assert "Every partnership has its session" not in page
    assert "No partnership meets this quarter, so there is no session to hold." in page
    assert 'href="/partnerships/">Partnerships</a> page' in page
