"""Picking the two members of a new relationship by search, never from a list of everyone."""

from __future__ import annotations

import datetime

import pytest

from org.models import Member, Quadrant
from partnerships.models import Relationship
from partnerships.services import relationship_add
from tests.factories import ObjectiveFactory, PartnershipFactory, PersonFactory

D = datetime.date


def _search(client, partnership, side, text, **params):
    return client.get(
        f"/partnerships/{partnership.pk}/relationships/members/{side}/",
        {f"{side}_query": text, **params},
        headers={"HX-Request": "true"},
    )


def _post(client, partnership, **data):
    data = {"starts_on": "2024-03-01", "carries": "zero defects", **data}
    return client.post(f"/partnerships/{partnership.pk}/relationships/", data)


# --- the HTMX fragment ---------------------------------------------------------------------


def test_it_lists_the_members_matching_the_text_as_radio_buttons(leader_client, quality, org):
    PersonFactory(organization=org, name="Mira Quay", title="Quality Auditor")
    response = _search(leader_client, quality.drive, "to", "QUAL")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="to-choices"')
    assert [m.name for m in response.context["choices"].members] == ["Mira Quay"]
    mira = Member.objects.get(name="Mira Quay")
    assert f'<input type="radio" name="to_member" value="{mira.pk}">' in body


def test_it_shows_at_most_twenty_matches(leader_client, quality, org):
    Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"Ann {i:02d}", active_from=D(2020, 1, 1))
        for i in range(30)
    )
    response = _search(leader_client, quality.drive, "from", "ann")
    choices = response.context["choices"]
    assert len(choices.members) == 20
    assert choices.more
    assert response.content.decode().count('type="radio"') == 20
    assert "type more of the name" in response.content.decode()


def test_the_member_picked_so_far_stays_first_and_checked(leader_client, quality):
    response = _search(leader_client, quality.drive, "from", "max", from_member=quality.lee.pk)
    members = [m.name for m in response.context["choices"].members]
    assert members == ["Lee Leader", "Max Manager"]
    assert f'value="{quality.lee.pk}" checked' in response.content.decode()


def test_it_finds_neither_former_members_nor_another_organizations(
    leader_client, quality, org, other_org
):
    PersonFactory(organization=other_org, name="Secret Sam")
    PersonFactory(
        organization=org, name="Sam Gone", active_from=D(2020, 1, 1), active_until=D(2021, 1, 1)
    )
    response = _search(leader_client, quality.drive, "to", "sam")
    assert response.context["choices"].members == []
    assert "No active member matches “sam”." in response.content.decode()


def test_the_search_answers_400_to_garbled_input_and_404_to_an_unknown_side(leader_client, quality):
    assert _search(leader_client, quality.drive, "to", "x" * 101).status_code == 400
    assert _search(leader_client, quality.drive, "to", "a", to_member="me").status_code == 400
    assert _search(leader_client, quality.drive, "via", "a").status_code == 404


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("outsider", 404)])
def test_the_search_follows_the_add_permission(role, status, role_clients, quality):
    assert _search(role_clients[role], quality.drive, "to", "lee").status_code == status


def test_the_search_costs_the_same_for_few_and_many_members(
    leader_client, quality, org, django_assert_num_queries
):
    # session, user, roles, the partnership (and the manager check), the picked member, matches
    with django_assert_num_queries(6):
        _search(leader_client, quality.drive, "to", "e", to_member=quality.mia.pk)
    Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"Eve {i:04d}", active_from=D(2020, 1, 1))
        for i in range(500)
    )
    with django_assert_num_queries(6):
        response = _search(leader_client, quality.drive, "to", "e", to_member=quality.mia.pk)
    assert len(response.context["choices"].members) == 20


# --- without JavaScript: the search text is submitted --------------------------------------


def test_a_unique_exact_name_is_taken_directly(leader_client, quality):
    response = _post(leader_client, quality.drive, from_query="lee leader", to_query="MIA MEMBER")
    assert response.status_code == 302
    added = Relationship.objects.get(from_member=quality.lee, to_member=quality.mia)
    assert (added.type, added.carries) == ("guidance", "zero defects")


