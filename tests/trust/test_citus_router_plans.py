"""On a Citus cluster, the main pages' tenant queries each stay on one node.

Every query a page runs that reads or writes a distributed (tenant) table is run through
EXPLAIN on the coordinator: its plan must be a router plan, one task on one shard, with no
subplans pulled across nodes. The test only means something on Citus (make citus-test);
elsewhere it is skipped with that reason.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import ObjectiveMeasurement
from meetings.selectors import current_quarter
from partnerships.citus import citus_present


@pytest.fixture
def distributed_tables(db) -> set[str]:
    if not citus_present():
        pytest.skip("needs a Citus coordinator (make citus-test); the plain database has no shards")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT logicalrelid::regclass::text FROM pg_dist_partition WHERE partmethod = 'h'"
        )
        return {row[0] for row in cursor.fetchall()}


PAGES = [
    ("leader", "the diagram", "diagram:diagram", None),
    ("leader", "a member's place", "diagram:member", "employee"),
    ("leader", "a partnership", "diagram:partnership", "partnership"),
    ("leader", "health", "health:page", None),
    ("manager", "My sessions", "meetings:my_sessions", None),
    ("manager", "a session", "meetings:session", "session"),
    ("leader", "the dashboard", "meetings:dashboard", None),
]


def _is_login_lookup(sql: str) -> bool:
    """The one query that is not a tenant query: which organizations a login belongs to,
    asked by the login before any organization is known (every page runs it once)."""
    where = sql.split(" WHERE ", 1)[-1]
    return 'FROM "org_orgmembership"' in sql and where.startswith(
        '"org_orgmembership"."user_id" = '
    )


def _citus_jobs(plan):
    """Every distributed job of a plan, subplans' included, and whether it had subplans."""
    if isinstance(plan, dict):
        distributed = plan.get("Distributed Query")
        if distributed is not None:
            yield distributed
        for value in plan.values():
            yield from _citus_jobs(value)
    elif isinstance(plan, list):
        for value in plan:
            yield from _citus_jobs(value)


def _touches(sql: str, tables: set[str]) -> bool:
    return any(f'"{table}"' in sql or f" {table} " in f"{sql} " for table in tables)


@pytest.fixture
def measured(world_a):
    """The objective measured this quarter, so that the dashboard also reads measurements."""
    objective = world_a.objective
    objective.target_value, objective.target_unit = Decimal(90), "%"
    objective.save(update_fields=["target_value", "target_unit"])
    quarter = current_quarter(world_a.organization)
    ObjectiveMeasurement.objects.create(
        organization=world_a.organization,
        objective=objective,
        quarter_start=quarter.start,
        value=Decimal(80),
        unit="%",
    )
    return world_a


@pytest.mark.parametrize(
    ("role", "page", "route", "named"), [pytest.param(*entry, id=entry[1]) for entry in PAGES]
)
def test_every_tenant_query_of_the_main_pages_is_routed_to_one_shard(
    measured, world_b, clients, distributed_tables, role, page, route, named
):
    world_a = measured
    args = [getattr(world_a, named).pk] if named else []
    with CaptureQueriesContext(connection) as captured:
        response = clients[role].get(reverse(route, args=args))
    assert response.status_code == 200, page
    checked, spread = 0, []
    for query in captured.captured_queries:
        sql = query["sql"]
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb not in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            continue
        if not _touches(sql, distributed_tables) or _is_login_lookup(sql):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        jobs = list(_citus_jobs(plan))
        checked += 1
        if not jobs:
            spread.append(f"no distributed plan: {sql[:400]}")
        for distributed in jobs:
            tasks = distributed.get("Job", {}).get("Task Count")
            if distributed.get("Subplans") or tasks != 1:
                subplans = bool(distributed.get("Subplans"))
                spread.append(f"{tasks} tasks, subplans={subplans}: {sql[:400]}")
                break
    assert checked >= 1, page
    assert spread == [], "\n\n".join(spread)
