"""The session page: who sees and logs what, items added and edited in place, held, stale edits."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest

from meetings.models import (
    ActionItem,
    FeedbackItem,
    ObjectiveProgress,
    Session,
    SessionSuccess,
)
from org.models import Quadrant, Role
from tests.factories import (
    ActionItemFactory,
    OrgMembershipFactory,
    PersonFactory,
    RelationshipFactory,
    SessionFactory,
    SuccessFactory,
)

HX = {"HTTP_HX_REQUEST": "true"}


def url(session, rest=""):
    return f"/meetings/sessions/{session.pk}/{rest}"


# --- who sees what ----------------------------------------------------------------------------


def test_every_role_of_the_organization_sees_the_session_of_its_partnership(
    session, admin_client, leader_client, manager_client, member_client
):
    for client in (admin_client, leader_client, manager_client, member_client):
        response = client.get(url(session))
        assert response.status_code == 200
        assert "Quality first" in response.content.decode()


def test_another_organization_gets_404(session, outsider_client):
    assert outsider_client.get(url(session)).status_code == 404
    assert outsider_client.get(url(session, "session.ics")).status_code == 404
    response = outsider_client.post(url(session, "successes/"), {"success-text": "Mine now"})
    assert response.status_code == 404
    assert not SessionSuccess.objects.exists()


def log_in_a_manager_outside(client, org) -> None:
    """Sign in a manager of the organization who is not in the session's partnership."""
    stranger = OrgMembershipFactory(
        organization=org,
        role=Role.MANAGER,
        member=PersonFactory(organization=org, quadrant=Quadrant.MANAGERS),
    )
    client.force_login(stranger.user)


def test_a_manager_outside_the_partnership_neither_sees_nor_logs_it(session, org, client):
    log_in_a_manager_outside(client, org)
    assert client.get(url(session)).status_code == 404
    response = client.post(url(session, "successes/"), {"success-text": "Not mine"})
    assert response.status_code == 404
    assert not SessionSuccess.objects.exists()


def test_a_member_cannot_write_the_facilitators_log(session, member_client):
    """A member adds their own (tests/meetings/test_contributions.py), not the log's entries."""
    page = member_client.get(url(session)).content.decode()
    assert "Mia Member" in page
    assert ">Add success</button>" not in page
    assert "Mark held" not in page
    response = member_client.post(url(session, "successes/"), {"success-text": "Sneaky"})
    assert response.status_code == 403
    response = member_client.post(url(session, "held/"), {"held-version": 1, "held-attendees": []})
    assert response.status_code == 403
    assert not SessionSuccess.objects.exists()
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED


LOG_SECTIONS = ["successes", "progress", "feedback", "actions"]


def _log_sections(page: str) -> list[str]:
    return re.findall(r'<section id="(\w+)" class="card log-section"', page)


def test_the_log_shows_its_four_sections_in_order_each_with_a_link_to_its_add_form(
    session, manager_client
):
    """The forms that list the partnership's people open on demand (issue 20): the page
    holds a link to each, which works without JavaScript too."""
    page = manager_client.get(url(session)).content.decode()
    assert _log_sections(page) == LOG_SECTIONS
    for kind, label in zip(
        LOG_SECTIONS,
        ["Add success", "Add progress call", "Add feedback", "Add action item"],
        strict=True,
    ):
        assert (
            f'<a class="button" href="{url(session, kind)}/#{kind}" hx-get="{url(session, kind)}/"'
            f' hx-target="#{kind}"'
        ) in page
        assert f">{label}</a>" in page
    assert f'href="{url(session, "held/")}#details"' in page
    assert f'href="{url(session, "details/")}#details"' in page
    for field in ("held-attendees", "details-facilitator", "success-shared_by", "action-owner"):
        assert f'name="{field}"' not in page  # nobody of the partnership listed
    assert "Shared by" not in page and "Who attended" not in page


def test_it_opens_an_add_form_in_its_section_with_htmx(session, manager_client):
    for kind in LOG_SECTIONS:
        response = manager_client.get(url(session, f"{kind}/"), **HX)
        assert response.status_code == 200
        fragment = response.content.decode()
        assert "<html" not in fragment
        assert _log_sections(fragment) == [kind]
        assert f'hx-post="{url(session, kind)}/" hx-target="#{kind}"' in fragment
    successes = manager_client.get(url(session, "successes/"), **HX).content.decode()
    assert "Shared by" in successes and ">Max Manager</option>" in successes
    assert ">Add success</button>" in successes


