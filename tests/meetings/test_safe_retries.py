"""Writes that are safe to retry: a log entry posted twice with its form's one-time key is stored
once, and the repeat is answered as the first post was (org/once.py)."""

from __future__ import annotations

import datetime
import io
import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from meetings.models import ActionItem, FeedbackItem, SessionSuccess
from org.models import WriteKey
from tests.factories import OrganizationFactory

HX = {"HTTP_HX_REQUEST": "true"}
KEY = re.compile(r'<input type="hidden" name="once" value="([A-Za-z0-9_-]+)">')


def url(session, rest=""):
    return f"/meetings/sessions/{session.pk}/{rest}"


def keys_on(page: str) -> list[str]:
    return KEY.findall(page)


def _every_add_form(client, session) -> list[str]:
    """The keys of the agenda's form on the page and of the log's four add forms, each opened
    from its link (issue 20: they open on demand)."""
    keys = keys_on(client.get(url(session)).content.decode())
    for kind in ("successes", "progress", "feedback", "actions"):
        keys += keys_on(client.get(url(session, f"{kind}/"), **HX).content.decode())
    return keys


def test_every_add_form_of_the_log_carries_its_own_fresh_key(session, manager_client):
    first = _every_add_form(manager_client, session)
    second = _every_add_form(manager_client, session)
    assert len(first) == 5  # the agenda; successes, progress calls, feedback, action items
    assert len(set(first)) == 5
    assert not set(first) & set(second)


def test_the_same_post_twice_stores_one_entry_and_answers_both_alike(
    session, manager_client, manager_membership
):
    key = keys_on(manager_client.get(url(session, "successes/"), **HX).content.decode())[0]
    data = {
        "success-text": "Returns fell by a third",
        "success-shared_by": manager_membership.member.pk,
        "once": key,
    }
    first = manager_client.post(url(session, "successes/"), data, **HX)
    second = manager_client.post(url(session, "successes/"), data, **HX)
    assert first.status_code == second.status_code == 200
    for response in (first, second):
        assert response.content.decode().count("Returns fell by a third") == 1
    assert SessionSuccess.objects.filter(text="Returns fell by a third").count() == 1
    claim = WriteKey.objects.get(key=key)
    assert claim.purpose == "log:successes"
    assert claim.object_id == SessionSuccess.objects.get().pk


def test_a_retried_plain_form_post_redirects_like_the_first(session, manager_client):
    data = {"feedback-text": "Shorter agendas", "once": "k" * 24}
    first = manager_client.post(url(session, "feedback/"), data)
    second = manager_client.post(url(session, "feedback/"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert FeedbackItem.objects.count() == 1


def test_two_keys_are_two_entries_and_a_post_without_a_key_still_stores(session, manager_client):
    for data in (
        {"feedback-text": "One", "once": "a" * 24},
        {"feedback-text": "Two", "once": "b" * 24},
        {"feedback-text": "Three"},
        {"feedback-text": "Four", "once": "not a key!"},  # not ours: ignored, the write goes on
    ):
        assert manager_client.post(url(session, "feedback/"), data, **HX).status_code == 200
    assert sorted(FeedbackItem.objects.values_list("text", flat=True)) == [
        "Four",
        "One",
        "Three",
        "Two",
    ]
    assert WriteKey.objects.count() == 2


def test_a_refused_post_does_not_use_up_its_key(session, manager_client, manager_membership):
    key = "r" * 24
    refused = manager_client.post(url(session, "actions/"), {"once": key}, **HX)
    assert "Say what will be done." in refused.content.decode()
    assert not WriteKey.objects.exists()
    data = {
        "action-text": "Draft the handbook",
        "action-owner": manager_membership.member.pk,
        "action-due_on": "2026-03-01",
        "once": key,
    }
    assert manager_client.post(url(session, "actions/"), data, **HX).status_code == 200
    assert ActionItem.objects.filter(text="Draft the handbook").count() == 1


def test_a_key_belongs_to_its_organization(session, manager_client, db):
    elsewhere = OrganizationFactory()
    WriteKey.objects.create(organization=elsewhere, key="s" * 24, purpose="log:feedback")
    data = {"feedback-text": "Mine", "once": "s" * 24}
    assert manager_client.post(url(session, "feedback/"), data, **HX).status_code == 200
    assert FeedbackItem.objects.filter(text="Mine").count() == 1


def test_keys_older_than_a_week_are_forgotten_by_the_cron_command(session, manager_client):
    manager_client.post(url(session, "feedback/"), {"feedback-text": "x", "once": "o" * 24}, **HX)
    WriteKey.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    manager_client.post(url(session, "feedback/"), {"feedback-text": "y", "once": "n" * 24}, **HX)
    out = io.StringIO()
    call_command("prune_data_changes", stdout=out)
    assert "Forgot 1 one-time key of forms." in out.getvalue()
    assert list(WriteKey.objects.values_list("key", flat=True)) == ["n" * 24]


@pytest.mark.django_db(transaction=True)
def test_two_racing_posts_with_one_key_store_one_entry(session, manager_membership):
    if connection.vendor != "postgresql":
        pytest.skip(
            "two connections racing on one key needs PostgreSQL (SQLite writes one at a time)"
        )
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        client = Client()
        client.force_login(manager_membership.user)
        barrier.wait()
        response = client.post(
            url(session, "feedback/"), {"feedback-text": "Once only", "once": "z" * 24}, **HX
        )
        statuses.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert statuses == [200, 200]
    assert FeedbackItem.objects.filter(text="Once only").count() == 1
