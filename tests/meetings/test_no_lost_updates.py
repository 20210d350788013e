"""No lost updates: two people saving the same log entry or session at the same moment.

The sequential case (a stale form sent after someone else saved) runs through the pages in
test_session_log.py on both databases. Here two transactions really race on PostgreSQL: the
second UPDATE waits for the first one's row lock, then finds the version moved on.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from meetings import services
from meetings.models import Session
from tests.factories import SessionFactory, SuccessFactory

pytestmark = pytest.mark.django_db(transaction=True)


def race(edit_one, edit_two) -> list[str]:
    """Run two edits in two connections, the first holding its lock a moment before commit."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker(edit, hold: float, delay: float) -> None:
        try:
            barrier.wait()
            time.sleep(delay)
            with transaction.atomic():
                edit()
                time.sleep(hold)
            outcomes.append("saved")
        except services.StaleEdit:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(edit_one, 0.3, 0)),
        threading.Thread(target=worker, args=(edit_two, 0, 0.1)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return outcomes


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("a real race between two connections needs PostgreSQL's row locks")


def test_two_racing_edits_of_one_entry_keep_the_first_and_refuse_the_second(postgres_only):
    session = SessionFactory()
    success = SuccessFactory(session=session, text="Original")

    def edit(text):
        return lambda: services.log_item_edit(item=success, version=1, changes={"text": text})

    outcomes = race(edit("First"), edit("Second"))
    assert sorted(outcomes) == ["saved", "stale"]
    success.refresh_from_db()
    assert (success.text, success.version) == ("First", 2)


def test_two_racing_session_saves_keep_the_first(postgres_only):
    session = SessionFactory()

    def update(place):
        return lambda: services.session_update(
            session=session,
            version=1,
            facilitator=session.facilitator,
            starts_at=session.starts_at,
            duration_minutes=session.duration_minutes,
            place=place,
            video_link="",
        )

    outcomes = race(update("Room 1"), update("Room 2"))
    assert sorted(outcomes) == ["saved", "stale"]
    session.refresh_from_db()
    assert (session.place, session.version) == ("Room 1", 2)
    assert Session.objects.count() == 1