def test_without_javascript_an_add_link_opens_the_page_with_that_form(session, manager_client):
    page = manager_client.get(url(session, "feedback/")).content.decode()
    assert "<html" in page
    assert _log_sections(page) == LOG_SECTIONS
    assert f'<form method="post" action="{url(session, "feedback/")}"' in page
    assert ">Add feedback</button>" in page
    assert f'<form method="post" action="{url(session, "successes/")}"' not in page
    assert ">Add success</a>" in page


def test_it_opens_who_attended_and_the_details_on_demand(session, manager_client):
    held = manager_client.get(url(session, "held/"), **HX).content.decode()
    assert "<html" not in held and '<section id="details"' in held
    assert "Who attended" in held and "Mia Member" in held
    assert ">Mark held</button>" in held
    details = manager_client.get(url(session, "details/"), **HX).content.decode()
    assert "Facilitator" in details and ">Save changes</button>" in details
    assert '<details class="more" open>' in details
    plain = manager_client.get(url(session, "held/")).content.decode()
    assert "<html" in plain and ">Mark held</button>" in plain


def test_it_opens_cancelling_and_the_agendas_minutes_on_demand(session, manager_client):
    page = manager_client.get(url(session)).content.decode()
    assert f'href="{url(session, "status/")}#details"' in page
    assert f'href="{url(session, "agenda/")}#agenda"' in page
    assert 'name="status-status"' not in page and "Save minutes" not in page
    status = manager_client.get(url(session, "status/"), **HX).content.decode()
    assert "<html" not in status and '<section id="details"' in status
    assert "It did not take place (missed)" in status and ">Change status</button>" in status
    minutes = manager_client.get(url(session, "agenda/"), **HX).content.decode()
    assert "<html" not in minutes and '<section id="agenda"' in minutes
    assert ">Save minutes</button>" in minutes
    assert minutes.count('type="number" name="agenda-') == 4  # the four parts' minutes
    plain = manager_client.get(url(session, "agenda/")).content.decode()
    assert "<html" in plain and ">Save minutes</button>" in plain


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", 200), ("leader", 200), ("manager", 200), ("member", 403), ("outsider", 404)],
)
def test_who_may_open_the_forms_of_the_log(session, role_clients, role, expected):
    forms = ("successes/", "progress/", "feedback/", "actions/", "held/", "details/", "status/")
    for rest in (*forms, "agenda/"):
        response = role_clients[role].get(url(session, rest), **HX)
        assert response.status_code == expected, rest
        if expected != 200:
            assert "Who attended" not in response.content.decode()
            assert "Shared by" not in response.content.decode()


def test_a_manager_outside_the_partnership_cannot_open_its_forms(session, org, client):
    log_in_a_manager_outside(client, org)
    for rest in ("successes/", "held/", "details/", "status/", "agenda/"):
        assert client.get(url(session, rest), **HX).status_code == 404


def test_a_member_sees_the_four_sections_with_only_their_own_add_forms(session, member_client):
    page = member_client.get(url(session)).content.decode()
    assert _log_sections(page) == LOG_SECTIONS
    assert "hx-post" not in page.split('id="agenda"')[1]  # none of the log's own forms
    for kind in ("agenda", "successes", "feedback"):
        assert f'action="{url(session, f"add/{kind}/")}" class="log-form"' in page
    assert page.count('class="log-form"') == 3


def test_a_refused_entry_comes_back_in_its_own_section_only(session, manager_client):
    for kind in LOG_SECTIONS:
        fragment = manager_client.post(url(session, f"{kind}/"), {}, **HX).content.decode()
        assert _log_sections(fragment) == [kind]


def test_a_member_does_not_see_sessions_of_other_partnerships(session, org, member_client):
    other = SessionFactory(partnership__organization=org)
    assert member_client.get(url(other)).status_code == 404


# --- adding to the log ------------------------------------------------------------------------


