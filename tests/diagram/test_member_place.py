"""One member at the centre of the box, and a partnership's own map."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest

from org.models import Member
from partnerships import services
from partnerships.diagram.selectors import paths_from_leadership
from partnerships.models import Relationship
from tests.diagram.conftest import DISSOLVED
from tests.factories import (
    PartnershipFactory,
    PersonFactory,
    RelationshipFactory,
    TeamFactory,
)

BEFORE = (DISSOLVED - datetime.timedelta(days=1)).isoformat()


def test_it_says_who_directs_influences_and_guides_a_member(world, leader_client):
    response = leader_client.get(f"/diagram/members/{world.mia.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    reached_by = html[html.index('id="reached-by"') : html.index('id="reaches"')]
    directed = reached_by[reached_by.index("Directed by") : reached_by.index("Influenced by")]
    influenced = reached_by[reached_by.index("Influenced by") : reached_by.index("Guided by")]
    guided = reached_by[reached_by.index("Guided by") :]
    assert "Dock Team" in directed
    assert "Max Manager" in influenced
    assert "Lee Leader" in guided
    assert f'href="/partnerships/{world.quality_team.pk}/"' in guided


def test_it_draws_the_member_at_the_centre_with_their_partners(world, leader_client):
    html = leader_client.get(f"/diagram/members/{world.mia.pk}/").content.decode()
    assert f'class="diagram-node diagram-centre" href="/diagram/members/{world.mia.pk}/"' in html
    for partner in (world.dock, world.max, world.lee):
        assert f'data-member="{partner.pk}"' in html
    assert len(re.findall(r'class="diagram-edge[ "]', html)) == 3


def test_it_highlights_the_shortest_paths_from_leadership(world, leader_client):
    html = leader_client.get(f"/diagram/members/{world.mia.pk}/").content.decode()
    # Lee guides Mia directly: one hop, one path.
    paths = html[html.index('id="paths"') :]
    assert re.search(r"Lee Leader</bdi></a>.*Mia Member</bdi></a>", paths, re.S)
    assert html.count('class="diagram-edge diagram-edge-path') == 1


def test_paths_run_through_intermediaries(world, leader_client):
    html = leader_client.get(f"/diagram/members/{world.dock.pk}/").content.decode()
    paths = html[html.index('id="paths"') :]
    assert "Lee Leader" in paths and "Dock Team" in paths
    assert "Max Manager" not in paths  # Lee → Dock is shorter than Lee → Max → Dock


def test_a_leader_is_leadership(world, leader_client):
    html = leader_client.get(f"/diagram/members/{world.lee.pk}/").content.decode()
    assert "<bdi>Lee Leader</bdi> is part of leadership" in html


def test_paths_from_leadership_are_pure():
    edges = [(1, 2), (2, 3), (1, 4), (4, 3), (5, 3), (3, 6)]
    assert paths_from_leadership(edges, {1}, 3) == [[1, 2, 3], [1, 4, 3]]
    assert paths_from_leadership(edges, {1, 5}, 6) == [[5, 3, 6]]
    assert paths_from_leadership(edges, {1}, 1) == [[1]]
    assert paths_from_leadership(edges, {1}, 99) == []
    assert paths_from_leadership([(2, 3)], {1}, 3) == []


def test_the_member_view_follows_the_as_of_date(world, leader_client):
    before = leader_client.get(f"/diagram/members/{world.eli.pk}/", {"as_of": BEFORE})
    after = leader_client.get(f"/diagram/members/{world.eli.pk}/", {"as_of": DISSOLVED})
    assert "Vera Chief" in before.content.decode()
    assert "Vera Chief" not in after.content.decode()
    assert "No chain of relationships reaches <bdi>Eli Worker</bdi>" in after.content.decode()


def test_another_organizations_member_is_404(world, outsider_client, leader_client, other_org):
    assert outsider_client.get(f"/diagram/members/{world.mia.pk}/").status_code == 404
    theirs = Member.objects.create(organization=other_org, quadrant="E", name="Theirs")
    assert leader_client.get(f"/diagram/members/{theirs.pk}/").status_code == 404


def test_the_member_view_escapes_names(world, leader_client):
    world.max.name = '<img src=x onerror="alert(1)">'
    world.max.save()
    html = leader_client.get(f"/diagram/members/{world.mia.pk}/").content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


# --- a partnership's map ---------------------------------------------------------------------


def test_a_partnership_map_draws_its_members_and_relationships(world, leader_client):
    response = leader_client.get(f"/diagram/partnerships/{world.quality_team.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="diagram diagram-network"' in html
    for member in (world.lee, world.max, world.mia, world.dock, world.vera):
        assert f'data-member="{member.pk}"' in html
    assert len(re.findall(r'class="diagram-edge[ "]', html)) == 7
    assert "more than 60 members" not in html


def test_a_dissolved_partnerships_map_is_empty_after_the_day(world, leader_client):
    html = leader_client.get(
        f"/diagram/partnerships/{world.cost_team.pk}/", {"as_of": DISSOLVED}
    ).content.decode()
    assert "No active relationships on this day" in html


def test_a_large_partnership_falls_back_to_the_box(world, org, leader_client):
    big = PartnershipFactory(organization=org, objective=world.quality, name="Everyone")
    employees = Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"E{i}", active_from=datetime.date(2020, 1, 1))
        for i in range(70)
    )
    Relationship.objects.bulk_create(
        Relationship(
            organization=org,
            partnership=big,
            from_member=world.max,
            to_member=e,
            from_quadrant="M",
            to_quadrant="E",
            type="influential",
            starts_on=big.formed_on,
        )
        for e in employees
    )
    html = leader_client.get(f"/diagram/partnerships/{big.pk}/").content.decode()
    assert "more than 60 members" in html
    assert 'class="diagram diagram-overview"' in html
    assert re.search(r'data-flow="ME" data-type="influential" [^>]*>70<', html)


@pytest.mark.parametrize("client_name", ["outsider_client"])
def test_another_organizations_partnership_is_404(world, request, client_name):
    client = request.getfixturevalue(client_name)
    assert client.get(f"/diagram/partnerships/{world.quality_team.pk}/").status_code == 404


def test_bad_filters_on_a_members_place_are_refused_with_a_message(world, leader_client):
    response = leader_client.get(f"/diagram/members/{world.mia.pk}/", {"as_of": "soon"})
    assert response.status_code == 400
    assert b"Give the date as YYYY-MM-DD" in response.content
    fragment = leader_client.get(
        f"/diagram/members/{world.mia.pk}/", {"as_of": "soon"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert fragment.content.decode().lstrip().startswith('<div id="member-map">')


def test_bad_dates_on_a_partnership_map_are_refused(world, leader_client):
    response = leader_client.get(f"/diagram/partnerships/{world.quality_team.pk}/", {"as_of": "x"})
    assert response.status_code == 400
    assert b"Give the date as YYYY-MM-DD" in response.content
    fragment = leader_client.get(
        f"/diagram/partnerships/{world.quality_team.pk}/", {"as_of": "x"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert fragment.content.decode().lstrip().startswith('<div id="partnership-map">')
    assert b"Give the date as YYYY-MM-DD" in fragment.content


def test_it_finds_a_path_down_through_every_quadrant_above_the_member(org, leader_client):
    # leader → manager → manager → team → employee, and a longer way in through another leader
    day = datetime.date(2024, 1, 1)
    partnership = PartnershipFactory(organization=org, formed_on=day)
    lead, other_lead = (
        PersonFactory(organization=org, quadrant="L", name=n, active_from=day)
        for n in ("Path Leader", "Far Leader")
    )
    boss, deputy = (
        PersonFactory(organization=org, quadrant="M", name=n, active_from=day)
        for n in ("Path Boss", "Path Deputy")
    )
    crew = TeamFactory(organization=org, name="Path Crew", active_from=day)
    worker = PersonFactory(organization=org, name="Path Worker", active_from=day)
    for source, target in [
        (lead, boss),
        (boss, deputy),
        (deputy, crew),
        (crew, worker),
        (other_lead, lead),  # a line inside leadership: never part of a path
    ]:
        RelationshipFactory(
            partnership=partnership, from_member=source, to_member=target, starts_on=day
        )

    response = leader_client.get(f"/diagram/members/{worker.pk}/")

    assert response.status_code == 200
    assert response.context["place"].paths == [[lead.pk, boss.pk, deputy.pk, crew.pk, worker.pk]]
    paths = response.content.decode()
    paths = paths[paths.index('id="paths"') :]
    assert re.search(
        r"Path Leader</bdi></a>.*Path Boss</bdi></a>.*Path Deputy</bdi></a>.*Path Crew</bdi></a>",
        paths,
        re.S,
    )
    assert Relationship.objects.filter(organization=org, to_member=worker).count() == 1


def test_a_cached_place_follows_every_change(world, leader_client):
    """The place is cached under the data version: a new relationship, a partner's new name
    or a bulk end date all show on the next visit."""
    url = f"/diagram/members/{world.mia.pk}/"
    assert "Vera Chief" not in leader_client.get(url).content.decode()
    services.relationship_add(
        partnership=world.quality_team,
        from_member=world.vera,
        to_member=world.mia,
        starts_on=datetime.date(2024, 2, 1),
    )
    assert "Vera Chief" in leader_client.get(url).content.decode()

    Member.objects.filter(pk=world.vera.pk).update(name="Vera Renamed")
    assert "Vera Renamed" in leader_client.get(url).content.decode()

    Relationship.objects.filter(from_member=world.vera, to_member=world.mia).update(
        ends_on=datetime.date(2024, 3, 1)
    )
    assert "Vera Renamed" not in leader_client.get(url).content.decode()


def test_a_place_far_below_leadership_reads_the_rest_at_once(
    org, leader_client, django_assert_num_queries
):
    """The search upwards reads one level per query for three levels, then every line into
    the quadrants above at once: the paths are the same shortest ones either way."""
    day = datetime.date(2024, 1, 1)
    partnership = PartnershipFactory(organization=org, formed_on=day)
    lead = PersonFactory(organization=org, quadrant="L", name="Deep Leader", active_from=day)
    left, right, *chain = (
        PersonFactory(organization=org, quadrant="M", name=f"Deep Manager {i}", active_from=day)
        for i in range(7)
    )
    worker = PersonFactory(organization=org, name="Deep Worker", active_from=day)
    lines = [(lead, left), (lead, right), (left, chain[0]), (right, chain[0])]
    lines += list(itertools.pairwise([*chain, worker]))
    for source, target in lines:
        RelationshipFactory(
            partnership=partnership, from_member=source, to_member=target, starts_on=day
        )
    expected = [[lead.pk, top.pk, *(m.pk for m in chain), worker.pk] for top in (left, right)]
    all_lines = [(s.pk, t.pk) for s, t in lines]
    assert paths_from_leadership(all_lines, {lead.pk}, worker.pk) == expected

    # the page's own 7; the worker's relationships; three levels; the rest at once; the
    # names on the paths the rest brought
    with django_assert_num_queries(7 + 1 + 3 + 1 + 1):
        response = leader_client.get(f"/diagram/members/{worker.pk}/")

    assert response.context["place"].paths == expected
    html = response.content.decode()
    paths = html[html.index('id="paths"') :]
    for name in ("Deep Leader", "Deep Manager 0", "Deep Manager 1", "Deep Manager 6"):
        assert f"{name}</bdi></a>" in paths
    # every line of both paths drawn as one (their types read with them)
    assert html.count('class="diagram-edge diagram-edge-path') == len(lines) == 9


def test_a_place_no_leader_reaches_stops_where_the_lines_end(
    org, leader_client, django_assert_num_queries
):
    day = datetime.date(2024, 1, 1)
    partnership = PartnershipFactory(organization=org, formed_on=day)
    PersonFactory(organization=org, quadrant="L", name="Far Away Leader", active_from=day)
    helper, worker = (
        PersonFactory(organization=org, name=n, active_from=day) for n in ("Helper", "Alone")
    )
    RelationshipFactory(
        partnership=partnership, from_member=helper, to_member=worker, starts_on=day
    )

    # the page's 7; the worker's relationships; the level above the helper (nobody)
    with django_assert_num_queries(7 + 1 + 1):
        response = leader_client.get(f"/diagram/members/{worker.pk}/")

    assert response.context["place"].paths == []
    assert "No chain of relationships reaches <bdi>Alone</bdi>" in response.content.decode()