def test_an_ambiguous_text_shows_the_matches_to_pick_from(leader_client, quality, org):
    PersonFactory(organization=org, name="Mia Morgan", quadrant=Quadrant.EMPLOYEES)
    response = _post(leader_client, quality.drive, from_query="Lee Leader", to_query="mia")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Pick one of the members matching “mia”." in body
    assert f'<input type="radio" name="from_member" value="{quality.lee.pk}" checked>' in body
    assert f'name="to_member" value="{quality.mia.pk}"' in body
    assert 'value="mia"' in body  # the text stays in its box
    assert not Relationship.objects.filter(to_member=quality.mia, type="guidance").exists()

    # The second step: the pick is posted with the text.
    response = _post(
        leader_client,
        quality.drive,
        from_member=quality.lee.pk,
        from_query="Lee Leader",
        to_query="mia",
        to_member=quality.mia.pk,
    )
    assert response.status_code == 302
    assert Relationship.objects.filter(to_member=quality.mia, type="guidance").exists()


@pytest.mark.parametrize(
    ("to_query", "message"),
    [
        ("", "Choose a member for the relationship to reach: type part of a name or title"),
        ("nobody at all", "No active member matches “nobody at all”."),
    ],
)
def test_it_says_what_is_missing(leader_client, quality, to_query, message):
    response = _post(leader_client, quality.drive, from_query="Lee Leader", to_query=to_query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert quality.drive.relationships.count() == 2


def test_the_rules_still_apply_to_a_pair_found_by_name(leader_client, quality):
    response = _post(leader_client, quality.drive, from_query="Mia Member", to_query="Max Manager")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mia Member (Employees) cannot reach Max Manager (Managers)" in body
    assert quality.drive.relationships.count() == 2


def test_an_invalid_post_costs_the_same_for_few_and_many_members(
    leader_client, quality, org, django_assert_num_queries
):
    def post():
        return _post(leader_client, quality.drive, from_query="Lee Leader", to_query="e")

    # The page shown again: the data version, its map (relationships as rows, the members
    # its triads and suggestions name), and the relationships of the channels' pages in full.
    with django_assert_num_queries(12):
        post()
    Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"Eve {i:04d}", active_from=D(2020, 1, 1))
        for i in range(500)
    )
    with django_assert_num_queries(12):
        response = post()
    assert response.content.decode().count('name="to_member"') == 20


# --- the partnership list's member filter ---------------------------------------------------


def test_the_list_filters_by_member_text(leader_client, quality):
    by_name = leader_client.get("/partnerships/", {"member_query": "CLERK"})
    by_title = leader_client.get("/partnerships/", {"member_query": "specialist"})
    nobody = leader_client.get("/partnerships/", {"member_query": "nobody at all"})
    assert [p.name for p in by_name.context["page"]] == ["Back office"]
    assert [p.name for p in by_title.context["page"]] == ["Back office", "Quality drive"]
    assert [p.name for p in nobody.context["page"]] == []


def test_the_list_lists_no_members_to_choose_from(leader_client, quality, org):
    Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"Eve {i:04d}", active_from=D(2020, 1, 1))
        for i in range(50)
    )
    body = leader_client.get("/partnerships/").content.decode()
    assert "Eve 0001" not in body
    assert 'name="member"' not in body
    chosen = leader_client.get("/partnerships/", {"member": quality.clerk.pk, "status": "all"})
    body = chosen.content.decode()
    assert f'<input type="hidden" name="member" value="{quality.clerk.pk}"' in body
    assert "Partnerships of <bdi>Carl Clerk</bdi>" in body
    assert '<a href="/partnerships/?status=all">everyone' in body


def test_the_member_text_does_not_reach_another_organization(leader_client, quality, other_org):
    boss = PersonFactory(organization=other_org, quadrant=Quadrant.LEADERSHIP, name="Zed Boss")
    hand = PersonFactory(organization=other_org, name="Zed Hand")
    objective = ObjectiveFactory(organization=other_org)
    theirs = PartnershipFactory(
        organization=other_org, objective=objective, formed_on=D(2024, 1, 1)
    )
    relationship_add(partnership=theirs, from_member=boss, to_member=hand, starts_on=D(2024, 1, 1))
    response = leader_client.get("/partnerships/", {"member_query": "zed", "status": "all"})
    assert [p.name for p in response.context["page"]] == []