def test_it_adds_a_success_in_place_with_htmx(session, manager_client, manager_membership):
    response = manager_client.post(
        url(session, "successes/"),
        {
            "success-text": "Returns fell by a third",
            "success-shared_by": manager_membership.member.pk,
        },
        **HX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="successes"' in body
    assert "Returns fell by a third" in body
    assert "Shared by <bdi>Max Manager</bdi>" in body
    success = SessionSuccess.objects.get()
    assert success.session == session
    assert success.organization == session.organization
    assert success.shared_by == manager_membership.member


def test_it_adds_a_success_without_javascript(session, manager_client):
    response = manager_client.post(url(session, "successes/"), {"success-text": "Fewer defects"})
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/sessions/{session.pk}/#successes"
    assert SessionSuccess.objects.get().text == "Fewer defects"


def test_an_empty_entry_is_refused_with_a_message_and_htmx_still_swaps_it(session, manager_client):
    response = manager_client.post(url(session, "successes/"), {"success-text": "  "}, **HX)
    assert response.status_code == 200
    assert "Describe the success." in response.content.decode()
    response = manager_client.post(url(session, "successes/"), {"success-text": ""})
    assert response.status_code == 400
    assert "Describe the success." in response.content.decode()
    assert not SessionSuccess.objects.exists()


def test_it_logs_feedback_progress_and_an_action_item(
    session, manager_client, member_membership, manager_membership
):
    mia, max_ = member_membership.member, manager_membership.member
    objective = session.partnership.objective
    manager_client.post(
        url(session, "feedback/"),
        {"feedback-from_member": mia.pk, "feedback-text": "Checklists are too long"},
        **HX,
    )
    manager_client.post(
        url(session, "progress/"),
        {
            "progress-objective": objective.pk,
            "progress-call": "at_risk",
            "progress-note": "Supplier delays",
        },
        **HX,
    )
    response = manager_client.post(
        url(session, "actions/"),
        {
            "action-text": "Shorten the checklist",
            "action-owner": max_.pk,
            "action-due_on": "2026-03-06",
        },
        **HX,
    )
    assert "Shorten the checklist" in response.content.decode()
    feedback = FeedbackItem.objects.get()
    assert (feedback.from_member, feedback.text) == (mia, "Checklists are too long")
    progress = ObjectiveProgress.objects.get()
    assert (progress.objective, progress.call, progress.note) == (
        objective,
        "at_risk",
        "Supplier delays",
    )
    action = ActionItem.objects.get()
    assert (action.owner, action.due_on, action.done_on) == (max_, datetime.date(2026, 3, 6), None)


def test_an_owner_from_outside_the_partnership_is_refused(session, org, manager_client):
    outsider = PersonFactory(organization=org)
    response = manager_client.post(
        url(session, "actions/"), {"action-text": "Do it", "action-owner": outsider.pk}, **HX
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ActionItem.objects.exists()


def test_a_second_call_on_the_same_objective_is_refused_clearly(session, manager_client):
    data = {"progress-objective": session.partnership.objective.pk, "progress-call": "on_track"}
    manager_client.post(url(session, "progress/"), data, **HX)
    response = manager_client.post(url(session, "progress/"), data, **HX)
    assert "already has a progress call" in response.content.decode()
    assert ObjectiveProgress.objects.count() == 1


# --- editing in place, and stale edits --------------------------------------------------------


def test_it_edits_an_item_in_place(session, manager_client):
    success = SuccessFactory(session=session, text="Old words")
    form = manager_client.get(f"/meetings/log/successes/{success.pk}/edit/", **HX)
    assert form.status_code == 200
    assert "<html" not in form.content.decode()
    assert f'name="success-{success.pk}-version" value="1"' in form.content.decode()
    response = manager_client.post(
        f"/meetings/log/successes/{success.pk}/edit/",
        {f"success-{success.pk}-text": "New words", f"success-{success.pk}-version": 1},
        **HX,
    )
    assert response.status_code == 200
    assert "New words" in response.content.decode()
    assert f'id="success-{success.pk}"' in response.content.decode()
    success.refresh_from_db()
    assert (success.text, success.version) == ("New words", 2)


def test_editing_works_without_javascript(session, manager_client):
    success = SuccessFactory(session=session, text="Old words")
    page = manager_client.get(f"/meetings/log/successes/{success.pk}/edit/")
    assert "<html" in page.content.decode()
    response = manager_client.post(
        f"/meetings/log/successes/{success.pk}/edit/",
        {f"success-{success.pk}-text": "Plain form", f"success-{success.pk}-version": 1},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#successes")
    success.refresh_from_db()
    assert success.text == "Plain form"


def test_the_second_save_of_a_stale_form_is_refused_and_the_newer_text_kept(
    session, manager_client, leader_client
):
    success = SuccessFactory(session=session, text="Original")
    field = f"success-{success.pk}"
    # Both opened the form at version 1; the leader saves first.
    first = leader_client.post(
        f"/meetings/log/successes/{success.pk}/edit/",
        {f"{field}-text": "Leader's version", f"{field}-version": 1},
        **HX,
    )
    assert first.status_code == 200
    second = manager_client.post(
        f"/meetings/log/successes/{success.pk}/edit/",
        {f"{field}-text": "Manager's version", f"{field}-version": 1},
        **HX,
    )
    body = second.content.decode()
    assert second.status_code == 200  # htmx swaps it in
    assert "Someone else saved this" in body
    assert "Leader&#x27;s version" in body
    assert f'name="{field}-version" value="2"' in body
    success.refresh_from_db()
    assert (success.text, success.version) == ("Leader's version", 2)
    plain = manager_client.post(
        f"/meetings/log/successes/{success.pk}/edit/",
        {f"{field}-text": "Manager again", f"{field}-version": 1},
    )
    assert plain.status_code == 409
    success.refresh_from_db()
    assert success.text == "Leader's version"


def test_a_stale_session_form_is_refused(session, manager_client, leader_client):
    fields = {
        "details-version": 1,
        "details-date": "2026-02-20",
        "details-time": "13:00",
        "details-duration_minutes": 90,
        "details-place": "Room 4",
        "details-video_link": "",
        "details-facilitator": session.facilitator_id,
    }
    assert leader_client.post(url(session, "details/"), fields, **HX).status_code == 200
    response = manager_client.post(
        url(session, "details/"), {**fields, "details-place": "Cafe"}, **HX
    )
    assert "Someone else saved this" in response.content.decode()
    session.refresh_from_db()
    assert (session.place, session.version) == ("Room 4", 2)


# --- holding the session ----------------------------------------------------------------------


def test_it_marks_the_session_held_with_who_attended(
    session, manager_client, leader_membership, manager_membership
):
    response = manager_client.post(
        url(session, "held/"),
        {
            "held-version": 1,
            "held-attendees": [leader_membership.member.pk, manager_membership.member.pk],
        },
        **HX,
    )
    assert response.status_code == 200
    assert "Held" in response.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.HELD
    assert session.held_at is not None
    assert set(session.attendees.all()) == {leader_membership.member, manager_membership.member}
    assert session.version == 2


def test_marking_held_without_attendees_is_refused(session, manager_client):
    response = manager_client.post(url(session, "held/"), {"held-version": 1}, **HX)
    assert "Tick who attended." in response.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED


def test_it_cancels_a_session(session, leader_client):
    response = leader_client.post(
        url(session, "status/"), {"status-version": 1, "status-status": "cancelled"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED


def test_moving_a_session_uses_the_organizations_time_zone_and_marks_it_by_hand(
    session, org, leader_client
):
    org.time_zone = "Europe/Berlin"
    org.save()
    response = leader_client.post(
        url(session, "details/"),
        {
            "details-version": 1,
            "details-date": "2026-03-30",  # the Monday after Berlin's change to summer time
            "details-time": "09:00",
            "details-duration_minutes": 60,
            "details-place": "",
            "details-video_link": "meet.example.com/quality",
            "details-facilitator": session.facilitator_id,
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == datetime.datetime(2026, 3, 30, 7, 0, tzinfo=datetime.UTC)
    assert session.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).hour == 9
    assert session.moved_by_hand
    assert session.video_link == "https://meet.example.com/quality"
    page = leader_client.get(url(session)).content.decode()
    assert "Mon 30 Mar 2026, 09:00–10:00" in page
    assert "Europe/Berlin" in page


def test_a_session_cannot_be_moved_into_another_quarter(session, leader_client):
    response = leader_client.post(
        url(session, "details/"),
        {
            "details-version": 1,
            "details-date": "2026-04-02",
            "details-time": "09:00",
            "details-duration_minutes": 90,
            "details-facilitator": session.facilitator_id,
        },
    )
    assert response.status_code == 400
    assert "Keep the session inside FY2026 Q1" in response.content.decode()
    session.refresh_from_db()
    assert session.starts_at.month == 2


def test_a_duration_outside_15_to_480_minutes_is_refused(session, leader_client):
    response = leader_client.post(
        url(session, "details/"),
        {
            "details-version": 1,
            "details-date": "2026-02-20",
            "details-time": "09:00",
            "details-duration_minutes": 500,
            "details-facilitator": session.facilitator_id,
        },
        **HX,
    )
    assert "less than or equal to 480" in response.content.decode()
    session.refresh_from_db()
    assert session.duration_minutes == 90


# --- since the last session -------------------------------------------------------------------


@pytest.fixture
def history(session, leader_membership, manager_membership):
    """Two earlier sessions of the same partnership with their logs."""
    lee, max_ = leader_membership.member, manager_membership.member
    q3 = SessionFactory(
        partnership=session.partnership,
        facilitator=lee,
        starts_at=datetime.datetime(2025, 8, 12, 9, tzinfo=datetime.UTC),
        status=Session.Status.HELD,
    )
    q4 = SessionFactory(
        partnership=session.partnership,
        facilitator=lee,
        starts_at=datetime.datetime(2025, 11, 12, 9, tzinfo=datetime.UTC),
        status=Session.Status.HELD,
    )
    old_open = ActionItemFactory(session=q3, text="Write the quality handbook", owner=lee)
    ActionItemFactory(
        session=q3, text="Done long ago", owner=lee, done_on=datetime.date(2025, 9, 1)
    )
    done = ActionItemFactory(
        session=q4, text="Visit the night shift", owner=max_, done_on=datetime.date(2025, 12, 1)
    )
    still_open = ActionItemFactory(session=q4, text="Train two auditors", owner=max_)
    SuccessFactory(session=q4, text="Zero returns in October")
    ObjectiveProgress.objects.create(
        organization=session.organization,
        session=q4,
        objective=session.partnership.objective,
        call="at_risk",
    )
    ObjectiveProgress.objects.create(
        organization=session.organization,
        session=session,
        objective=session.partnership.objective,
        call="on_track",
    )
    return {"q3": q3, "q4": q4, "old_open": old_open, "done": done, "still_open": still_open}


def test_it_shows_what_came_of_the_last_session(session, history, manager_client):
    page = manager_client.get(url(session)).content.decode()
    since = page[page.index('id="since"') : page.index('id="successes"')]
    assert "FY2025 Q4" in since
    assert "Visit the night shift" in since and "Done 1 Dec 2025" in since
    assert "Train two auditors" in since
    # the open item from two sessions ago carries forward; the closed one does not
    assert "Write the quality handbook" in since and "from the FY2025 Q3 session" in since
    assert "Done long ago" not in since
    assert "2 action items still open" in since
    assert "Zero returns in October" in since
    assert "At risk" in since and "On track" in since and "Better" in since


def test_an_open_item_is_closed_from_the_next_sessions_page(
    session, history, manager_client, frozen_now
):
    item = history["still_open"]
    response = manager_client.post(
        f"/meetings/log/actions/{item.pk}/done/",
        {"version": 1, "done": "on", "origin": "on", "back_to_session": session.pk},
        **HX,
    )
    assert response.status_code == 200
    assert "Done 16 Feb 2026" in response.content.decode()
    item.refresh_from_db()
    assert item.done_on == datetime.date(2026, 2, 16)
    plain = manager_client.post(
        f"/meetings/log/actions/{item.pk}/done/",
        {"version": 2, "back_to_session": session.pk},
    )
    assert plain["Location"] == f"/meetings/sessions/{session.pk}/#actions"
    item.refresh_from_db()
    assert item.done_on is None


def test_the_first_session_says_there_is_nothing_to_look_back_on(session, manager_client):
    assert "first session" in manager_client.get(url(session)).content.decode()


# --- query counts -----------------------------------------------------------------------------


def _grow(session, people, items):
    """Make the partnership and the log bigger: more members, more entries of each kind."""
    lee = session.facilitator
    for _ in range(people):
        RelationshipFactory(
            partnership=session.partnership,
            from_member=lee,
            to_member=PersonFactory(organization=session.organization, quadrant=Quadrant.EMPLOYEES),
        )
    org = session.organization
    for i in range(items):
        SuccessFactory(session=session, text=f"S{i}", shared_by=lee)
        FeedbackItem.objects.create(
            organization=org, session=session, text=f"F{i}", from_member=lee
        )
        ActionItemFactory(session=session, owner=lee)


def test_the_session_page_costs_the_same_queries_for_a_small_and_a_big_log(
    session, history, manager_client, django_assert_num_queries
):
    manager_client.get(url(session))  # warm the session and the organization caches
    _grow(session, people=1, items=1)
    # (the data versions the page is kept under, one; the session with whether the manager
    # may log it, and the one before it, two; their logs together, six, the action items
    # with the older ones still open among them; the agenda: the successes since the last
    # session, the weakest pulse dimension, and the partnership's health risks, four when
    # not cached; the people of the partnership are not loaded: the forms that list them
    # open on demand. The log just grew, so nothing of the page is in the cache.)
    with django_assert_num_queries(19):
        small = manager_client.get(url(session))
    _grow(session, people=30, items=40)
    with django_assert_num_queries(19):
        big = manager_client.get(url(session))
    assert small.status_code == big.status_code == 200
    assert big.content.decode().count('class="log-item') > small.content.decode().count(
        'class="log-item'
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [("admin", 302), ("leader", 302), ("manager", 302), ("member", 403), ("outsider", 404)],
)
def test_who_may_log_a_session(session, role_clients, role, expected):
    response = role_clients[role].post(url(session, "successes/"), {"success-text": f"By {role}"})
    assert response.status_code == expected
    assert SessionSuccess.objects.filter(text=f"By {role}").exists() == (expected == 302)


def test_a_held_sessions_page_costs_fewer_queries_than_one_to_come(
    session, history, manager_client, django_assert_num_queries
):
    """Once held, the agenda shows what people added, not the data of today (issue 20): the
    page `make bench` times at 10,000 members (bench/run.py pins the same count)."""
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    manager_client.get(url(session))
    _grow(session, people=30, items=40)
    with django_assert_num_queries(12):
        page = manager_client.get(url(session)).content.decode()
    assert "what people put on its agenda" in page


@pytest.mark.parametrize("held", [False, True])
def test_the_session_page_asked_again_costs_four_queries(
    session, history, manager_client, django_assert_num_queries, held
):
    """Kept in the cache under the data versions: the login's three queries and the versions'
    one, planned or held, however big the log (the page `make bench` times)."""
    if held:
        Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    _grow(session, people=30, items=40)
    first = manager_client.get(url(session)).content.decode()
    with django_assert_num_queries(4):
        again = manager_client.get(url(session)).content.decode()
    assert again.count('class="log-item') == first.count('class="log-item') > 40


@pytest.mark.parametrize("kind", [*LOG_SECTIONS, "held", "details", "status", "agenda"])
def test_opening_a_form_costs_the_same_queries_for_a_small_and_a_big_partnership(
    session, history, manager_client, django_assert_num_queries, kind
):
    """A form opened in place: the section (the details, the agenda) with the form open, for
    htmx. The page's queries and two more, the session loaded to authorise and whether the
    person may log it; the partnership's people, two more, for the forms that list them; the
    objectives one more for a progress call; who attended starts from the invited, one."""
    manager_client.get(url(session))
    _grow(session, people=1, items=1)
    expected = {"progress": 22, "held": 22, "status": 19, "agenda": 19}.get(kind, 21)
    with django_assert_num_queries(expected):
        small = manager_client.get(url(session, f"{kind}/"), **HX)
    _grow(session, people=30, items=40)
    with django_assert_num_queries(expected):
        big = manager_client.get(url(session, f"{kind}/"), **HX)
    assert small.status_code == big.status_code == 200
    if kind in ("successes", "feedback", "actions", "held"):  # the thirty new people listed
        assert len(big.content) > len(small.content)
