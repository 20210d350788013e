"""The partnership pulse: at a held session each attendee rates the other side of their
relationships, seven ratings from 1 to 5; entering them again corrects them, with history."""

from __future__ import annotations

import pytest

from meetings.models import PULSE_FIELDS, MeasurementChange, PulseRating, Session
from partnerships.models import Relationship

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def held(session):
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    session.refresh_from_db()
    return session


def url(session) -> str:
    return f"/meetings/sessions/{session.pk}/pulse/"


def relationship(from_name: str, to_name: str) -> Relationship:
    return Relationship.objects.get(from_member__name=from_name, to_member__name=to_name)


def form(relationship, rater, *, version=0, **ratings) -> dict:
    data = {"pulse-pair": f"{relationship.pk}-{rater.pk}", "pulse-version": version}
    for name in PULSE_FIELDS:
        data[f"pulse-{name}"] = ratings.get(name, 4)
    return data


def test_a_manager_enters_the_pulse_of_each_side(
    held, manager_client, manager_membership, member_membership
):
    max_, mia = manager_membership.member, member_membership.member
    influence = relationship("Max Manager", "Mia Member")
    response = manager_client.post(url(held), form(influence, max_, frequent=2, timely=3))
    assert response.status_code == 302
    response = manager_client.post(url(held), form(influence, mia, mutual_respect=5), **HX)
    assert response.status_code == 200
    assert "Saved the pulse of Mia Member about Max Manager." in response.content.decode()

    by_rater = {r.rater_id: r for r in PulseRating.objects.all()}
    assert (by_rater[max_.pk].rater_quadrant, by_rater[max_.pk].other_quadrant) == ("M", "E")
    assert (by_rater[mia.pk].rater_quadrant, by_rater[mia.pk].other_quadrant) == ("E", "M")
    assert (by_rater[max_.pk].frequent, by_rater[max_.pk].timely) == (2, 3)
    assert by_rater[mia.pk].mutual_respect == 5
    assert MeasurementChange.objects.filter(pulse__isnull=False).count() == 14


def test_a_rating_outside_1_to_5_is_refused_and_nothing_is_saved(
    held, manager_client, manager_membership
):
    influence = relationship("Max Manager", "Mia Member")
    response = manager_client.post(
        url(held), form(influence, manager_membership.member, accurate=6)
    )
    assert response.status_code == 400
    assert "Ratings go from 1 to 5." in response.content.decode()
    htmx = manager_client.post(
        url(held), form(influence, manager_membership.member, accurate=0), **HX
    )
    assert htmx.status_code == 200
    assert "Ratings go from 1 to 5." in htmx.content.decode()
    assert not PulseRating.objects.exists()


def test_a_missing_rating_is_named(held, manager_client, manager_membership):
    data = form(relationship("Max Manager", "Mia Member"), manager_membership.member)
    del data["pulse-shared_goals"]
    response = manager_client.post(url(held), data)
    assert "Rate “shares our goals” from 1 to 5." in response.content.decode()
    assert not PulseRating.objects.exists()


def test_a_correction_keeps_the_old_ratings_in_the_history(held, leader_client, leader_membership):
    direct = relationship("Lee Leader", "Max Manager")
    lee = leader_membership.member
    leader_client.post(url(held), form(direct, lee, frequent=4, timely=4))
    editing = leader_client.get(f"{url(held)}?pair={direct.pk}-{lee.pk}").content.decode()
    assert 'name="pulse-version" value="1"' in editing
    leader_client.post(url(held), form(direct, lee, version=1, frequent=2, timely=4))
    rating = PulseRating.objects.get()
    assert (rating.frequent, rating.timely, rating.version) == (2, 4, 2)
    corrections = list(
        MeasurementChange.objects.filter(pulse=rating, old_value__gt="").values_list(
            "field", "old_value", "new_value", "changed_by__username"
        )
    )
    assert corrections == [("frequent", "4", "2", "lee_leader")]
    stale = leader_client.post(url(held), form(direct, lee, version=1, frequent=1))
    assert stale.status_code == 409
    assert PulseRating.objects.get().frequent == 2


