"""Failing well: a database that does not answer gives a 503 with Retry-After, nothing
half-written, and the site back on the next request once the database is; error pages use
the layout and leak nothing. All with DEBUG off, as in production."""

from __future__ import annotations

import contextlib
import logging
import re
from unittest import mock

import pytest
from django.db import OperationalError, close_old_connections, connection, transaction
from django.test import Client

from org.models import AuditEntry, Member, OrgMembership, TeamMembership
from partnerships.models import Relationship
from tests.factories import PartnershipFactory, PersonFactory
from tests.trust.world import MARKER


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _refuse_everything(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: refused")


@contextlib.contextmanager
def database_down():
    with connection.execute_wrapper(_refuse_everything):
        yield


def client_for(membership) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(membership.user)
    return client


def assert_layout_without_leaks(response) -> None:
    html = response.content.decode()
    assert '<a class="brand" href="/">Partnership Map</a>' in html
    assert '<main id="main"' in html
    assert "Traceback" not in html
    assert MARKER not in html
    assert "Exception" not in html and "Error:" not in html


# --- the database does not answer --------------------------------------------------------------


def test_it_answers_503_with_retry_after_on_a_page_in_the_layout(admin_membership):
    client = client_for(admin_membership)
    with database_down():
        response = client.get("/org/members/")
        health = Client().get("/healthz")  # the load balancer's probe carries no session
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert b"Back in a moment" in response.content
    assert b"nothing is ever half-saved" in response.content
    assert_layout_without_leaks(response)
    assert b"site-nav" not in response.content  # the page needs no user and no organization
    assert health.status_code == 503
    assert health.json() == {"status": "error", "database": "OperationalError"}


def test_it_is_back_on_the_next_request_once_the_database_is(admin_membership):
    client = client_for(admin_membership)
    with database_down():
        assert client.get("/org/members/").status_code == 503
    response = client.get("/org/members/")
    assert response.status_code == 200
    assert client.get("/healthz").status_code == 200


def test_a_login_attempt_during_the_outage_gets_the_503_page(db):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.post("/login/", {"username": "ada", "password": "whatever it is"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def _writes(sql: str) -> bool:
    return bool(re.match(r"\s*(INSERT|UPDATE|DELETE)", sql)) and "django_session" not in sql


@pytest.fixture
def partnership_data(org, leader_membership, manager_membership):
    partnership = PartnershipFactory(organization=org, name="Delivery")
    return {
        "partnership": partnership,
        "from": leader_membership.member,
        "to": manager_membership.member,
    }


def _changes(org) -> dict:
    return {
        "members": list(Member.objects.filter(organization=org).values()),
        "seats": list(TeamMembership.objects.filter(organization=org).values()),
        "relationships": list(Relationship.objects.filter(organization=org).values()),
        "audit": list(AuditEntry.objects.filter(organization=org).values()),
        "logins": list(OrgMembership.objects.filter(organization=org).values()),
    }


WRITES = {
    "add a member": lambda d: ("/org/members/new/", {
        "kind": "person", "name": "Nora New", "quadrant": "E", "active_from": "2024-01-01",
    }),
    "add a relationship": lambda d: (f"/partnerships/{d['partnership'].pk}/relationships/", {
        "from_member": d["from"].pk, "to_member": d["to"].pk, "starts_on": "2024-02-01",
    }),
}  # fmt: skip


@pytest.mark.parametrize("action", sorted(WRITES))
def test_a_write_cut_off_by_the_outage_leaves_nothing_half_written(
    action, org, admin_membership, partnership_data
):
    """Let the request run until its last write, and have the database fail there: every
    earlier write of the request is gone too."""
    client = client_for(admin_membership)
    url, data = WRITES[action](partnership_data)
    before = _changes(org)

    writes = []

    def count(execute, sql, params, many, context):
        if _writes(sql):
            writes.append(sql)
        return execute(sql, params, many, context)

    with transaction.atomic():
        with connection.execute_wrapper(count):
            response = client.post(url, data)
        assert response.status_code == 302, response.content
        transaction.set_rollback(True)
    assert len(writes) >= 2, f"{action} writes {len(writes)} row(s); pick a multi-row write"
    assert _changes(org) == before

    seen = []

    def fail_last_write(execute, sql, params, many, context):
        if _writes(sql):
            seen.append(sql)
            if len(seen) == len(writes):
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_last_write):
        response = client.post(url, data)
    assert response.status_code == 503
    assert _changes(org) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="drops a real PostgreSQL session")
@pytest.mark.django_db(transaction=True)
def test_it_recovers_when_postgresql_drops_the_connection(admin_client):
    import psycopg

    assert admin_client.get("/org/members/").status_code == 200
    settings_dict = connection.settings_dict
    pid = connection.connection.info.backend_pid
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname=settings_dict["NAME"],
        autocommit=True,
    ) as other:
        # ::integer: Citus adds a pg_terminate_backend(bigint) (for its global process ids).
        other.execute("SELECT pg_terminate_backend(%s::integer)", [pid])
    admin_client.raise_request_exception = False
    response = admin_client.get("/org/members/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    close_old_connections()  # what Django does as the next request starts
    assert admin_client.get("/org/members/").status_code == 200


# --- error pages --------------------------------------------------------------------------------


def test_the_404_page_uses_the_layout_and_names_nothing(member_client, outsider_membership):
    stranger = PersonFactory(organization=outsider_membership.organization, name=f"{MARKER} X")
    response = member_client.get(f"/org/members/{stranger.pk}/")
    assert response.status_code == 404
    assert_layout_without_leaks(response)
    assert b"Not found" in response.content


def test_the_403_page_uses_the_layout_and_says_only_what_the_role_may_not_do(member_client):
    response = member_client.get("/org/members/new/")
    assert response.status_code == 403
    assert_layout_without_leaks(response)
    assert b"Only the organization&#x27;s admins can change its structure." in response.content


def test_the_400_page_uses_the_layout_and_repeats_nothing_of_the_request(db):
    client = Client(raise_request_exception=False)
    response = client.get("/login/", HTTP_HOST=f"{MARKER.lower()}.example")
    assert response.status_code == 400
    assert_layout_without_leaks(response)
    assert MARKER.lower().encode() not in response.content
    assert b"Bad request" in response.content


def test_the_500_page_uses_the_layout_and_shows_no_trace_of_the_error(admin_membership):
    client = client_for(admin_membership)
    with mock.patch(
        "partnerships.views.selectors.objective_list",
        side_effect=RuntimeError(f"{MARKER} detail of the failure"),
    ):
        response = client.get("/objectives/")
    assert response.status_code == 500
    assert_layout_without_leaks(response)
    assert b"Something went wrong" in response.content
    assert b"site-nav" not in response.content


def test_the_csrf_failure_page_uses_the_layout(admin_membership):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_membership.user)
    response = client.post("/org/members/new/", {"name": "X"})
    assert response.status_code == 403
    assert_layout_without_leaks(response)
    assert b"The form failed a security check" in response.content


