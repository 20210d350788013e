"""Times a scenario of 50 changes on the synthetic organization (issue 22).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pm_scenarios_bench \\
        .venv/bin/python bench/bench_scenarios.py [--size small] [--json]

Uses (and builds once, like bench/run.py) the benchmark's PostgreSQL database. Inside a
transaction rolled back at the end, the bench admin drafts a scenario of 50 steps through
scenarios/services.py (10 quadrant moves, 10 archives, 15 relationships added, 10 ended and
5 team seats), then, signed in with Django's test client, the script times:

* the scenario's before → after page, cold (Django's cache emptied before every request);
* the scenario's diagram, cached, against the reference page of bench/run.py (a signed-in
  page of the same layout with one query for 50 rows), each request timed beside it.

Goals (issue 22): before → after under 2 s cold; the diagram within 3× the reference when
cached. The script reports; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")

STEPS = {"move": 10, "archive": 10, "add_relationship": 15, "end_relationship": 10, "seat": 5}
COLD_GOAL_MS = 2000
DIAGRAM_GOAL_RATIO = 3.0


def _timed(call) -> float:
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{response.status_code} from {response.request['PATH_INFO']}")
    return elapsed


def spread(items: list, wanted: int) -> list:
    """Every item, those evenly spread over the list first (so steps touch the whole
    organization, not its first rows)."""
    stride = max(1, len(items) // (wanted * 2))
    return items[::stride] + [item for i, item in enumerate(items) if i % stride]


def draft_fifty(organization, membership):
    """A scenario of 50 steps, each checked like a step drafted on its page."""
    from django.core.exceptions import ValidationError

    from org.models import Member, TeamMembership
    from partnerships import rules
    from partnerships.models import Partnership
    from scenarios.models import Scenario, ScenarioStep, StepKind
    from scenarios.services import step_draft
    from scenarios.state import World

    today = organization.today()
    scenario = Scenario.objects.create(
        organization=organization, name="Bench restructure", effective_on=today
    )
    world = World.live(organization, today)
    people = [p for p in world.members.values() if p.active and p.kind == Member.Kind.PERSON]
    managers = [p for p in people if p.quadrant == rules.MANAGERS and p.active_from < today]
    employees = [p for p in people if p.quadrant == rules.EMPLOYEES and p.active_from < today]
    leaders = [p for p in people if p.quadrant == rules.LEADERSHIP]
    teams = [p for p in world.members.values() if p.active and p.kind == Member.Kind.TEAM]
    seated = set(
        TeamMembership.objects.filter(organization=organization).values_list("team_id", "person_id")
    )
    partnership = (
        Partnership.objects.for_org(organization)
        .active_on(today)
        .exclude(name__in=[rules.CHAIN_OF_COMMAND, rules.TEAM_STEWARDSHIP])
        .order_by("pk")
        .first()
    )
    candidates = {
        StepKind.MOVE: (
            ScenarioStep(kind=StepKind.MOVE, member_id=p.pk, to_quadrant=rules.EMPLOYEES)
            for p in spread(managers, 10)
        ),
        StepKind.ARCHIVE: (
            ScenarioStep(kind=StepKind.ARCHIVE, member_id=p.pk) for p in spread(employees, 10)
        ),
        StepKind.ADD_RELATIONSHIP: (
            ScenarioStep(
                kind=StepKind.ADD_RELATIONSHIP,
                member_id=leaders[i % len(leaders)].pk,
                other_id=e.pk,
                partnership=partnership,
            )
            for i, e in enumerate(spread(employees[5:], 15))
        ),
        StepKind.END_RELATIONSHIP: (
            ScenarioStep(kind=StepKind.END_RELATIONSHIP, relationship_id=pk)
            for pk in spread(list(world.lines), 10)
        ),
        StepKind.SEAT: (
            ScenarioStep(kind=StepKind.SEAT, member_id=t.pk, other_id=e.pk)
            for t, e in zip(spread(teams, 5) * 3, spread(employees[3:], 15), strict=False)
            if (t.pk, e.pk) not in seated
        ),
    }
    for kind, wanted in STEPS.items():
        made = 0
        for step in candidates[StepKind(kind)]:
            if made == wanted:
                break
            try:
                step_draft(scenario=scenario, step=step, membership=membership, world=world)
            except ValidationError:
                continue  # refused like on its page (an ended line, a loop): the next one
            made += 1
        if made < wanted:
            raise SystemExit(f"Only {made} {kind} steps could be drafted.")
    return scenario


def main() -> None:
    from bench import run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", choices=["large", "small", "xl"], default=os.environ.get("SIZE") or "large"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()

    # `make bench` passes the benchmark's database as DATABASE_URL to its scripts.
    given = os.environ.get("DATABASE_URL", "")
    if not os.environ.get("BENCH_DATABASE_URL") and given.startswith("postgres"):
        os.environ["BENCH_DATABASE_URL"] = given
    url = run.database_url(options.size)
    os.environ["DATABASE_URL"] = url
    run.ensure_postgresql(url)
    run.setup_django()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from bench.synthetic import SIZES, USERNAMES, build_organization
    from org.models import OrgMembership

    _lock = run.one_at_a_time(run.psycopg_params())
    marker = run.fingerprint(options.size)
    reused = run.cached_database(run.psycopg_params(), marker, False)
    call_command("migrate", verbosity=0)
    if not reused:
        print("Building the organization ...", flush=True, file=sys.stderr)
        build_organization(SIZES[options.size], slug=f"bench-{options.size}")
        run.mark_built(marker)

    admin = get_user_model().objects.get(username=USERNAMES["admin"])
    membership = OrgMembership.objects.select_related("organization").get(user=admin)
    organization = membership.organization
    client = Client()
    client.force_login(admin)
    results = {}
    with transaction.atomic():
        started = time.perf_counter()
        scenario = draft_fifty(organization, membership)
        results["draft_50_steps_ms"] = round((time.perf_counter() - started) * 1000, 1)
        detail, diagram = f"/scenarios/{scenario.pk}/", f"/scenarios/{scenario.pk}/diagram/"
        reference = "/bench/reference/"

        def cold():
            cache.clear()
            return client.get(detail)

        _timed(cold)  # warm-up: imports, templates
        cold_ms = [_timed(cold) for _ in range(options.repeat)]
        _timed(lambda: client.get(diagram))  # fills the cache
        pairs = [
            (_timed(lambda: client.get(reference)), _timed(lambda: client.get(diagram)))
            for _ in range(options.repeat * 3)
        ]
        transaction.set_rollback(True)
    reference_ms = statistics.median(r for r, _ in pairs)
    diagram_ms = statistics.median(d for _, d in pairs)
    results |= {
        "size": options.size,
        "steps": 50,
        "before_after_cold_ms": round(statistics.median(cold_ms), 1),
        "before_after_goal": f"< {COLD_GOAL_MS:,} ms",
        "before_after_goal_met": statistics.median(cold_ms) < COLD_GOAL_MS,
        "diagram_cached_ms": round(diagram_ms, 1),
        "reference_ms": round(reference_ms, 1),
        "diagram_ratio": round(diagram_ms / reference_ms, 2),
        "diagram_goal": f"≤ {DIAGRAM_GOAL_RATIO:g}× reference",
        "diagram_goal_met": diagram_ms / reference_ms <= DIAGRAM_GOAL_RATIO,
    }
    if options.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"Scenario of 50 changes ({options.size}): drafted in {results['draft_50_steps_ms']:,} ms"
    )
    print(
        f"  before → after, cold: {results['before_after_cold_ms']:,} ms "
        f"(goal {results['before_after_goal']}: {'met' if results['before_after_goal_met'] else 'NOT met'})"
    )
    print(
        f"  diagram, cached: {results['diagram_cached_ms']:,} ms = {results['diagram_ratio']}× "
        f"the reference ({results['reference_ms']} ms; goal {results['diagram_goal']}: "
        f"{'met' if results['diagram_goal_met'] else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
