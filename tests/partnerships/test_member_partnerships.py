"""A member's partnerships: for each, who reaches them by which channel."""

from __future__ import annotations

import datetime

import pytest

from partnerships.services import relationship_add
from tests.factories import PersonFactory

D = datetime.date


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "member"])
def test_it_lists_who_reaches_a_member_by_which_channel(role, role_clients, quality):
    relationship_add(
        partnership=quality.drive,
        from_member=quality.lee,
        to_member=quality.mia,
        starts_on=D(2024, 2, 1),
        carries="zero defects",
    )
    response = role_clients[role].get(f"/partnerships/members/{quality.mia.pk}/")

    assert response.status_code == 200
    [entry] = response.context["member_partnerships"]
    assert entry.partnership == quality.drive
    assert [(r.from_member.name, r.type) for r in entry.reached_by] == [
        ("Max Manager", "influential"),
        ("Lee Leader", "guidance"),
    ]
    assert entry.channels == ["Influential", "Guidance"]
    body = response.content.decode()
    assert "Reached by influential, guidance" in body
    assert (
        '<bdi>Lee Leader</bdi> <span class="type-tag type-guidance">guides</span> <bdi>Mia Member</bdi>'
        in body
    )


def test_it_shows_only_partnerships_the_viewer_may_read(member_client, leader_client, quality):
    # Cora (back office only) as seen by Mia, who is not in Back office, and by the leader.
    assert (
        member_client.get(f"/partnerships/members/{quality.cfo.pk}/").context["member_partnerships"]
        == []
    )
    [entry] = leader_client.get(f"/partnerships/members/{quality.cfo.pk}/").context[
        "member_partnerships"
    ]
    assert entry.partnership == quality.back_office
    assert [r.to_member.name for r in entry.reaches] == ["Carl Clerk"]


def test_it_reads_as_of_a_day(leader_client, quality):
    response = leader_client.get(
        f"/partnerships/members/{quality.mia.pk}/", {"as_of": "2023-06-01"}
    )
    assert response.context["member_partnerships"] == []
    assert "belongs to no partnership you can see" in response.content.decode()


def test_another_organizations_member_is_404(leader_client, outsider_client, quality, other_org):
    stranger = PersonFactory(organization=other_org)
    assert leader_client.get(f"/partnerships/members/{stranger.pk}/").status_code == 404
    assert outsider_client.get(f"/partnerships/members/{quality.mia.pk}/").status_code == 404


def test_it_costs_the_same_for_few_and_many(leader_client, quality, org, django_assert_num_queries):
    url = f"/partnerships/members/{quality.max.pk}/"
    with django_assert_num_queries(5):
        leader_client.get(url)
    for i in range(30):
        person = PersonFactory(organization=org, quadrant="E", name=f"E{i}")
        relationship_add(
            partnership=quality.drive,
            from_member=quality.max,
            to_member=person,
            starts_on=D(2024, 2, 1),
        )
    with django_assert_num_queries(5):
        response = leader_client.get(url)
    assert len(response.context["member_partnerships"][0].reaches) == 31
