"""The access page: every active person of the organization with their login state, role and
last sign-in; filtered, searched, paginated at a constant number of queries; admins only."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from org.invitations import invitation_create
from org.models import Member, OrgMembership, Role
from tests.factories import OrgMembershipFactory, PersonFactory, TeamFactory


@pytest.fixture
def people(org, admin_membership, leader_membership, manager_membership, member_membership):
    """One person in each state, besides the personas' own."""
    invited = PersonFactory(organization=org, quadrant="M", name="Ines Invited", email="i@a.test")
    invitation_create(member=invited, role=Role.LEADER)
    none = PersonFactory(organization=org, quadrant="E", name="Nina Nologin", email="n@a.test")
    off = PersonFactory(organization=org, quadrant="E", name="Otto Off", email="o@a.test")
    OrgMembershipFactory(organization=org, role=Role.MEMBER, member=off, disabled_at=timezone.now())
    manager_membership.user.last_login = datetime.datetime(2026, 3, 4, 9, 30, tzinfo=datetime.UTC)
    manager_membership.user.save(update_fields=["last_login"])
    TeamFactory(organization=org, name="Some Team")
    PersonFactory(organization=org, name="Archie Archived", active_until=datetime.date(2021, 1, 1))
    return {"invited": invited, "none": none, "off": off}


def rows(response) -> list[str]:
    """Each row of the table as its cells' text, joined by |."""
    html = response.content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    result = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        result.append(" | ".join(" ".join(c.split()) for c in cells))
    return result


def test_it_lists_every_active_person_with_state_role_and_last_sign_in(admin_client, people):
    response = admin_client.get("/org/access/")
    assert response.status_code == 200
    found = rows(response)
    assert found[0].startswith(
        "ada_admin (a login without a person) | ada_admin@example.com | Active | Admin | "
    )  # signed in just now
    assert found[1:] == [
        "Ines Invited | i@a.test | Invited | Leader | —",
        "Lee Leader | — | Active | Leader | never",
        "Max Manager | — | Active | Manager | 4 Mar 2026, 09:30",
        "Mia Member | — | Active | Member | never",
        "Nina Nologin | n@a.test | No login | — | —",
        "Otto Off | o@a.test | Turned off | Member | never",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=none", ["Nina Nologin"]),
        ("state=invited", ["Ines Invited"]),
        ("state=disabled", ["Otto Off"]),
        ("state=active", ["ada_admin", "Lee Leader", "Max Manager", "Mia Member"]),
        ("role=leader", ["Ines Invited", "Lee Leader"]),
        ("role=member", ["Mia Member", "Otto Off"]),
        ("role=admin", ["ada_admin"]),
        ("q=nina", ["Nina Nologin"]),
        ("q=o%40a.test", ["Otto Off"]),
        ("state=active&role=manager", ["Max Manager"]),
        ("q=nobody", []),
    ],
)
def test_it_filters_by_state_and_role_and_searches_names_and_emails(
    admin_client, people, query, expected
):
    response = admin_client.get(f"/org/access/?{query}")
    assert response.status_code == 200
    assert [row.split(" |")[0].split(" (")[0] for row in rows(response)] == expected
    if not expected:
        assert b"Nobody matches these filters." in response.content


def test_a_bad_filter_is_a_400(admin_client, people):
    assert admin_client.get("/org/access/?state=royal").status_code == 400
    assert admin_client.get("/org/access/?role=king").status_code == 400


