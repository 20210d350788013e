"""The diagram costs the same number of queries for 10 members as for 10,000."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from org.models import Member
from partnerships.models import Relationship
from tests.factories import PartnershipFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
START = datetime.date(2024, 1, 1)
# One leader in a hundred, managers, teams and the rest employees.
SHARES = [("L", 0.01), ("M", 0.09), ("T", 0.05), ("E", 0.85)]
# The data version (partnerships/health/analysis.py), read once per page: the box's counts and its
# risk badges are cached under it.
VERSION = 1
# The box's counts when not cached yet: quadrant counts and names, flow counts.
COUNTS = 2
# The risk badges when not cached yet: the analysis computed ahead for today, looked up
# (manage.py refresh_health; none here), then the health graph's relationships, members and
# partnership names.
BADGES = 1 + 3
# A member's place when not cached yet: their own relationships, which name whoever a leader
# reaches them through when that is a leader (the managers here); a level above them more
# for each step further from leadership (tests/diagram/test_member_place.py).
PLACE = 1


@pytest.fixture(autouse=True)
def _cold_cache():
    cache.clear()


def _populate(org, count: int) -> None:
    """count members in bulk, and relationships along every one of the six flows."""
    members = []
    for quadrant, share in SHARES:
        kind = "team" if quadrant == "T" else "person"
        members += [
            Member(
                organization=org,
                kind=kind,
                quadrant=quadrant,
                name=f"{quadrant} member {i}",
                title="Specialist",
                active_from=START,
            )
            for i in range(max(1, round(count * share)))
        ]
    Member.objects.bulk_create(members, batch_size=2000)
    by_quadrant = {
        q: list(Member.objects.filter(organization=org, quadrant=q, name__contains=" member "))
        for q in "LMTE"
    }
    partnership = PartnershipFactory(organization=org, formed_on=START)
    rows = []
    for source, target, kind in [
        ("L", "M", "direct"),
        ("T", "E", "direct"),
        ("L", "T", "influential"),
        ("M", "E", "influential"),
        ("L", "E", "guidance"),
        ("M", "T", "guidance"),
    ]:
        sources, targets = by_quadrant[source], by_quadrant[target]
        rows += [
            Relationship(
                organization=org,
                partnership=partnership,
                from_member=sources[i % len(sources)],
                to_member=t,
                from_quadrant=source,
                to_quadrant=target,
                type=kind,
                starts_on=START,
            )
            for i, t in enumerate(targets)
        ]
    Relationship.objects.bulk_create(rows, batch_size=2000)


@pytest.mark.parametrize("count", [10, 10_000])
def test_the_diagram_page_runs_a_fixed_number_of_queries(
    count, org, leader_client, django_assert_num_queries
):
    _populate(org, count)
    # session, user, roles, the data version, the objective and partnership choices of the
    # filter form; the counts and the risk badges while they are not cached
    with django_assert_num_queries(5 + VERSION + COUNTS + BADGES):
        response = leader_client.get("/diagram/")
    assert response.status_code == 200
    assert (
        response.context["overview"].total_members
        == Member.objects.filter(organization=org).count()
    )
    # cached: the same page, the same numbers
    with django_assert_num_queries(5 + VERSION):
        again = leader_client.get("/diagram/")
    assert again.context["overview"] == response.context["overview"]
    # the same with a partnership chosen (one more to load it), as an htmx swap (no form);
    # a single partnership gets no badges
    partnership = Relationship.objects.filter(organization=org).first().partnership_id
    with django_assert_num_queries(4 + VERSION + COUNTS):
        leader_client.get("/diagram/", {"partnership": partnership}, **HTMX)
    with django_assert_num_queries(4 + VERSION):
        leader_client.get("/diagram/", {"partnership": partnership}, **HTMX)
    # a whole page for one objective (one more to load it), and as of a past day
    objective = Relationship.objects.filter(organization=org).first().partnership.objective_id
    leader_client.get("/diagram/", {"objective": objective})
    with django_assert_num_queries(6 + VERSION):
        leader_client.get("/diagram/", {"objective": objective})
    leader_client.get("/diagram/", {"as_of": "2024-06-30"})
    with django_assert_num_queries(5 + VERSION):
        leader_client.get("/diagram/", {"as_of": "2024-06-30"})


def test_the_cached_box_follows_the_data(org, leader_client):
    _populate(org, 10)
    before = leader_client.get("/diagram/").context["overview"]
    employee = Member.objects.filter(organization=org, quadrant="E").first()
    manager = Member.objects.filter(organization=org, quadrant="M").first()
    # a bulk UPDATE, which sets no timestamp, still moves the data version
    Member.objects.filter(pk=employee.pk).update(active_until=org.today())
    Relationship.objects.filter(from_member=manager).update(ends_on=org.today())

    after = leader_client.get("/diagram/").context["overview"]

    assert after.total_members == before.total_members - 1
    assert after != before
    active = Member.objects.filter(organization=org, active_until__isnull=True).count()
    assert after.total_members == active


@pytest.mark.parametrize("count", [10, 10_000])
def test_the_drill_down_fragments_run_a_fixed_number_of_queries(
    count, org, leader_client, django_assert_num_queries
):
    _populate(org, count)
    # session, user, roles, the page count, the page
    with django_assert_num_queries(5):
        response = leader_client.get("/diagram/quadrants/E/", {"q": "member", "page": 2}, **HTMX)
    assert response.status_code == 200
    # without a search: session, user, roles, the data version, the page; the arrow's COUNT
    # the first time, kept under the version (the box's counts serve it once cached)
    with django_assert_num_queries(5 + 1):
        response = leader_client.get("/diagram/flows/ME/", {"page": 2}, **HTMX)
    assert response.status_code == 200
    with django_assert_num_queries(5):
        again = leader_client.get("/diagram/flows/ME/", {"page": 2}, **HTMX)
    assert again.content == response.content
    with django_assert_num_queries(4 + 1):  # no lines inside leadership: no SELECT for the page
        leader_client.get("/diagram/flows/LL/", **HTMX)
    with django_assert_num_queries(4):
        leader_client.get("/diagram/flows/LL/", **HTMX)
    leader_client.get("/diagram/")
    with django_assert_num_queries(5):
        leader_client.get("/diagram/flows/TE/", {"page": 2}, **HTMX)
    # searching: session, user, roles, the matches' count, the page
    with django_assert_num_queries(5):
        leader_client.get("/diagram/flows/ME/", {"q": "member", "page": 2}, **HTMX)
    # session, user, roles, the matches
    with django_assert_num_queries(4):
        leader_client.get("/diagram/search/", {"q": "E member 1"}, **HTMX)


@pytest.mark.parametrize("count", [10, 10_000])
def test_a_full_page_panel_adds_the_diagram_queries_once(
    count, org, leader_client, django_assert_num_queries
):
    _populate(org, count)
    # session, user, roles, the panel's page, the form's choices, the data version; the box's
    # counts and badges while not cached. The panel's count is the box's count of its
    # quadrant: no COUNT over the whole quadrant (it grew with the organization).
    with django_assert_num_queries(6 + VERSION + COUNTS + BADGES):
        leader_client.get("/diagram/quadrants/M/")
    with django_assert_num_queries(6 + VERSION):
        leader_client.get("/diagram/quadrants/M/")
    # searching counts the matches
    with django_assert_num_queries(7 + VERSION):
        leader_client.get("/diagram/quadrants/M/", {"q": "member"})


@pytest.mark.parametrize("count", [10, 10_000])
def test_a_quadrant_panel_reads_its_count_from_the_cache(
    count, org, leader_client, django_assert_num_queries
):
    _populate(org, count)
    # session, user, roles, the data version, the page; the quadrant's COUNT the first time
    with django_assert_num_queries(5 + 1):
        first = leader_client.get("/diagram/quadrants/E/", {"page": 2}, **HTMX)
    with django_assert_num_queries(5):
        again = leader_client.get("/diagram/quadrants/E/", {"page": 2}, **HTMX)
    assert again.content == first.content
    # the box's counts, once cached, serve any quadrant's panel
    leader_client.get("/diagram/")
    with django_assert_num_queries(5):
        leader_client.get("/diagram/quadrants/M/", {"page": 2}, **HTMX)


def test_a_quadrant_panels_count_follows_the_data(org, leader_client):
    _populate(org, 60)
    employees = Member.objects.filter(organization=org, quadrant="E")
    active = employees.count()

    def shown(**params) -> str:
        page = leader_client.get("/diagram/quadrants/E/", params, **HTMX)
        return page.content.decode()

    assert f"{active} members" in shown()
    assert f"Page 1 of {(active + 24) // 25}" in shown()
    # a bulk UPDATE, which sets no timestamp, still moves the data version
    employees.filter(pk=employees.order_by("pk").first().pk).update(active_until=org.today())
    assert f"{active - 1} members" in shown()
    leader_client.get("/diagram/")  # the box's counts, cached under the new version
    assert f"{active - 1} members" in shown(page=2)
    leader_client.get("/diagram/quadrants/E/")
    whole = leader_client.get("/diagram/quadrants/E/").content.decode()
    assert f"{active - 1} members" in whole


@pytest.mark.parametrize("count", [10, 10_000])
def test_a_members_place_runs_a_fixed_number_of_queries(
    count, org, leader_client, django_assert_num_queries
):
    _populate(org, count)
    manager = Member.objects.filter(organization=org, quadrant="M").order_by("pk").first()
    # session, user, roles, the member, the data version, the form's objective and
    # partnership choices; when not cached yet, their relationships (a leader directs them)
    with django_assert_num_queries(7 + PLACE):
        response = leader_client.get(f"/diagram/members/{manager.pk}/")
    assert response.status_code == 200
    assert response.context["place"].paths
    with django_assert_num_queries(7):
        again = leader_client.get(f"/diagram/members/{manager.pk}/")

    def drawn(page) -> str:  # the map and its lists (the page's nonce differs each time)
        html = page.content.decode()
        return html[html.index('<div id="member-map">') :]

    assert drawn(again) == drawn(response)


@pytest.mark.parametrize("count", [10, 10_000])
def test_the_exports_run_a_fixed_number_of_queries(
    count, org, leader_client, django_assert_num_queries
):
    _populate(org, count)
    with django_assert_num_queries(5):
        leader_client.get("/diagram/export.svg")
    with django_assert_num_queries(4):
        response = leader_client.get("/diagram/export.csv")
    assert (
        response.content.decode().count("\n")
        == 1 + Relationship.objects.filter(organization=org).count()
    )


@pytest.mark.parametrize("count", [10, 10_000])
def test_a_partnerships_map_runs_a_fixed_number_of_queries(
    count, org, leader_client, django_assert_num_queries
):
    """Drawn member by member when it fits; as the box, with its cached counts, when not."""
    _populate(org, count)
    partnership = Relationship.objects.filter(organization=org).first().partnership
    url = f"/diagram/partnerships/{partnership.pk}/"
    leader_client.get(url)
    # session, user, roles, the partnership, its first relationships (capped) with their
    # members; the box also counts the partnership's members and flows
    drawn = count == 10
    with django_assert_num_queries(5 if drawn else 5 + COUNTS):
        response = leader_client.get(url)
    assert response.status_code == 200
    assert ('class="diagram-node' in response.content.decode()) == drawn


def test_a_flow_panels_count_follows_the_data(org, leader_client):
    _populate(org, 60)
    lines = Relationship.objects.filter(organization=org, from_quadrant="M", to_quadrant="E")
    active = lines.count()

    def shown(**params) -> str:
        return leader_client.get("/diagram/flows/ME/", params, **HTMX).content.decode()

    assert f"{active} relationships" in shown()
    lines.filter(pk=lines.order_by("pk").first().pk).update(ends_on=org.today())
    assert f"{active - 1} relationships" in shown()
    leader_client.get("/diagram/")  # the box's counts, cached under the new version
    assert f"{active - 1} relationships" in shown(page=2)
    whole = leader_client.get("/diagram/flows/ME/").content.decode()
    assert f"{active - 1} relationships" in whole
