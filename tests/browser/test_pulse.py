"""Two attendees each give their own pulse through their own login; the leader's dashboard
shows "fewer than 5 answers" for the employees' view of leadership until the fifth."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from meetings.models import PULSE_FIELDS, Session
from meetings.progress.services import pulse_give
from org.models import Role
from tests.browser.test_checklist import PASSWORD
from tests.factories import OrgMembershipFactory, PersonFactory, RelationshipFactory
from tests.meetings.conftest import frozen_now, session, triad  # noqa: F401 - fixtures


@pytest.fixture
def held(session, org):  # noqa: F811
    """The triad's session, held, with three employees who answered already."""
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    session.refresh_from_db()
    for i in range(3):
        person = PersonFactory(organization=org, quadrant="E", name=f"Early {i}")
        RelationshipFactory(
            partnership=session.partnership, from_member=session.facilitator, to_member=person
        )
        session.attendees.add(person)
        pulse_give(
            session=session,
            member=person,
            worth=4,
            pulse={q: dict.fromkeys(PULSE_FIELDS, 4) for q in "LM"},
            via="link",
        )
    return session


def log_in(tab: Page, username: str) -> None:
    tab.goto("/login/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    tab.wait_for_url(lambda url: "/login/" not in url)
    tab.wait_for_load_state()


def give_pulse(tab: Page, session_pk: int, value: int) -> None:
    tab.goto(f"/meetings/sessions/{session_pk}/pulse/")
    tab.locator(f'input[name="pulse-worth"][value="{value}"]').check()
    for quadrant in "LM":
        for name in PULSE_FIELDS:
            tab.locator(f'input[name="pulse-{quadrant}_{name}"][value="{value}"]').check()
    tab.get_by_role("button", name="Give my pulse").click()
    expect(tab.get_by_text("Thank you: your pulse is in.")).to_be_visible()
    expect(tab.get_by_text("You have already given your pulse for this session.")).to_be_visible()


def employees_about_leadership(leader: Page):
    leader.goto("/meetings/progress/")
    table = leader.locator("table.pulse-flows")
    return table.locator("tr", has=leader.locator(".q-E")).filter(has=leader.locator(".q-L")).first


def test_two_attendees_rate_and_the_dashboard_waits_for_the_fifth(
    open_tab,
    held,
    org,
    leader_membership,
    member_membership,
):
    nia = PersonFactory(organization=org, quadrant="E", name="Nia Newhire")
    RelationshipFactory(partnership=held.partnership, from_member=held.facilitator, to_member=nia)
    held.attendees.add(nia)
    OrgMembershipFactory(
        organization=org, role=Role.MEMBER, user__username="nia_newhire", member=nia
    )

    leader = open_tab()
    log_in(leader, "lee_leader")
    expect(employees_about_leadership(leader)).to_contain_text("Fewer than 5 answers")

    mia = open_tab(viewport={"width": 390, "height": 844})
    log_in(mia, "mia_member")
    give_pulse(mia, held.pk, 2)
    expect(employees_about_leadership(leader)).to_contain_text("Fewer than 5 answers")  # four

    nia_tab = open_tab()
    log_in(nia_tab, "nia_newhire")
    give_pulse(nia_tab, held.pk, 2)
    row = employees_about_leadership(leader)  # five: (3 x 4 + 2 x 2) / 5 = 3.2
    expect(row).not_to_contain_text("Fewer than 5 answers")
    expect(row).to_contain_text("3.2")
