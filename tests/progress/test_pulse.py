"""The partnership pulse, given by each person: at a held session each attendee answers once,
with their own login, whether the session was worth its time and how each other quadrant of
the partnership communicates and relates. Nobody enters anyone else's."""

from __future__ import annotations

import pytest

from meetings.models import (
    PULSE_FIELDS,
    PulseGiven,
    PulseRating,
    Session,
    SessionRating,
)
from org.models import AuditEntry, WriteKey
from tests.factories import PersonFactory, RelationshipFactory


@pytest.fixture
def held(session):
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    session.refresh_from_db()
    return session


def url(session) -> str:
    return f"/meetings/sessions/{session.pk}/pulse/"


def answers(quadrants, *, worth=4, once="", **ratings) -> dict:
    data = {"pulse-worth": worth}
    if once:
        data["once"] = once
    for quadrant in quadrants:
        for name in PULSE_FIELDS:
            data[f"pulse-{quadrant}_{name}"] = ratings.get(name, 4)
    return data


def test_an_attendee_gives_their_own_pulse_once(held, member_client, member_membership):
    mia = member_membership.member  # an employee; the triad's others lead and manage
    page = member_client.get(url(held)).content.decode()
    assert "Was this session worth its time?" in page
    assert "Leadership" in page and "Managers" in page
    response = member_client.post(url(held), answers("LM", worth=5, frequent=2))
    assert response.status_code == 302
    rows = {r.other_quadrant: r for r in PulseRating.objects.all()}
    assert set(rows) == {"L", "M"}
    assert all(
        r.rater == mia and r.rater_quadrant == "E" and r.relationship is None for r in rows.values()
    )
    assert (rows["M"].frequent, rows["M"].timely) == (2, 4)
    assert SessionRating.objects.get().value == 5
    assert PulseGiven.objects.get().via == "login"
    after = member_client.get(url(held)).content.decode()
    assert "You have already given your pulse for this session." in after
    assert "Give my pulse" not in after
    again = member_client.post(url(held), answers("LM", worth=1))
    assert again.status_code == 400
    assert "You have already given your pulse for this session." in again.content.decode()
    assert SessionRating.objects.get().value == 5
    assert PulseRating.objects.count() == 2


def test_the_audit_trail_says_who_answered_never_what(held, member_client, admin_client):
    member_client.post(url(held), answers("LM", worth=2, frequent=1))
    entry = AuditEntry.objects.get()
    assert (entry.object_type, entry.action, entry.changes) == ("pulse_given", "created", {})
    page = admin_client.get("/org/audit/").content.decode()
    assert "Pulse given" in page


def test_a_double_click_stores_once_and_answers_as_the_first(held, member_client):
    first = member_client.post(url(held), answers("LM", once="k" * 20))
    second = member_client.post(url(held), answers("LM", once="k" * 20))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert SessionRating.objects.count() == 1 and PulseRating.objects.count() == 2
    assert WriteKey.objects.count() == 1


def test_a_rating_outside_1_to_5_is_refused_and_nothing_is_saved(held, member_client):
    response = member_client.post(url(held), answers("LM", accurate=6))
    assert response.status_code == 400
    assert "Ratings go from 1 to 5." in response.content.decode()
    assert not PulseRating.objects.exists() and not SessionRating.objects.exists()
    assert not PulseGiven.objects.exists()


def test_a_missing_answer_is_named(held, member_client):
    data = answers("LM")
    del data["pulse-M_shared_goals"]
    del data["pulse-worth"]
    response = member_client.post(url(held), data)
    page = response.content.decode()
    assert "Rate “shares our goals” for managers from 1 to 5." in page
    assert "Say whether the session was worth its time, from 1 to 5." in page
    assert not PulseRating.objects.exists()


def test_one_rates_only_the_other_quadrants_of_the_partnership(held, manager_client):
    # the manager rates leadership and employees, not managers, and no quadrant not there
    page = manager_client.get(url(held)).content.decode()
    assert 'name="pulse-M_frequent"' not in page and 'name="pulse-T_frequent"' not in page
    response = manager_client.post(url(held), answers("LE") | answers("T"))
    assert response.status_code == 302
    assert sorted(PulseRating.objects.values_list("other_quadrant", flat=True)) == ["E", "L"]


def test_a_planned_session_takes_no_pulse_yet(session, member_client):
    page = member_client.get(url(session)).content.decode()
    assert "The pulse is given once the session is held" in page
    response = member_client.post(url(session), answers("LM"))
    assert response.status_code == 400
    assert not PulseRating.objects.exists() and not SessionRating.objects.exists()


def test_who_did_not_attend_sees_the_groups_but_gives_no_pulse(held, member_client, admin_client):
    Session.attendees.through.objects.filter(session=held, member__name="Mia Member").delete()
    page = member_client.get(url(held)).content.decode()
    assert "Only the session&#x27;s attendees give its pulse." in page
    assert member_client.post(url(held), answers("LM")).status_code == 403
    assert admin_client.post(url(held), answers("LM")).status_code == 403  # no person: none
    assert not PulseRating.objects.exists()


def test_another_organization_gets_404(held, outsider_client):
    assert outsider_client.get(url(held)).status_code == 404
    assert outsider_client.post(url(held), answers("LM")).status_code == 404
    assert not PulseRating.objects.exists()


def test_the_pulse_page_costs_the_same_queries_for_few_and_many(
    held, org, leader_client, member_client, django_assert_num_queries
):
    member_client.post(url(held), answers("LM"))
    with django_assert_num_queries(10):
        few = leader_client.get(url(held))
    lee = held.facilitator
    for _ in range(12):
        employee = PersonFactory(organization=org, quadrant="E")
        RelationshipFactory(partnership=held.partnership, from_member=lee, to_member=employee)
        held.attendees.add(employee)
        from meetings.progress.services import pulse_give

        pulse_give(
            session=held,
            member=employee,
            worth=3,
            pulse={q: dict.fromkeys(PULSE_FIELDS, 3) for q in "LM"},
            via="login",
        )
    with django_assert_num_queries(10):
        many = leader_client.get(url(held))
    assert few.status_code == many.status_code == 200
    assert "13 of this session's attendees have answered" in many.content.decode()