# --- error pages without the static files, and what the log says -------------------------------


@pytest.fixture
def no_static_manifest(settings, tmp_path):
    """Production storage with `collectstatic` never run: the manifest does not exist."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }


def test_the_500_page_renders_even_without_the_static_files_manifest(
    admin_membership, no_static_manifest
):
    client = client_for(admin_membership)
    with mock.patch(
        "partnerships.views.selectors.objective_list",
        side_effect=RuntimeError(f"{MARKER} detail of the failure"),
    ):
        response = client.get("/objectives/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert MARKER.encode() not in response.content
    assert b"Traceback" not in response.content


def test_the_503_page_renders_even_without_the_static_files_manifest(
    admin_membership, no_static_manifest
):
    client = client_for(admin_membership)
    with database_down():
        response = client.get("/org/members/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Back in a moment" in response.content


def _handlers_reached(name: str) -> list:
    """The handlers a record logged on `name` is written by (up the propagation chain)."""
    handlers, logger = [], logging.getLogger(name)
    while logger is not None:
        handlers += logger.handlers
        logger = logger.parent if logger.propagate else None
    return handlers


def test_a_refusal_is_logged_once_as_a_warning_without_a_traceback(member_client, caplog):
    with caplog.at_level(logging.INFO):
        response = member_client.get("/org/members/new/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("WARNING", "Forbidden (Permission denied): /org/members/new/")
    ]
    assert records[0].exc_info is None
    # One console handler writes it (the root's), not Django's own console handler as well;
    # pytest's capture handlers aside.
    consoles = [h for h in _handlers_reached("django.request") if type(h).__module__ == "logging"]
    assert len(consoles) == 1


def test_a_missing_page_is_logged_once_as_a_warning_without_a_traceback(
    member_client, outsider_membership, caplog
):
    stranger = PersonFactory(organization=outsider_membership.organization)
    with caplog.at_level(logging.INFO):
        response = member_client.get(f"/org/members/{stranger.pk}/")
    assert response.status_code == 404
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.exc_info) for r in records] == [("WARNING", None)]
    assert records[0].getMessage() == f"Not Found: /org/members/{stranger.pk}/"


def test_a_server_error_keeps_its_traceback_in_the_log(admin_membership, caplog):
    client = client_for(admin_membership)
    with mock.patch(
        "partnerships.views.selectors.objective_list", side_effect=RuntimeError("boom")
    ):
        client.get("/objectives/")
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.levelname for r in records] == ["ERROR"]
    assert records[0].exc_info is not None
