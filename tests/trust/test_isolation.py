"""Tenant isolation, proven by walking every route of the URLconf.

For each route listed by the resolver (tests/trust/routes.py says what each one names and who
may use it), as each role of organization A:

* with organization B's objects in the URL, every method the route answers is a 404 (a method
  it does not answer is a 405, decided before any object is looked up), B's data is unchanged
  and no answer carries any of B's names;
* with A's own objects, the roles the route allows get an ordinary answer (a page, a redirect,
  or a form's 400/409 for the empty POST) and every other role gets a 403;
* a POST without a CSRF token is refused with a 403 and changes nothing;
* an anonymous visitor is sent to the login page.

A POST here carries no fields: it shows who may reach the form, not what the form accepts
(tests/trust/test_hostile_input.py throws data at the forms). Requests made with A's objects
run inside a savepoint rolled back afterwards, so one role's POST cannot change what the next
role sees.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from org.models import OrgMembership
from tests.trust.conftest import A_LABEL
from tests.trust.routes import PUBLIC, ROUTES, walk
from tests.trust.world import MARKER, snapshot

METHODS = ("GET", "POST")


def send(client: Client, method: str, url: str, *, htmx: bool = False, rollback: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, headers=headers)
        else:
            response = client.post(url, {}, headers=headers)
        transaction.set_rollback(rollback)
    return response


def body(response) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.items()).encode()
    return headers + b"\n" + content


def assert_no_stranger_data(response, context: str) -> None:
    assert MARKER.encode() not in body(response), f"{context} shows organization B's data"


def test_the_registry_covers_every_route_and_only_real_ones():
    walked = list(walk())
    names = [route.name for route in walked]
    assert all(name and not name.endswith(":") for name in names), (
        "Every route needs a name so the isolation tests can cover it: "
        + ", ".join(r.pattern for r in walked if not r.name or r.name.endswith(":"))
    )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"Two routes share a name: {duplicates}"
    uncovered = sorted(set(names) - set(ROUTES) - set(PUBLIC))
    assert not uncovered, (
        "Routes the isolation tests do not cover yet; add them to ROUTES in "
        f"tests/trust/routes.py with the objects they name and the roles they allow: {uncovered}"
    )
    gone = sorted((set(ROUTES) | set(PUBLIC)) - set(names))
    assert not gone, f"tests/trust/routes.py lists routes the URLconf no longer has: {gone}"


def test_the_registry_fills_every_url_argument(world_a):
    walked = {route.name: route for route in walk()}
    for name, route in ROUTES.items():
        for kwargs in route.kwargs(world_a):
            assert set(kwargs) == walked[name].kwargs, name
            reverse(name, kwargs=kwargs)
        assert route.methods(), f"{name} answers no method"


def test_the_world_is_wired_so_a_passing_test_means_something(clients, world_a, world_b):
    """A's pages show A's data; B's data exists (the absence of its marker is meaningful)."""
    response = clients["admin"].get(f"/partnerships/{world_a.partnership.pk}/")
    assert response.status_code == 200
    assert A_LABEL.encode() in response.content
    assert world_b.partnership.name.startswith(MARKER)
    response = clients["member"].get(f"/meetings/sessions/{world_a.session.pk}/")
    assert response.status_code == 200
    assert b"ANTELOPE-A feedback" in response.content


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r.names_object))
def test_another_organizations_objects_are_404_for_every_role(name, clients, world_a, world_b):
    route = ROUTES[name]
    before = snapshot(world_b.organization)
    for kwargs in route.kwargs(world_b):
        url = reverse(name, kwargs=kwargs)
        for role, client in clients.items():
            for method in METHODS:
                expected = 404 if method in route.methods() else 405
                for htmx in (False, True):
                    response = send(client, method, url, htmx=htmx)
                    context = f"{role} {method} {url}{' (htmx)' if htmx else ''}"
                    assert response.status_code == expected, context
                    assert_no_stranger_data(response, context)
    assert snapshot(world_b.organization) == before


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_role_may_use_a_route_on_its_own_objects_as_its_role_allows(
    name, clients, world_a, world_b
):
    route = ROUTES[name]
    for kwargs in route.kwargs(world_a):
        url = reverse(name, kwargs=kwargs)
        for role, client in clients.items():
            for method in METHODS:
                allowed = route.get if method == "GET" else route.post
                for htmx in (False, True):
                    response = send(client, method, url, htmx=htmx, rollback=True)
                    context = f"{role} {method} {url}{' (htmx)' if htmx else ''}"
                    status = response.status_code
                    if allowed is None:
                        assert status == 405, context
                    elif role in allowed:
                        assert status in {200, 302, 400, 409}, f"{context}: {status}"
                    else:
                        assert status == 403, f"{context}: {status}"
                    assert_no_stranger_data(response, context)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(name, world_a, world_b):
    route = ROUTES[name]
    roles = route.post or route.get
    user = OrgMembership.objects.get(organization=world_a.organization, role=sorted(roles)[0]).user
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    before = snapshot(world_a.organization)
    for kwargs in route.kwargs(world_a):
        url = reverse(name, kwargs=kwargs)
        response = client.post(url, {})
        assert response.status_code == 403, url
        assert b"CSRF" in response.content or b"security check" in response.content
        # The same request with the token the page hands out is not refused for CSRF.
        token = client.get(reverse("home"), follow=True).context["csrf_token"]
        with transaction.atomic():
            accepted = client.post(url, {"csrfmiddlewaretoken": str(token)})
            transaction.set_rollback(True)
        assert b"security check" not in accepted.content, url
    assert snapshot(world_a.organization) == before


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_an_anonymous_visitor_is_sent_to_log_in(name, client, world_a):
    route = ROUTES[name]
    for kwargs in route.kwargs(world_a):
        url = reverse(name, kwargs=kwargs)
        for method in METHODS:
            response = send(client, method, url)
            assert response.status_code == 302, f"{method} {url}"
            assert response["Location"].startswith("/login/?next="), f"{method} {url}"


def test_someone_in_both_organizations_sees_only_the_current_ones_objects(
    admin_membership, world_a, world_b
):
    """A's admin is also a member of B: while A is the current organization, B's objects
    are 404 like anyone's; after switching to B they are B's member's to see."""
    OrgMembership.objects.create(
        user=admin_membership.user, organization=world_b.organization, role="member"
    )
    client = Client()
    client.force_login(admin_membership.user)
    session_page = f"/meetings/sessions/{world_b.session.pk}/"
    member_page = f"/org/members/{world_b.employee.pk}/"
    assert client.get(member_page).status_code == 404
    assert client.get(session_page).status_code == 404
    assert client.get(f"/org/members/{world_a.employee.pk}/").status_code == 200
    response = client.post("/org/switch/", {"organization": world_b.organization.pk})
    assert response.status_code == 302
    assert client.get(member_page).status_code == 200
    assert client.get(f"/org/members/{world_a.employee.pk}/").status_code == 404
    assert client.get(f"/org/members/{world_a.employee.pk}/edit/").status_code == 404
