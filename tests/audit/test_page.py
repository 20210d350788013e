"""The admins' audit trail page: roles, filters, pagination, other organizations, cost."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model

from org.models import AuditEntry
from tests.factories import OrgMembershipFactory, UserFactory

UTC = datetime.UTC


def entry(org, *, actor=None, at=None, **fields) -> AuditEntry:
    values = {
        "action": "changed",
        "object_type": "member",
        "object_id": 1,
        "object_repr": "Grace Hopper",
        "changes": {"title": ["Commander", "Rear Admiral"]},
    }
    return AuditEntry.objects.create(
        organization=org,
        actor=actor,
        actor_label=actor.get_username() if actor else "",
        at=at or datetime.datetime(2026, 2, 16, 10, 0, tzinfo=UTC),
        **(values | fields),
    )


def many(org, n: int, **fields) -> None:
    start = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organization=org,
            at=start + datetime.timedelta(hours=i),
            action="changed",
            object_type="member",
            object_id=i,
            object_repr=f"Person {i:03}",
            changes={"title": [f"Old {i}", f"New {i}"]},
            **fields,
        )
        for i in range(n)
    )


def shown(response) -> list[str]:
    return [row["entry"].object_repr for row in response.context["rows"]]


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("leader", 403), ("manager", 403), ("member", 403)])
def test_only_admins_read_it(role, status, role_clients, org):
    entry(org)
    response = role_clients[role].get("/org/audit/")
    assert response.status_code == status
    assert "Grace Hopper" not in response.content.decode()


def test_it_requires_login(client):
    response = client.get("/org/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/org/audit/"


def test_it_cannot_be_written_to(admin_client, org):
    entry(org)
    assert admin_client.post("/org/audit/", {"action": "deleted"}).status_code == 405
    assert AuditEntry.objects.get().action == "changed"


def test_the_nav_links_to_it_for_admins_only(admin_client, leader_client):
    assert 'href="/org/audit/"' in admin_client.get("/org/members/").content.decode()
    assert 'href="/org/audit/"' not in leader_client.get("/org/members/").content.decode()


# --- what it shows -------------------------------------------------------------------------


def test_it_names_the_person_who_made_a_change_not_their_login(
    admin_client, leader_membership, org
):
    entry(org, actor=leader_membership.user)

    page = admin_client.get("/org/audit/").content.decode()

    assert '<td class="audit-who">Lee Leader</td>' in page
    assert "lee_leader" not in page


def test_it_shows_who_when_what_and_each_field_before_and_after(
    admin_client, admin_membership, org
):
    org.time_zone = "Europe/Berlin"
    org.save()
    entry(
        org,
        actor=admin_membership.user,
        action="moved",
        changes={"quadrant": ["M", "L"], "moved_on": [None, "2026-02-16"]},
    )
    response = admin_client.get("/org/audit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "16 Feb 2026, 11:00" in page  # 10:00 UTC, as Berlin reads it
    assert "login</span> ada_admin" in page  # this login is no person of the organization
    assert "moved" in page and "Member" in page and "Grace Hopper" in page
    [row] = response.context["rows"]
    assert [(c.field, c.before, c.after) for c in row["changes"]] == [
        ("quadrant", "Managers", "Leadership"),
        ("moved on", "—", "16 Feb 2026"),
    ]
    assert '<span class="audit-before">Managers</span>' in page
    assert '<span class="audit-after">Leadership</span>' in page


def test_an_entry_of_a_command_says_so(admin_client, org):
    entry(org, actor=None)
    assert "a command (no login)" in admin_client.get("/org/audit/").content.decode()


def test_it_keeps_saying_who_after_their_login_is_deleted(admin_client, org):
    gone = UserFactory(username="gone_admin")
    OrgMembershipFactory(organization=org, user=gone)
    entry(org, actor=gone)
    gone.delete()
    response = admin_client.get("/org/audit/")
    assert "gone_admin" in response.content.decode()
    assert AuditEntry.objects.get().actor is None


def test_another_organizations_entries_are_never_shown(
    admin_client, outsider_client, org, other_org
):
    entry(org, object_repr="Ours")
    entry(other_org, object_repr="Theirs")
    ours = admin_client.get("/org/audit/")
    assert shown(ours) == ["Ours"]
    assert "Theirs" not in ours.content.decode()
    theirs = outsider_client.get("/org/audit/")
    assert shown(theirs) == ["Theirs"]
    assert "Ours" not in theirs.content.decode()


def test_it_says_when_nothing_is_recorded_yet(admin_client):
    assert "No changes have been recorded yet." in admin_client.get("/org/audit/").content.decode()


# --- filters -------------------------------------------------------------------------------


def test_it_filters_by_who(admin_client, admin_membership, leader_membership, org):
    entry(org, actor=admin_membership.user, object_repr="By the admin")
    entry(org, actor=leader_membership.user, object_repr="By the leader")
    entry(org, actor=None, object_repr="By a command")
    response = admin_client.get(f"/org/audit/?actor={leader_membership.user.pk}")
    assert shown(response) == ["By the leader"]


def test_it_offers_only_this_organizations_logins(
    admin_client, admin_membership, outsider_membership, org
):
    form = admin_client.get("/org/audit/").context["form"]
    assert admin_membership.user in form.fields["actor"].queryset
    assert outsider_membership.user not in form.fields["actor"].queryset
    response = admin_client.get(f"/org/audit/?actor={outsider_membership.user.pk}")
    assert response.status_code == 400


def test_it_filters_by_kind_of_object_and_name(admin_client, org):
    entry(org, object_type="member", object_repr="Grace Hopper")
    entry(org, object_type="partnership", object_repr="Quality drive")
    entry(org, object_type="relationship", object_repr="Grace Hopper → Ada (direct)")
    assert shown(admin_client.get("/org/audit/?object_type=partnership")) == ["Quality drive"]
    assert sorted(shown(admin_client.get("/org/audit/?q=grace"))) == [
        "Grace Hopper",
        "Grace Hopper → Ada (direct)",
    ]
    both = admin_client.get("/org/audit/?q=grace&object_type=relationship")
    assert shown(both) == ["Grace Hopper → Ada (direct)"]


def test_it_filters_by_days_in_the_organizations_time_zone(admin_client, org):
    org.time_zone = "America/New_York"
    org.save()
    # 15 Feb 23:30 in New York is 16 Feb 04:30 UTC.
    entry(org, object_repr="Late on the 15th", at=datetime.datetime(2026, 2, 16, 4, 30, tzinfo=UTC))
    entry(org, object_repr="On the 16th", at=datetime.datetime(2026, 2, 16, 15, 0, tzinfo=UTC))
    entry(org, object_repr="On the 17th", at=datetime.datetime(2026, 2, 17, 15, 0, tzinfo=UTC))
    assert shown(admin_client.get("/org/audit/?date_from=2026-02-16&date_to=2026-02-16")) == [
        "On the 16th"
    ]
    assert shown(admin_client.get("/org/audit/?date_to=2026-02-15")) == ["Late on the 15th"]
    assert shown(admin_client.get("/org/audit/?date_from=2026-02-16")) == [
        "On the 17th",
        "On the 16th",
    ]
    response = admin_client.get("/org/audit/?date_from=2026-03-01")
    assert shown(response) == []
    assert "No changes match these filters." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2026-02-17&date_to=2026-02-16",
        "date_from=yesterday",
        "date_from=0001-01-01",
        "date_to=9999-12-31",
        "q=nul%00byte",
        "object_type=spaceship",
        "actor=999999",
        "actor=abc",
        "page=0",
        "q=" + "x" * 101,
    ],
)
def test_an_invalid_filter_is_a_400(query, admin_client):
    assert admin_client.get(f"/org/audit/?{query}").status_code == 400


def test_htmx_gets_the_results_only(admin_client, org):
    entry(org)
    response = admin_client.get("/org/audit/?q=grace", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and 'id="results"' in page
    assert "Grace Hopper" in page
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(admin_client, org):
    entry(org)
    response = admin_client.get(
        "/org/audit/?q=grace", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    page = response.content.decode()
    assert "<html" in page and page.count('id="results"') == 1
    assert "Grace Hopper" in page
    assert "HX-Request" in response["Vary"]


# --- pages and cost ------------------------------------------------------------------------


def test_it_pages_newest_first(admin_client, org):
    many(org, 120)
    first = admin_client.get("/org/audit/")
    assert shown(first)[:2] == ["Person 119", "Person 118"]
    assert len(shown(first)) == 50
    page = first.content.decode()
    assert "Page 1 of 3 · 120 changes" in page
    assert 'href="?page=2"' in page
    last = admin_client.get("/org/audit/?page=3")
    assert shown(last) == [f"Person {i:03}" for i in range(19, -1, -1)]
    assert shown(admin_client.get("/org/audit/?page=99")) == shown(last)


def test_paging_keeps_the_filters(admin_client, admin_membership, org):
    many(org, 60, actor=admin_membership.user, actor_label="ada_admin")
    page = admin_client.get(f"/org/audit/?actor={admin_membership.user.pk}").content.decode()
    assert f'href="?actor={admin_membership.user.pk}&amp;page=2"' in page


def test_the_page_costs_the_same_queries_for_few_and_many_entries(
    admin_client, admin_membership, org, django_assert_num_queries
):
    # The session, the user, their memberships; the organization's logins for the "who"
    # filter; the count of entries and one page of them.
    many(org, 3, actor=admin_membership.user, actor_label="ada_admin")
    for _ in range(5):
        OrgMembershipFactory(organization=org)
    with django_assert_num_queries(6):
        assert admin_client.get("/org/audit/").status_code == 200
    many(org, 300, actor=admin_membership.user, actor_label="ada_admin")
    for _ in range(20):
        OrgMembershipFactory(organization=org)
    with django_assert_num_queries(6):
        assert admin_client.get("/org/audit/").status_code == 200


# --- the Django admin ----------------------------------------------------------------------


def test_the_django_admin_shows_entries_but_never_changes_them(client, org):
    staff = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(staff)
    item = entry(org)
    assert client.get("/admin/org/auditentry/").status_code == 200
    assert client.get(f"/admin/org/auditentry/{item.pk}/change/").status_code == 200
    assert client.get("/admin/org/auditentry/add/").status_code == 403
    assert client.post(f"/admin/org/auditentry/{item.pk}/change/", {}).status_code == 403
    assert (
        client.post(f"/admin/org/auditentry/{item.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert AuditEntry.objects.get() == item
