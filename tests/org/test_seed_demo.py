from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from demo import organizations as demo
from meetings.models import Checklist, Session
from org.models import Member, Organization, OrgMembership, Quadrant, TeamMembership
from partnerships.models import Partnership
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def seed_demo(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> dict[str, str]:
    """username -> password, as read from the command's output."""
    listing = output.split("Demo logins (username / password):", 1)[1]
    return dict(re.findall(r"^  (\S+)\s+(\S+)\s", listing, flags=re.MULTILINE))


def snapshot(slug: str) -> list[tuple]:
    return list(
        Member.objects.filter(organization__slug=slug)
        .order_by("external_id")
        .values_list(
            "kind",
            "quadrant",
            "name",
            "title",
            "email",
            "external_id",
            "active_from",
            "active_until",
        )
    )


def test_it_builds_a_believable_organization():
    seed_demo()
    northwind = Organization.objects.get(slug="northwind")
    per_quadrant = dict(
        Member.objects.for_org(northwind)
        .values_list("quadrant")
        .annotate(n=Count("id"))
        .values_list("quadrant", "n")
    )
    assert 3 <= per_quadrant[Quadrant.LEADERSHIP] <= 6
    assert 18 <= per_quadrant[Quadrant.MANAGERS] <= 22
    assert 13 <= per_quadrant[Quadrant.TEAMS] <= 17
    assert 230 <= per_quadrant[Quadrant.EMPLOYEES] <= 270

    people = Member.objects.for_org(northwind).filter(kind=Member.Kind.PERSON)
    assert people.filter(title="").count() == 0
    assert people.values("email").distinct().count() == people.count()
    assert people.values("name").distinct().count() == people.count()
    assert all(
        email.endswith("@northwind.example") for email in people.values_list("email", flat=True)
    )

    # People sit on teams: every team has several people, every employee sits somewhere.
    team_sizes = (
        Member.objects.for_org(northwind)
        .filter(kind=Member.Kind.TEAM)
        .annotate(n=Count("team_seats"))
        .values_list("n", flat=True)
    )
    assert min(team_sizes) >= 5
    seated = TeamMembership.objects.filter(organization=northwind).values("person").distinct()
    assert seated.count() == per_quadrant[Quadrant.EMPLOYEES]
    # Some people have left, and are archived rather than gone.
    today = northwind.today()
    assert 0 < people.count() - people.active_on(today).count() < 20


def test_it_is_deterministic():
    seed_demo()
    first = snapshot("northwind"), snapshot("riverbend")
    seed_demo()  # rebuilds the demo from scratch
    assert (snapshot("northwind"), snapshot("riverbend")) == first
    assert Organization.objects.filter(slug="northwind").count() == 1


def test_another_seed_gives_other_people():
    seed_demo()
    first = snapshot("northwind")
    seed_demo("--seed", "99")
    assert [row[2] for row in snapshot("northwind")] != [row[2] for row in first]


def test_every_printed_login_works():
    output = seed_demo()
    logins = printed_logins(output)
    assert set(logins) == {"admin", "leader", "manager", "member", "riverbend-admin"}
    for username, password in logins.items():
        client = Client()
        response = client.post("/login/", {"username": username, "password": password})
        assert response.status_code == 302, username
        assert client.get("/org/members/").status_code == 200, username


def test_each_login_has_its_role_and_is_a_suitable_person():
    seed_demo()
    memberships = {
        (m.user.username, m.organization.slug): m
        for m in OrgMembership.objects.select_related("user", "organization", "member")
    }
    expected = {
        ("admin", "northwind"): ("admin", Quadrant.MANAGERS),
        ("leader", "northwind"): ("leader", Quadrant.LEADERSHIP),
        ("manager", "northwind"): ("manager", Quadrant.MANAGERS),
        ("member", "northwind"): ("member", Quadrant.EMPLOYEES),
        ("riverbend-admin", "riverbend"): ("admin", Quadrant.LEADERSHIP),
    }
    for key, (role, quadrant) in expected.items():
        membership = memberships[key]
        assert membership.role == role
        assert membership.member.quadrant == quadrant
        assert membership.member.organization_id == membership.organization_id
    # The demo admin belongs to both organizations, so the switcher is there to try.
    assert memberships[("admin", "riverbend")].role == "leader"


def test_the_second_organization_is_kept_apart():
    output = seed_demo()
    client = Client()
    client.login(username="riverbend-admin", password=printed_logins(output)["riverbend-admin"])
    page = client.get("/org/members/").content.decode()
    assert "Data Platform" in page
    assert "Inbound Receiving" not in page
    assert 'name="organization"' not in page  # one organization: no switcher

    client.login(username="admin", password=printed_logins(output)["admin"])
    page = client.get("/org/members/").content.decode()
    assert 'name="organization"' in page


def test_if_empty_skips_seeding_but_still_prints_the_logins():
    seed_demo("--if-empty")
    before = Member.objects.count()
    output = seed_demo("--if-empty")
    assert "already loaded" in output
    assert set(printed_logins(output)) == {
        "admin",
        "leader",
        "manager",
        "member",
        "riverbend-admin",
    }
    assert Member.objects.count() == before
    assert Organization.objects.count() == 2


def test_if_empty_leaves_a_database_with_real_data_alone():
    OrganizationFactory(slug="acme")
    output = seed_demo("--if-empty")
    assert "no demo loaded" in output
    assert list(Organization.objects.values_list("slug", flat=True)) == ["acme"]


def test_it_writes_the_structure_in_bulk(django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(demo, "_seed_app_demos", lambda organization, rng: None)
    with django_assert_max_num_queries(40):
        demo.demo_seed()
    assert Member.objects.count() > 290


def test_the_other_apps_add_their_demo_data():
    seed_demo()
    northwind = Organization.objects.get(slug="northwind")
    assert Partnership.objects.filter(organization=northwind).exists()
    assert Session.objects.filter(organization=northwind).exists()
    # four quarters of checklists behind the progress dashboard
    quarters = Checklist.objects.filter(organization=northwind).values("quarter_start").distinct()
    assert quarters.count() == 4
    assert not Partnership.objects.filter(organization__slug="riverbend").exists()


def test_an_organization_with_partnerships_and_sessions_can_be_deleted_whole():
    seed_demo()
    northwind = Organization.objects.get(slug="northwind")
    northwind.delete()
    assert not Member.objects.filter(organization_id=northwind.pk).exists()
    assert not Session.objects.filter(organization_id=northwind.pk).exists()
    assert Organization.objects.filter(slug="riverbend").exists()
