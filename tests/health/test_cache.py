"""The analysis is cached under the organization's data version: every change to members,
partnerships or relationships makes a new key, so the page never shows a stale result."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from org import services as org_services
from org.models import Member
from partnerships import services
from partnerships.health import analysis as health
from partnerships.health.analysis import cache_key, data_version, health_url, quadrant_risk_counts
from partnerships.models import Partnership, Relationship
from partnerships.scope import Scope
from tests.factories import ObjectiveFactory, PersonFactory, RelationshipFactory
from tests.health.conftest import AS_OF, DAY


def page(client, query: str = AS_OF + "&risks=all") -> str:
    response = client.get(f"/health/?{query}")
    assert response.status_code == 200
    return response.content.decode()


# --- the data version -----------------------------------------------------------------------


def test_the_version_stays_put_while_nothing_changes(world, org):
    assert data_version(org) == data_version(org)


@pytest.mark.parametrize(
    "change",
    [
        "add a relationship",
        "end a relationship in bulk",
        "move its end date",
        "delete a relationship",
        "rename a member in bulk, as the import does",
        "archive a member in bulk",
        "move a member's quadrant in bulk",
        "add a member",
        "give a partnership another objective",
        "rename a partnership",
    ],
)
def test_the_version_moves_with_every_change_the_analysis_reads(world, org, change):
    before = data_version(org)
    relationships = Relationship.objects.filter(organization=org)
    # Bulk updates set no timestamp: the version must see them anyway.
    if change == "add a relationship":
        RelationshipFactory(
            partnership=world.cost_team, from_member=world.sam, to_member=world.olga
        )
    elif change == "end a relationship in bulk":
        relationships.filter(to_member=world.yves).update(ends_on=DAY)
    elif change == "move its end date":
        relationships.filter(to_member=world.yves).update(ends_on=DAY)
        before = data_version(org)
        relationships.filter(to_member=world.yves).update(ends_on=DAY + datetime.timedelta(1))
    elif change == "delete a relationship":
        relationships.filter(to_member=world.yves).delete()
    elif change == "rename a member in bulk, as the import does":
        # Same length: the member's updated_at, which every writer of members sets, tells.
        Member.objects.filter(pk=world.olga.pk).update(name="Olga Aloof", updated_at=timezone.now())
    elif change == "archive a member in bulk":
        Member.objects.filter(pk=world.olga.pk).update(active_until=DAY)
    elif change == "move a member's quadrant in bulk":
        Member.objects.filter(pk=world.olga.pk).update(quadrant="M")
    elif change == "add a member":
        PersonFactory(organization=org)
    elif change == "give a partnership another objective":
        Partnership.objects.filter(pk=world.cost_team.pk).update(objective=world.quality)
    elif change == "rename a partnership":
        Partnership.objects.filter(pk=world.cost_team.pk).update(name="Cost squad")

    assert data_version(org) != before


def test_two_end_dates_moving_in_opposite_directions_still_move_the_version(world, org):
    relationships = Relationship.objects.filter(organization=org)
    first, second = relationships.filter(to_member__in=[world.yves, world.yard]).order_by("pk")
    Relationship.objects.filter(pk=first.pk).update(ends_on=DAY)
    Relationship.objects.filter(pk=second.pk).update(ends_on=DAY + datetime.timedelta(2))
    before = data_version(org)

    # The plain sum of end dates is unchanged; the sum weighted by id is not.
    Relationship.objects.filter(pk=first.pk).update(ends_on=DAY + datetime.timedelta(1))
    Relationship.objects.filter(pk=second.pk).update(ends_on=DAY + datetime.timedelta(1))

    assert data_version(org) != before


def test_another_organizations_changes_leave_the_version_alone(world, org, other_org):
    before = data_version(org)

    PersonFactory(organization=other_org)
    RelationshipFactory(partnership__organization=other_org)

    assert data_version(org) == before


def test_the_version_is_one_query(world, org, django_assert_num_queries):
    with django_assert_num_queries(1):
        data_version(org)


# --- the page follows the data --------------------------------------------------------------


def test_it_shows_a_new_relationship_at_once(world, leader_client):
    assert "never reaches Olga Alone" in page(leader_client)

    services.relationship_add(
        partnership=world.quality_team,
        from_member=world.dock,
        to_member=world.olga,
        starts_on=datetime.date(2025, 1, 6),
    )

    html = page(leader_client)
    assert "never reaches Olga Alone" not in html
    assert "Olga Alone hears the objective through the direct channel only." in html
    assert '<span class="figure">8 of 8</span> members reached' in html
    assert Relationship.objects.filter(to_member=world.olga, type="direct").count() == 1


def test_it_shows_an_ended_relationship_at_once(world, leader_client):
    assert "Every path from leadership to 2 members passes through Sam Supervisor." in page(
        leader_client
    )
    line = Relationship.objects.get(from_member=world.lee, to_member=world.sam)

    services.relationship_end(relationship=line, on=DAY)

    html = page(leader_client)
    assert "passes through Sam Supervisor" not in html
    assert "never reaches Sam Supervisor" in html
    assert Relationship.objects.get(pk=line.pk).ends_on == DAY


def test_it_shows_a_dissolved_partnership_at_once(world, leader_client):
    page(leader_client)

    # Dissolving ends the partnership's relationships with one bulk UPDATE.
    ended = services.partnership_dissolve(partnership=world.cost_team, on=DAY)

    html = page(leader_client)
    assert ended == 3
    assert "never reaches Yves Loader" in html
    assert "Cost crew" not in html
    assert '<span class="figure">4 of 8</span> members reached' in html


def test_it_shows_a_renamed_member_at_once(world, leader_client):
    page(leader_client)
    olga = world.olga

    org_services.member_update(
        member=olga,
        name="Olga Newname",
        title=olga.title,
        email=olga.email,
        external_id=olga.external_id,
        active_from=olga.active_from,
        active_until=None,
    )

    html = page(leader_client)
    assert "never reaches Olga Newname" in html
    assert "Olga Alone" not in html


def test_it_shows_an_archived_member_at_once(world, leader_client):
    page(leader_client)

    org_services.member_archive(member=world.olga, on=DAY)

    html = page(leader_client)
    assert "Olga Alone" not in html
    assert '<span class="figure">7 of 7</span> members reached' in html


def test_it_reuses_the_cached_analysis(world, org, leader_client, monkeypatch):
    page(leader_client)
    leader_client.get(f"/health/brokers/?{AS_OF}", HTTP_HX_REQUEST="true")
    calls = []
    monkeypatch.setattr(health, "load", lambda scope: calls.append(scope))

    html = page(leader_client)
    fragment = leader_client.get(f"/health/brokers/?{AS_OF}", HTTP_HX_REQUEST="true")

    assert calls == []  # nothing was loaded or analysed again
    assert "never reaches Olga Alone" in html
    assert "Sam Supervisor" in fragment.content.decode()
    keys = [
        cache_key(Scope(organization=org, day=DAY), kind, data_version(org))
        for kind in ("report", "brokers")
    ]
    assert set(cache.get_many(keys)) == set(keys)


def test_the_brokers_reuse_the_report_the_page_cached(world, org, leader_client, monkeypatch):
    page(leader_client)
    analysed = []
    original = health.analyse
    monkeypatch.setattr(health, "analyse", lambda loaded: analysed.append(1) or original(loaded))

    leader_client.get(f"/health/brokers/?{AS_OF}", HTTP_HX_REQUEST="true")

    assert analysed == []  # the graph was loaded for the brokers alone


def test_it_keeps_each_roles_view_apart(world, leader_client, manager_client):
    assert "Olga Alone" in page(leader_client)

    html = page(manager_client)  # same organization, same version, another scope

    assert "Your partnerships" in html
    assert "Olga Alone" not in html


# --- the diagram's badges -------------------------------------------------------------------


def test_it_counts_the_risks_of_each_quadrant(world, org):
    assert quadrant_risk_counts(Scope(organization=org, day=DAY)) == {
        "L": 0,
        "M": 1,
        "T": 3,
        "E": 2,
    }
    assert quadrant_risk_counts(Scope(organization=org, day=DAY, objective=world.quality)) == {
        "L": 0,
        "M": 0,
        "T": 0,
        "E": 0,
    }


def test_it_counts_only_their_partnerships_for_managers(world, org, manager_membership):
    counts = quadrant_risk_counts(Scope.for_membership(manager_membership, day=DAY))

    assert counts == {"L": 0, "M": 0, "T": 0, "E": 0}


def test_the_badge_counts_are_cached(world, org, django_assert_num_queries):
    quadrant_risk_counts(Scope(organization=org, day=DAY))

    with django_assert_num_queries(1):  # the data version alone
        assert quadrant_risk_counts(Scope(organization=org, day=DAY))["T"] == 3

    RelationshipFactory(partnership=world.cost_team, from_member=world.lee, to_member=world.yard)
    assert (
        quadrant_risk_counts(Scope(organization=org, day=DAY))["T"] == 1
    )  # influenced now; still its only source


def test_it_links_a_badge_to_the_quadrants_risks(world):
    assert health_url() == "/health/"
    assert (
        health_url(objective=world.quality, day=DAY, quadrant="E")
        == f"/health/?objective={world.quality.pk}&{AS_OF}&quadrant=E"
    )


def test_an_objective_without_relationships_is_empty(world, org, leader_client):
    empty = ObjectiveFactory(organization=org, title="Growth later")

    html = page(leader_client, f"objective={empty.pk}&{AS_OF}")

    assert "No partnership for this objective has a relationship active on 3 Mar 2025" in html
