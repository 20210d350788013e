"""Partnership pages: the list, the detail with its channels, forming, dissolving, relating."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q

from org.models import Member, Quadrant
from partnerships.models import Partnership, Relationship
from partnerships.services import relationship_add
from tests.factories import PartnershipFactory, PersonFactory
from tests.partnerships.conftest import FORMED

ORG_ROLES = ["admin", "leader", "manager", "member"]
D = datetime.date


# --- the list ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("admin", ["Back office", "Quality drive"]),
        ("leader", ["Back office", "Quality drive"]),
        ("manager", ["Quality drive"]),
        ("member", ["Quality drive"]),
        ("outsider", []),
    ],
)
def test_the_list_shows_what_each_role_may_read(role, names, role_clients, quality):
    response = role_clients[role].get("/partnerships/")
    assert response.status_code == 200
    assert [p.name for p in response.context["page"]] == names


def test_it_filters_by_member_objective_and_status(leader_client, quality, org):
    other = PartnershipFactory(organization=org, name="Old pilot", formed_on=D(2023, 1, 1))
    other.dissolved_on = D(2023, 6, 1)
    other.save()

    by_member = leader_client.get("/partnerships/", {"member": quality.clerk.pk})
    by_objective = leader_client.get(
        "/partnerships/", {"objective": quality.objective.pk, "status": "all"}
    )
    dissolved = leader_client.get("/partnerships/", {"status": "dissolved"})
    before = leader_client.get("/partnerships/", {"status": "active", "as_of": "2023-03-01"})

    assert [p.name for p in by_member.context["page"]] == ["Back office"]
    assert [p.name for p in by_objective.context["page"]] == ["Back office", "Quality drive"]
    assert [p.name for p in dissolved.context["page"]] == ["Old pilot"]
    assert [p.name for p in before.context["page"]] == ["Old pilot"]


def test_it_answers_400_to_an_invalid_filter(leader_client, quality):
    assert leader_client.get("/partnerships/", {"status": "sideways"}).status_code == 400
    assert leader_client.get("/partnerships/", {"as_of": "yesterday"}).status_code == 400


def test_it_cannot_filter_by_another_organizations_member(leader_client, quality, other_org):
    stranger = PersonFactory(organization=other_org)
    assert leader_client.get("/partnerships/", {"member": stranger.pk}).status_code == 400


def test_htmx_gets_only_the_results(leader_client, quality):
    response = leader_client.get(
        "/partnerships/", {"status": "all"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_list_page(leader_client, quality):
    response = leader_client.get(
        "/partnerships/",
        {"status": "all"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    body = response.content.decode()
    assert "<html" in body and 'role="search"' in body
    assert body.count('id="results"') == 1
    assert "HX-Request" in response["Vary"]


def test_the_whole_list_page_varies_with_htmx(leader_client, quality):
    assert "HX-Request" in leader_client.get("/partnerships/", {"status": "all"})["Vary"]


def test_the_filter_replaces_the_results_rather_than_filling_them(leader_client, quality):
    page = leader_client.get("/partnerships/").content.decode()
    assert 'hx-target="#results" hx-swap="outerHTML"' in page


def test_it_pages_the_list(leader_client, org, quality):
    PartnershipFactory.create_batch(30, organization=org, objective=quality.objective)
    first = leader_client.get("/partnerships/")
    second = leader_client.get("/partnerships/", {"page": 2})
    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 7
    assert "page=2" in first.content.decode()


# --- the detail ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ORG_ROLES)
def test_every_member_of_the_partnership_reads_it(role, role_clients, quality):
    response = role_clients[role].get(f"/partnerships/{quality.drive.pk}/")
    assert response.status_code == 200
    assert "Max Manager" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("leader", 200), ("manager", 404), ("member", 404), ("outsider", 404)],
)
def test_a_partnership_the_role_does_not_belong_to_is_404(role, status, role_clients, quality):
    assert role_clients[role].get(f"/partnerships/{quality.back_office.pk}/").status_code == status


def test_an_outsider_gets_404_for_every_partnership_page(outsider_client, quality):
    pk = quality.drive.pk
    relationship = quality.drive.relationships.first()
    assert outsider_client.get(f"/partnerships/{pk}/").status_code == 404
    assert (
        outsider_client.post(f"/partnerships/{pk}/dissolve/", {"on": "2024-09-01"}).status_code
        == 404
    )
    assert outsider_client.post(f"/partnerships/{pk}/relationships/", {}).status_code == 404
    assert outsider_client.get(f"/partnerships/{pk}/relationships/type/").status_code == 404
    end_url = f"/partnerships/{pk}/relationships/{relationship.pk}/end/"
    assert outsider_client.post(end_url, {"on": "2024-09-01"}).status_code == 404
    assert Partnership.objects.get(pk=pk).dissolved_on is None
    assert Relationship.objects.filter(ends_on__isnull=False).count() == 0


def test_the_detail_names_the_channels_and_the_missing_guidance(leader_client, quality):
    response = leader_client.get(f"/partnerships/{quality.drive.pk}/")
    map_ = response.context["map"]
    assert [c.type for c in map_.present] == ["direct", "influential"]
    assert [c.type for c in map_.missing] == ["guidance"]
    [suggestion] = map_.completions
    assert (suggestion["from"], suggestion["to"], suggestion["type"]) == (
        quality.lee,
        quality.mia,
        "guidance",
    )
    body = response.content.decode()
    assert (
        'Add a <span class="type-tag type-guidance">guidance</span> relationship from <bdi>Lee Leader</bdi> to <bdi>Mia Member</bdi>'
        in body
    )
    assert (
        "complete the triad of <bdi>Lee Leader</bdi>, <bdi>Max Manager</bdi> and <bdi>Mia Member</bdi>"
        in body
    )


def test_the_detail_recognises_a_complete_triad(leader_client, quality):
    Relationship.objects.create(
        organization=quality.drive.organization,
        partnership=quality.drive,
        from_member=quality.lee,
        to_member=quality.mia,
        from_quadrant="L",
        to_quadrant="E",
        type="guidance",
        starts_on=D(2024, 2, 1),
    )
    response = leader_client.get(f"/partnerships/{quality.drive.pk}/")
    map_ = response.context["map"]
    assert map_.missing == []
    assert map_.completions == []
    [triad] = map_.triads
    assert set(triad["members"]) == {quality.lee, quality.max, quality.mia}
    body = response.content.decode()
    assert "Complete triads (1)" in body
    # Each of the three relationships named, with who does what to whom.
    assert (
        '<bdi>Lee Leader</bdi> <span class="type-tag type-direct">directs</span> <bdi>Max Manager</bdi>; '
        '<bdi>Max Manager</bdi> <span class="type-tag type-influential">influences</span> <bdi>Mia Member</bdi>; '
        '<bdi>Lee Leader</bdi> <span class="type-tag type-guidance">guides</span> <bdi>Mia Member</bdi>.'
    ) in body


def test_the_detail_asks_for_an_influential_relationship_with_an_an(leader_client, quality):
    Relationship.objects.filter(partnership=quality.drive, type="influential").delete()
    relationship_add(
        partnership=quality.drive, from_member=quality.lee, to_member=quality.mia, starts_on=FORMED
    )
    body = leader_client.get(f"/partnerships/{quality.drive.pk}/").content.decode()
    assert (
        'Add an <span class="type-tag type-influential">influential</span> relationship from '
        "<bdi>Max Manager</bdi> to <bdi>Mia Member</bdi>"
    ) in body


# --- forming and dissolving ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "member"])
def test_only_leaders_and_admins_form_partnerships(role, role_clients, quality):
    client = role_clients[role]
    data = {"name": "New", "objective": quality.objective.pk, "formed_on": "2024-05-01"}
    assert client.get("/partnerships/new/").status_code == 403
    assert client.post("/partnerships/new/", data).status_code == 403
    assert not Partnership.objects.filter(name="New").exists()


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_it_forms_a_partnership(role, role_clients, quality, org):
    response = role_clients[role].post(
        "/partnerships/new/",
        {
            "name": "Customer care loop",
            "objective": quality.objective.pk,
            "purpose": "Hear the customer.",
            "formed_on": "2024-05-01",
        },
    )
    partnership = Partnership.objects.get(name="Customer care loop")
    assert response.status_code == 302
    assert response["Location"] == f"/partnerships/{partnership.pk}/"
    assert (partnership.organization, partnership.objective) == (org, quality.objective)


def test_it_refuses_another_organizations_objective(outsider_client, quality):
    response = outsider_client.post(
        "/partnerships/new/",
        {"name": "Sneaky", "objective": quality.objective.pk, "formed_on": "2024-05-01"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Partnership.objects.filter(name="Sneaky").exists()


@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("member", 403)])
def test_only_leaders_and_admins_dissolve(role, status, role_clients, quality):
    response = role_clients[role].post(
        f"/partnerships/{quality.drive.pk}/dissolve/", {"on": "2024-09-01"}
    )
    assert response.status_code == status
    assert Partnership.objects.get(pk=quality.drive.pk).dissolved_on is None


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_it_dissolves_a_partnership(role, role_clients, quality):
    response = role_clients[role].post(
        f"/partnerships/{quality.drive.pk}/dissolve/", {"on": "2024-09-01"}, follow=True
    )
    assert response.status_code == 200
    assert "2 relationships ended that day" in response.content.decode()
    assert Partnership.objects.get(pk=quality.drive.pk).dissolved_on == D(2024, 9, 1)
    assert set(quality.drive.relationships.values_list("ends_on", flat=True)) == {D(2024, 9, 1)}


def test_it_explains_a_refused_dissolution(leader_client, quality):
    response = leader_client.post(
        f"/partnerships/{quality.drive.pk}/dissolve/", {"on": "2023-01-01"}
    )
    assert response.status_code == 200
    assert "can only be dissolved after" in response.content.decode()
    assert Partnership.objects.get(pk=quality.drive.pk).dissolved_on is None


# --- adding and ending relationships -------------------------------------------------------


def _add(client, partnership, from_member, to_member, **extra):
    data = {
        "from_member": from_member.pk,
        "to_member": to_member.pk,
        "starts_on": "2024-03-01",
        "carries": "zero defects",
    }
    return client.post(f"/partnerships/{partnership.pk}/relationships/", data, **extra)


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_leaders_and_admins_add_relationships(role, role_clients, quality):
    response = _add(role_clients[role], quality.drive, quality.lee, quality.mia, follow=True)
    assert response.status_code == 200
    assert "Lee Leader → Mia Member added: a guidance relationship." in response.content.decode()
    added = Relationship.objects.get(from_member=quality.lee, to_member=quality.mia)
    assert (added.type, added.carries, added.starts_on) == (
        "guidance",
        "zero defects",
        D(2024, 3, 1),
    )


def test_a_member_manager_adds_a_relationship_they_are_an_end_of(manager_client, quality):
    response = _add(manager_client, quality.drive, quality.max, quality.clerk, follow=True)
    assert response.status_code == 200
    assert "Max Manager → Carl Clerk added" in response.content.decode()
    assert Relationship.objects.filter(from_member=quality.max, to_member=quality.clerk).exists()


def test_a_member_manager_cannot_add_a_relationship_between_two_others(manager_client, quality):
    response = _add(manager_client, quality.drive, quality.lee, quality.mia)
    assert response.status_code == 200  # the form again, with the reason
    assert "Managers change only relationships they are one of the ends of." in (
        response.content.decode()
    )
    assert not Relationship.objects.filter(from_member=quality.lee, to_member=quality.mia).exists()


def test_a_member_cannot_add_relationships(member_client, quality):
    assert _add(member_client, quality.drive, quality.lee, quality.mia).status_code == 403
    assert not Relationship.objects.filter(to_member=quality.mia, type="guidance").exists()


def test_a_manager_cannot_add_to_a_partnership_they_do_not_belong_to(manager_client, quality):
    response = _add(manager_client, quality.back_office, quality.cfo, quality.mia)
    assert response.status_code == 404
    assert quality.back_office.relationships.count() == 1


def test_a_manager_who_left_the_partnership_may_read_but_not_add(manager_client, quality):
    quality.drive.relationships.update(ends_on=D(2024, 6, 1))
    assert manager_client.get(f"/partnerships/{quality.drive.pk}/").status_code == 200
    assert _add(manager_client, quality.drive, quality.lee, quality.mia).status_code == 403


def test_it_shows_the_type_after_submitting_without_javascript(leader_client, quality):
    response = _add(leader_client, quality.drive, quality.lee, quality.mia)
    assert response.status_code == 302
    page = leader_client.get(response["Location"])
    assert "a guidance relationship" in page.content.decode()


def test_htmx_gets_the_refreshed_map_with_the_new_relationship(leader_client, quality):
    response = _add(
        leader_client, quality.drive, quality.lee, quality.mia, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="partnership-map"')
    assert "a guidance relationship" in body
    assert quality.drive.relationships.filter(type="guidance").count() == 1


def test_it_refuses_a_relationship_pointing_back_up(leader_client, quality):
    response = _add(
        leader_client, quality.drive, quality.mia, quality.max, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mia Member (Employees) cannot reach Max Manager (Managers)" in body
    assert "The other way round, Max Manager → Mia Member, it would be influential." in body
    assert quality.drive.relationships.count() == 2


def test_it_names_the_loop_a_direct_line_would_close(leader_client, quality, org):
    vp = PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP, name="Vera Vp")
    assert _add(leader_client, quality.drive, quality.lee, vp).status_code == 302
    response = _add(leader_client, quality.drive, vp, quality.lee)
    assert response.status_code == 200
    assert "Vera Vp → Lee Leader → Vera Vp" in response.content.decode()
    assert not Relationship.objects.filter(from_member=vp).exists()


def test_it_refuses_a_member_of_another_organization(leader_client, quality, other_org):
    stranger = PersonFactory(organization=other_org, quadrant=Quadrant.EMPLOYEES)
    response = _add(leader_client, quality.drive, quality.lee, stranger)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Relationship.objects.filter(to_member=stranger).exists()


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        (
            ("lee", "mia"),
            '<bdi>Lee Leader</bdi> → <bdi>Mia Member</bdi>: <span class="type-tag type-guidance">Guidance</span>',
        ),
        (("max", "mia"), "type-influential"),
        (("mia", "lee"), "cannot reach Lee Leader"),
        (("lee", "lee"), "cannot have a relationship with themselves"),
        (("lee", None), "Pick both members"),
    ],
)
def test_the_type_shows_as_the_two_members_are_picked(leader_client, quality, pair, expected):
    params = {"from_member": getattr(quality, pair[0]).pk}
    if pair[1]:
        params["to_member"] = getattr(quality, pair[1]).pk
    response = leader_client.get(
        f"/partnerships/{quality.drive.pk}/relationships/type/",
        params,
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_the_type_preview_ignores_other_organizations_members(leader_client, quality, other_org):
    stranger = PersonFactory(organization=other_org, quadrant=Quadrant.EMPLOYEES, name="Secret Sam")
    response = leader_client.get(
        f"/partnerships/{quality.drive.pk}/relationships/type/",
        {"from_member": quality.lee.pk, "to_member": stranger.pk},
    )
    assert "Secret Sam" not in response.content.decode()
    assert "Pick both members" in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("outsider", 404)])
def test_the_type_preview_follows_the_add_permission(role, status, role_clients, quality):
    url = f"/partnerships/{quality.drive.pk}/relationships/type/"
    assert role_clients[role].get(url).status_code == status


@pytest.mark.parametrize("role", ["admin", "leader", "manager"])
def test_it_ends_a_relationship(role, role_clients, quality):
    relationship = quality.drive.relationships.get(to_member=quality.mia)
    url = f"/partnerships/{quality.drive.pk}/relationships/{relationship.pk}/end/"
    response = role_clients[role].post(url, {"on": "2024-06-01"}, follow=True)
    assert response.status_code == 200
    assert "Max Manager → Mia Member ends on 1 Jun 2024." in response.content.decode()
    relationship.refresh_from_db()
    assert relationship.ends_on == D(2024, 6, 1)


def test_a_member_cannot_end_a_relationship(member_client, quality):
    relationship = quality.drive.relationships.get(to_member=quality.mia)
    url = f"/partnerships/{quality.drive.pk}/relationships/{relationship.pk}/end/"
    assert member_client.post(url, {"on": "2024-06-01"}).status_code == 403
    relationship.refresh_from_db()
    assert relationship.ends_on is None


def test_a_relationship_of_another_partnership_is_404(leader_client, quality):
    foreign = quality.back_office.relationships.get()
    url = f"/partnerships/{quality.drive.pk}/relationships/{foreign.pk}/end/"
    assert leader_client.post(url, {"on": "2024-06-01"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.ends_on is None


def test_it_rejects_get_on_writes(leader_client, quality):
    assert leader_client.get(f"/partnerships/{quality.drive.pk}/dissolve/").status_code == 405
    relationship = quality.drive.relationships.first()
    end_url = f"/partnerships/{quality.drive.pk}/relationships/{relationship.pk}/end/"
    assert leader_client.get(end_url).status_code == 405


# --- constant query counts -----------------------------------------------------------------


def _grow(partnership, employees: int) -> int:
    """Lee directs Max; each employee is guided by Lee, influenced by Max, directed by a team."""
    org = partnership.organization
    lee = Member.objects.get(organization=org, name="Lee Leader")
    max_ = Member.objects.get(organization=org, name="Max Manager")
    team = Member.objects.create(
        organization=org, kind="team", quadrant="T", name="Dock team", active_from=D(2020, 1, 1)
    )
    people = Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"Employee {i:04d}", active_from=D(2020, 1, 1))
        for i in range(employees)
    )
    rows = []
    for person in people:
        for source, from_q, type_ in [
            (lee, "L", "guidance"),
            (max_, "M", "influential"),
            (team, "T", "direct"),
        ]:
            rows.append(
                Relationship(
                    organization=org,
                    partnership=partnership,
                    from_member=source,
                    to_member=person,
                    from_quadrant=from_q,
                    to_quadrant="E",
                    type=type_,
                    starts_on=D(2024, 1, 1),
                )
            )
    Relationship.objects.bulk_create(rows)
    return partnership.relationships.count()


# session, user, roles, the partnership, the data version, the relationships of the channels'
# pages in full; the map (its relationships as rows, the members its triads and suggestions
# name) when not cached under the data version yet. The add form lists no members until a
# name is searched (it used to cost two queries more, for the two lists of the whole
# organization's members), so its cost is the same for every role.
PAGE = 6
MAP = 2


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_the_detail_costs_the_same_for_10_and_1000_relationships(
    role, role_clients, quality, django_assert_num_queries
):
    client = role_clients[role]
    url = f"/partnerships/{quality.drive.pk}/"
    # Quality drive has Lee → Max and Max → Mia; 3 employees bring it to 11, 333 to 1001
    # (and the organization from a handful of members to more than 340).
    assert _grow(quality.drive, 3) == 11
    with django_assert_num_queries(PAGE + MAP):
        small = client.get(url)
    assert small.context["map"].triad_count == 3
    _grow_more(quality.drive, 330)
    assert quality.drive.relationships.count() == 1001
    with django_assert_num_queries(PAGE + MAP):
        large = client.get(url)
    with django_assert_num_queries(PAGE):
        again = client.get(url)
    assert again.context["map"].triad_count == 333
    assert large.context["map"].triad_count == 333
    assert len(large.context["map"].triads) == 20
    assert 'name="from_member"' not in large.content.decode()


def _grow_more(partnership, employees: int) -> None:
    org = partnership.organization
    team = Member.objects.get(organization=org, name="Dock team")
    lee = Member.objects.get(organization=org, name="Lee Leader")
    max_ = Member.objects.get(organization=org, name="Max Manager")
    people = Member.objects.bulk_create(
        Member(organization=org, quadrant="E", name=f"More {i:04d}", active_from=D(2020, 1, 1))
        for i in range(employees)
    )
    Relationship.objects.bulk_create(
        Relationship(
            organization=org,
            partnership=partnership,
            from_member=source,
            to_member=person,
            from_quadrant=from_q,
            to_quadrant="E",
            type=type_,
            starts_on=D(2024, 1, 1),
        )
        for person in people
        for source, from_q, type_ in [
            (lee, "L", "guidance"),
            (max_, "M", "influential"),
            (team, "T", "direct"),
        ]
    )


@pytest.mark.parametrize("role", ["leader", "member"])
def test_the_list_costs_the_same_for_few_and_many(
    role, role_clients, quality, org, django_assert_num_queries
):
    client = role_clients[role]
    _grow(quality.drive, 3)
    # session, user, roles, count, the page with counts per type, the objectives to filter by
    # (the member filter is typed: it no longer lists the organization's members, one query)
    with django_assert_num_queries(6):
        client.get("/partnerships/", {"status": "all"})
    _grow_more(quality.drive, 330)
    PartnershipFactory.create_batch(
        40, organization=org, objective=quality.objective, name="Zz pilot"
    )
    with django_assert_num_queries(6):
        response = client.get("/partnerships/", {"status": "all"})
    [drive] = [p for p in response.context["page"] if p.name == "Quality drive"]
    assert (drive.n_direct, drive.n_influential, drive.n_guidance) == (334, 334, 333)


def _directed_managers(quality, org, count: int) -> list[Member]:
    """Lee Leader directs `count` more managers in the quality drive (bulk: no service)."""
    managers = Member.objects.bulk_create(
        Member(
            organization=org,
            quadrant=Quadrant.MANAGERS,
            name=f"Manager {n:03}",
            active_from=datetime.date(2020, 1, 1),
        )
        for n in range(count)
    )
    Relationship.objects.bulk_create(
        Relationship(
            organization=org,
            partnership=quality.drive,
            from_member=quality.lee,
            to_member=manager,
            from_quadrant=Quadrant.LEADERSHIP,
            to_quadrant=Quadrant.MANAGERS,
            type="direct",
            starts_on=datetime.date(2024, 1, 1),
        )
        for manager in managers
    )
    return managers


def test_a_large_channel_is_listed_a_page_at_a_time(leader_client, quality, org):
    _directed_managers(quality, org, 119)  # with Max Manager: 120 direct lines
    url = f"/partnerships/{quality.drive.pk}/"

    first = leader_client.get(url, {"as_of": "2025-01-01"}).content.decode()
    direct = first[first.index('id="channel-direct"') : first.index('id="channel-influential"')]
    assert direct.count("<tr>") == 1 + 50  # the header row and the first 50
    assert "1–50 of 120" in direct
    assert 'href="?as_of=2025-01-01&amp;direct_page=2#channel-direct" rel="next"' in direct
    assert 'rel="prev"' not in direct

    last = leader_client.get(url, {"as_of": "2025-01-01", "direct_page": 3}).content.decode()
    direct = last[last.index('id="channel-direct"') : last.index('id="channel-influential"')]
    assert direct.count("<tr>") == 1 + 20
    assert "101–120 of 120" in direct
    assert "Manager 118" in direct
    assert 'rel="next"' not in direct
    # the summary still counts every relationship of the channel
    assert "120 relationships" in last


def test_the_partnership_page_costs_the_same_queries_for_few_and_many(
    leader_client, quality, org, django_assert_num_queries
):
    url = f"/partnerships/{quality.drive.pk}/"
    with django_assert_num_queries(PAGE + MAP):
        assert leader_client.get(url).status_code == 200
    _directed_managers(quality, org, 300)
    with django_assert_num_queries(PAGE + MAP):  # the change moved the data version
        assert leader_client.get(url).status_code == 200
    with django_assert_num_queries(PAGE):
        assert leader_client.get(url).status_code == 200


def test_an_added_relationship_is_named_with_the_right_article(leader_client, quality):
    response = _add(
        leader_client, quality.drive, quality.max, quality.clerk, HTTP_HX_REQUEST="true"
    )

    assert (
        "<bdi>Max Manager</bdi> → <bdi>Carl Clerk</bdi> added: an influential relationship."
        in response.content.decode()
    )


def test_a_manager_may_end_only_the_relationships_they_are_an_end_of(manager_client, quality):
    # The page asks the cached map which of today's relationships the manager is an end of.
    response = manager_client.get(f"/partnerships/{quality.drive.pk}/")
    assert response.context["can_add"]
    own = set(
        quality.drive.relationships.filter(
            Q(from_member=quality.max) | Q(to_member=quality.max)
        ).values_list("pk", flat=True)
    )
    assert own
    assert response.context["endable"] == own
    quality.drive.relationships.filter(pk__in=own).update(ends_on=D(2024, 6, 1))
    again = manager_client.get(f"/partnerships/{quality.drive.pk}/")
    assert not again.context["can_add"]
    assert again.context["endable"] == set()
