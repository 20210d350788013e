"""Direct lines never form a loop: refused with the loop named, also under concurrent writes."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, connections

from org.models import Quadrant
from partnerships import services
from partnerships.models import Relationship
from partnerships.services import DirectLoopError, relationship_add
from tests.factories import PartnershipFactory, PersonFactory

D = datetime.date


def _leaders(org, *names):
    return [PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP, name=n) for n in names]


def test_it_refuses_a_direct_line_closing_a_loop_and_names_it(org):
    partnership = PartnershipFactory(organization=org)
    ceo, coo, cfo = _leaders(org, "Ceo Ann", "Coo Bob", "Cfo Cid")
    relationship_add(
        partnership=partnership, from_member=ceo, to_member=coo, starts_on=D(2024, 2, 1)
    )
    relationship_add(
        partnership=partnership, from_member=coo, to_member=cfo, starts_on=D(2024, 2, 1)
    )

    with pytest.raises(DirectLoopError) as refused:
        relationship_add(
            partnership=partnership, from_member=cfo, to_member=ceo, starts_on=D(2024, 3, 1)
        )

    assert [m.name for m in refused.value.loop] == ["Cfo Cid", "Ceo Ann", "Coo Bob"]
    assert "Cfo Cid → Ceo Ann → Coo Bob → Cfo Cid" in refused.value.messages[0]
    assert Relationship.objects.count() == 2


def test_it_sees_loops_across_partnerships(org):
    first, second = PartnershipFactory(organization=org), PartnershipFactory(organization=org)
    ceo, coo = _leaders(org, "Ann", "Bob")
    relationship_add(partnership=first, from_member=ceo, to_member=coo, starts_on=D(2024, 2, 1))
    with pytest.raises(DirectLoopError):
        relationship_add(
            partnership=second, from_member=coo, to_member=ceo, starts_on=D(2024, 2, 1)
        )


def test_it_allows_the_reverse_line_once_the_first_has_ended(org):
    partnership = PartnershipFactory(organization=org)
    ceo, coo = _leaders(org, "Ann", "Bob")
    relationship_add(
        partnership=partnership,
        from_member=ceo,
        to_member=coo,
        starts_on=D(2024, 2, 1),
        ends_on=D(2024, 6, 1),
    )
    relationship_add(
        partnership=partnership, from_member=coo, to_member=ceo, starts_on=D(2024, 6, 1)
    )
    assert Relationship.objects.count() == 2


def test_other_types_never_make_a_loop_refusal(org):
    partnership = PartnershipFactory(organization=org)
    [lee] = _leaders(org, "Lee")
    max_ = PersonFactory(organization=org, quadrant=Quadrant.MANAGERS)
    eve = PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES)
    for a, b in [(lee, max_), (max_, eve), (lee, eve)]:
        relationship_add(
            partnership=partnership, from_member=a, to_member=b, starts_on=D(2024, 2, 1)
        )
    assert Relationship.objects.count() == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serializes writers (transactions begin IMMEDIATE); the row lock that keeps "
    "two writers apart only matters on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_cannot_close_a_loop_together(org, monkeypatch):
    partnership = PartnershipFactory(organization=org)
    ann, bob, cid = _leaders(org, "Ann", "Bob", "Cid")
    relationship_add(
        partnership=partnership, from_member=ann, to_member=bob, starts_on=D(2024, 2, 1)
    )

    # Widen the window between the check and the insert, so that without the lock both
    # writers would pass the check before either inserts.
    check = services.closing_loop_over_time

    def slow_check(*args, **kwargs):
        found = check(*args, **kwargs)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "closing_loop_over_time", slow_check)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def add(name, from_member, to_member):
        try:
            start.wait(timeout=10)
            relationship_add(
                partnership=partnership,
                from_member=from_member,
                to_member=to_member,
                starts_on=D(2024, 2, 1),
            )
            outcomes[name] = "added"
        except DirectLoopError:
            outcomes[name] = "refused"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=add, args=("bob→cid", bob, cid)),
        threading.Thread(target=add, args=("cid→ann", cid, ann)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["added", "refused"]
    assert Relationship.objects.count() == 2
