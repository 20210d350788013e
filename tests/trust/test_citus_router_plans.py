"""On a Citus cluster, the main pages' tenant queries each stay on one node.

Every query a page runs that reads or writes a distributed (tenant) table is run through
EXPLAIN on the coordinator: its plan must be a router plan, one task on one shard, with no
subplans pulled across nodes. The test only means something on Citus (make citus-test);
elsewhere it is skipped with that reason.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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


def _pages(world):
    return [
        ("leader", "the diagram", reverse("diagram:diagram")),
        ("leader", "a member's place", reverse("diagram:member", args=[world.employee.pk])),
        ("leader", "a partnership", reverse("diagram:partnership", args=[world.partnership.pk])),
        ("leader", "health", reverse("health:page")),
        ("manager", "My sessions", reverse("meetings:my_sessions")),
        ("manager", "a session", reverse("meetings:session", args=[world.session.pk])),
        ("leader", "the dashboard", reverse("meetings:dashboard")),
    ]


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


def test_every_tenant_query_of_the_main_pages_is_routed_to_one_shard(
    world_a, world_b, clients, distributed_tables
):
    checked, spread = 0, []
    for role, page, url in _pages(world_a):
        with CaptureQueriesContext(connection) as captured:
            response = clients[role].get(url)
        assert response.status_code == 200, page
        for query in captured.captured_queries:
            sql = query["sql"]
            verb = sql.lstrip().split(None, 1)[0].upper()
            if verb not in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
                continue
            if not _touches(sql, distributed_tables):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            jobs = list(_citus_jobs(plan))
            checked += 1
            for distributed in jobs:
                tasks = distributed.get("Job", {}).get("Task Count")
                if distributed.get("Subplans") or tasks != 1:
                    spread.append(
                        f"{page}: {tasks} tasks, subplans={bool(distributed.get('Subplans'))}: {sql[:400]}"
                    )
                    break
            else:
                if not jobs:
                    spread.append(f"{page}: no distributed plan: {sql[:400]}")
    assert checked > 20
    assert spread == [], "\n\n".join(spread)
