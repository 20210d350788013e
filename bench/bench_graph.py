"""Times the partnership health analysis (partnerships/graph.py) on a synthetic organization.

    .venv/bin/python bench/bench_graph.py                # 10,000 members, 50,000 relationships
    .venv/bin/python bench/bench_graph.py --size small   # 300 members, 1,500 relationships
    .venv/bin/python bench/bench_graph.py --json         # the same results as JSON

The organization is generated deterministically (a fixed seed) under the rule of types: a
tree of leaders, managers reporting to leaders or senior managers, teams influenced by leaders
and guided by managers, employees on one to three teams, influenced by a manager, sometimes
guided by a leader; then random allowed relationships until the count is reached. They are
spread over 200 partnerships. Pure Python and networkx: no database, no Django.

Goal (issue 5): coverage, hops, risks and dominators together under one second at 10,000
members. The script reports; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIZES = {"large": (10_000, 50_000), "small": (300, 1_500), "xl": (100_000, 500_000)}
PARTNERSHIPS = 200
SEED = 2002  # the year of the seed article


def synthetic_organization(
    members: int, relationships: int, *, seed: int = SEED
) -> tuple[list[tuple[int, str]], list[tuple[int, int, str]], dict[int, list]]:
    """(member, quadrant) nodes, (from, to, type) relationships and partnerships of an org."""
    from partnerships.rules import type_for_quadrants

    rng = random.Random(seed)
    shares = {"L": 0.004, "M": 0.06, "T": 0.09}
    counts = {quadrant: max(2, round(members * share)) for quadrant, share in shares.items()}
    counts["E"] = members - sum(counts.values())
    ids: dict[str, list[int]] = {}
    next_id = 1
    for quadrant in "LMTE":
        ids[quadrant] = list(range(next_id, next_id + counts[quadrant]))
        next_id += counts[quadrant]
    leaders, managers, teams, employees = ids["L"], ids["M"], ids["T"], ids["E"]
    quadrant_of = {member: quadrant for quadrant, group in ids.items() for member in group}

    pairs: dict[tuple[int, int], str] = {}

    def relate(source: int, target: int) -> None:
        kind = type_for_quadrants(quadrant_of[source], quadrant_of[target])
        if kind is not None and source != target:
            pairs.setdefault((source, target), kind)

    for index, leader in enumerate(leaders[1:], start=1):
        relate(leaders[rng.randrange(index)], leader)
    senior = len(managers) // 6
    for index, manager in enumerate(managers):
        boss = rng.choice(leaders) if index < senior else managers[rng.randrange(senior)]
        relate(boss, manager)
    for index, team in enumerate(teams):
        if rng.random() < 0.7:
            relate(rng.choice(leaders), team)
        for manager in rng.sample(managers, rng.randint(1, 2)):
            relate(manager, team)
        if index and rng.random() < 0.3:
            relate(teams[rng.randrange(index)], team)
    for index, employee in enumerate(employees):
        if rng.random() < 0.002:
            continue  # a few employees nobody has connected yet
        for team in rng.sample(teams, rng.randint(1, 3)):
            relate(team, employee)
        if rng.random() < 0.8:
            relate(rng.choice(managers), employee)
        if rng.random() < 0.2:
            relate(rng.choice(leaders), employee)
        if index and rng.random() < 0.1:
            relate(employees[rng.randrange(index)], employee)
    everyone = list(quadrant_of)
    while len(pairs) < relationships:
        source, target = sorted(rng.sample(everyone, 2))  # lower id: same or earlier quadrant
        relate(source, target)

    edges = [(source, target, kind) for (source, target), kind in pairs.items()]
    edges = edges[:relationships]
    partnerships: dict[int, list] = {number: [] for number in range(1, PARTNERSHIPS + 1)}
    for edge in edges:
        partnerships[rng.randint(1, PARTNERSHIPS)].append(edge)
    return list(quadrant_of.items()), edges, partnerships


def _time(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--repeat", type=int, default=5, help="runs per case; the median counts")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    options = parser.parse_args()

    from partnerships import graph as analysis

    members, relationships = SIZES[options.size]
    nodes, edges, partnerships = synthetic_organization(members, relationships)
    graph = analysis.build_graph(nodes, edges)
    covered = analysis.coverage(graph)
    points = analysis.single_points_of_failure(graph)
    repeat = options.repeat
    cases = {
        "build_graph": lambda: analysis.build_graph(nodes, edges),
        "hops_from_leadership": lambda: analysis.hops_from_leadership(graph),
        "longest_direct_chain": lambda: analysis.longest_direct_chain(graph),
        "coverage (channels, hops, chain)": lambda: analysis.coverage(graph),
        "single_points_of_failure": lambda: analysis.single_points_of_failure(graph),
        "rank_risks (given the above)": lambda: analysis.rank_risks(
            graph, members=covered, single_points=points, partnerships=partnerships
        ),
        "health (coverage + dominators + risks)": lambda: analysis.health(
            graph, partnerships=partnerships
        ),
        "brokers": lambda: analysis.brokers(graph),
    }
    results = {}
    for name, function in cases.items():
        median, result = _time(function, 1 if name == "brokers" else repeat)
        results[name] = round(median, 1)
        if name.startswith("health"):
            health = result
        if name == "brokers":
            broker_result = result

    report = {
        "members": graph.number_of_nodes(),
        "relationships": graph.number_of_edges(),
        "partnerships": len(partnerships),
        "milliseconds": results,
        "goal_ms": {"health (coverage + dominators + risks)": 1000},
        "risks": len(health.risks),
        "single_points": len(health.single_points),
        "brokers": {"method": broker_result.method, "sample_size": broker_result.sample_size},
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
    }
    if options.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"partnership health analysis: {report['members']:,} members, "
        f"{report['relationships']:,} relationships, {len(partnerships)} partnerships "
        f"(median of {repeat})"
    )
    for name, milliseconds in results.items():
        print(f"  {name:<42} {milliseconds:>9.1f} ms")
    verdict = "meets" if results["health (coverage + dominators + risks)"] < 1000 else "MISSES"
    print(f"  health {verdict} the goal of 1,000 ms; {len(health.risks):,} risks ranked")
    method = broker_result.method
    if method == "sampled":
        method += f" from {broker_result.sample_size} of {broker_result.senders} senders"
    print(f"  brokers: betweenness, {method}")


if __name__ == "__main__":
    main()