def test_the_filter_answers_htmx_with_the_results_alone(admin_client, people):
    response = admin_client.get("/org/access/?q=nina", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "Nina Nologin" in html and "<header" not in html


def test_it_pages_many_people_at_the_same_number_of_queries(
    admin_client, org, django_assert_num_queries
):
    def add(n: int, start: int) -> None:
        people = Member.objects.bulk_create(
            [
                Member(
                    organization=org,
                    kind="person",
                    quadrant="E",
                    name=f"Person {i:05}",
                    email=f"p{i}@a.test",
                    active_from=datetime.date(2020, 1, 1),
                )
                for i in range(start, start + n)
            ]
        )
        for person in people[::3]:
            OrgMembershipFactory(organization=org, member=person, role=Role.MEMBER)
        for person in people[1::3]:
            invitation_create(member=person, role=Role.MANAGER)

    add(60, 0)
    with django_assert_num_queries(7) as few:
        response = admin_client.get("/org/access/?page=2")
    assert response.status_code == 200
    add(240, 60)
    with django_assert_num_queries(7) as many:
        response = admin_client.get("/org/access/?page=2")
    assert len(few.captured_queries) == len(many.captured_queries)
    assert "Page 2 of 6 · 300 people" in response.content.decode()
    assert len(rows(response)) == 50
    assert "Person 00052 | p52@a.test | Invited | Manager | —" in rows(response)
    assert "Person 00051 | p51@a.test | Active | Member | never" in rows(response)
    assert "Person 00050 | p50@a.test | No login | — | —" in rows(response)


def test_it_lists_only_the_organizations_own_people(admin_client, people, other_org):
    stranger = PersonFactory(organization=other_org, name="Stranger Danger", email="s@g.test")
    OrgMembershipFactory(organization=other_org, member=stranger, role=Role.ADMIN)
    OrgMembershipFactory(organization=other_org, role=Role.ADMIN, user__username="globex_root")
    for query in ("", "?q=Danger", "?state=active", "?role=admin"):
        html = admin_client.get(f"/org/access/{query}").content.decode()
        assert "Stranger Danger" not in html and "globex_root" not in html
    assert admin_client.get(f"/org/access/people/{stranger.pk}/").status_code == 404


def test_a_person_page_offers_what_fits_their_state(admin_client, people):
    page = admin_client.get(f"/org/access/people/{people['none'].pk}/").content.decode()
    assert "Send the invitation" in page
    page = admin_client.get(f"/org/access/people/{people['invited'].pk}/").content.decode()
    assert "Send again" in page and "Withdraw" in page
    page = admin_client.get(f"/org/access/people/{people['off'].pk}/").content.decode()
    assert "Turn access on" in page and "Change the role" in page


def test_a_login_without_a_person_has_a_page_of_its_own(admin_client, admin_membership):
    response = admin_client.get(f"/org/access/logins/{admin_membership.pk}/")
    assert response.status_code == 200
    assert b"This is your own login." in response.content
    linked = OrgMembershipFactory(
        organization=admin_membership.organization,
        member=PersonFactory(organization=admin_membership.organization),
    )
    response = admin_client.get(f"/org/access/logins/{linked.pk}/")
    assert response["Location"] == f"/org/access/people/{linked.member_id}/"


def test_admins_find_it_in_the_navigation_and_on_people_and_teams(admin_client, leader_client):
    assert b'href="/org/access/"' in admin_client.get("/org/members/").content
    assert b'href="/org/access/"' in admin_client.get("/org/audit/").content
    assert b'href="/org/access/"' not in leader_client.get("/org/members/").content


ACCESS_ROUTES = [
    ("GET", "/org/access/"),
    ("GET", "/org/access/invite/"),
    ("POST", "/org/access/invite/"),
    ("GET", "/org/access/people/{person}/"),
    ("POST", "/org/access/people/{person}/invite/"),
    ("POST", "/org/access/invitations/{invitation}/resend/"),
    ("POST", "/org/access/invitations/{invitation}/revoke/"),
    ("GET", "/org/access/logins/{login}/"),
    ("POST", "/org/access/logins/{login}/role/"),
    ("POST", "/org/access/logins/{login}/disable/"),
    ("POST", "/org/access/logins/{login}/enable/"),
]


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_every_access_route_is_403_for_anyone_but_an_admin(role, role_clients, people):
    invited = people["invited"]
    ids = {
        "person": people["none"].pk,
        "invitation": invited.invitations.get().pk,
        "login": OrgMembership.objects.get(member=people["off"]).pk,
    }
    for method, url in ACCESS_ROUTES:
        url = url.format(**ids)
        client = role_clients[role]
        data = {"role": "admin", "quadrants": ["E"]} if method == "POST" else {}
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert response.status_code == 403, f"{role} {method} {url}"
    assert OrgMembership.objects.get(member=people["off"]).disabled_at is not None
    assert invited.invitations.get().is_open
    assert not people["none"].invitations.exists()