def test_only_attendees_rate_and_only_their_own_relationships(held, manager_client, org):
    from tests.factories import PersonFactory, RelationshipFactory

    newcomer = PersonFactory(organization=org, quadrant="E", name="Nia Newcomer")
    outside = RelationshipFactory(
        partnership=held.partnership,
        from_member=Relationship.objects.first().from_member,
        to_member=newcomer,
    )
    response = manager_client.post(url(held), form(outside, newcomer))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not PulseRating.objects.exists()


def test_an_attendee_without_logging_rights_gives_only_their_own(
    held, member_client, member_membership, manager_membership
):
    page = member_client.get(url(held)).content.decode()
    assert "Mia Member about Max Manager" in page
    assert "Max Manager about Mia Member" not in page
    influence = relationship("Max Manager", "Mia Member")
    refused = member_client.post(url(held), form(influence, manager_membership.member))
    assert refused.status_code == 400
    mine = member_client.post(url(held), form(influence, member_membership.member))
    assert mine.status_code == 302
    assert PulseRating.objects.get().rater == member_membership.member


def test_a_planned_session_takes_no_pulse_yet(session, manager_client, manager_membership):
    influence = relationship("Max Manager", "Mia Member")
    response = manager_client.post(url(session), form(influence, manager_membership.member))
    assert response.status_code == 400
    assert "mark the session held first" in response.content.decode()
    assert not PulseRating.objects.exists()


def test_someone_who_did_not_attend_gets_403(held, org, client):
    from org.models import Role
    from tests.factories import OrgMembershipFactory

    Session.attendees.through.objects.filter(session=held, member__name="Mia Member").delete()
    login = OrgMembershipFactory(
        organization=org,
        role=Role.MEMBER,
        member=Relationship.objects.get(from_member__name="Max Manager").to_member,
    )
    client.force_login(login.user)
    assert client.get(url(held)).status_code == 403


def test_another_organization_gets_404(held, outsider_client, manager_membership):
    influence = relationship("Max Manager", "Mia Member")
    assert outsider_client.get(url(held)).status_code == 404
    assert (
        outsider_client.post(url(held), form(influence, manager_membership.member)).status_code
        == 404
    )
    assert not PulseRating.objects.exists()


def test_the_pulse_export_lists_every_rating(
    held, leader_client, manager_client, manager_membership
):
    influence = relationship("Max Manager", "Mia Member")
    manager_client.post(url(held), form(influence, manager_membership.member, frequent=2))
    lines = leader_client.get("/meetings/export/pulse.csv").content.decode().splitlines()
    assert lines[0] == (
        "quarter,partnership,rater,rater_quadrant,about,about_quadrant,frequent,timely,"
        "accurate,problem_solving,shared_goals,shared_knowledge,mutual_respect"
    )
    assert lines[1] == "FY2026 Q1,Quality first,Max Manager,M,Mia Member,E,2,4,4,4,4,4,4"
    assert manager_client.get("/meetings/export/pulse.csv").status_code == 403


def test_the_pulse_page_costs_the_same_queries_for_few_and_many(
    held, org, manager_client, manager_membership, django_assert_num_queries
):
    from tests.factories import PersonFactory, RelationshipFactory

    influence = relationship("Max Manager", "Mia Member")
    manager_client.post(url(held), form(influence, manager_membership.member))
    # (one of them: whether the manager belongs to the partnership today, so enters for all)
    with django_assert_num_queries(8):
        few = manager_client.get(url(held))
    max_ = manager_membership.member
    for _ in range(12):
        employee = PersonFactory(organization=org, quadrant="E")
        extra = RelationshipFactory(
            partnership=held.partnership, from_member=max_, to_member=employee
        )
        held.attendees.add(employee)
        manager_client.post(url(held), form(extra, employee))
    with django_assert_num_queries(8):
        many = manager_client.get(url(held))
    assert many.content.decode().count('Correct<span class="visually-hidden"> the pulse') == 13
    assert few.status_code == many.status_code == 200
