"""Pure networkx functions over typed partnership graphs: no ORM here."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping

import networkx as nx

# --- analysis: channel coverage, risks, dominators, brokers ---


# --- rules: direct-line loops and triads (partnerships) ---
#
# Nodes are any sortable, hashable ids (member primary keys in the app). Edges are plain
# tuples: (from, to) for loops over time with dates, (from, to, type) for triads.

CHANNELS = ("direct", "influential", "guidance")


def closing_loop(
    edges: Iterable[tuple[Hashable, Hashable]], new_from: Hashable, new_to: Hashable
) -> list | None:
    """The loop that the edge new_from → new_to would close in the directed graph of `edges`.

    Returned in walking order starting with new_from (new_from → new_to → ... → back to
    new_from), or None when adding the edge keeps the graph free of loops.
    """
    if new_from == new_to:
        return [new_from]
    graph = nx.DiGraph(edges)
    if new_to not in graph or new_from not in graph or not nx.has_path(graph, new_to, new_from):
        return None
    path = nx.shortest_path(graph, new_to, new_from)
    return [new_from, *path[:-1]]


def _active(starts_on, ends_on, day) -> bool:  # dates; ends_on exclusive or None
    return starts_on <= day and (ends_on is None or day < ends_on)


def closing_loop_over_time(edges: Iterable[tuple], new_edge: tuple) -> tuple | None:
    """Whether a dated edge would close a loop with dated edges on some day it is active.

    `edges` and `new_edge` are (from, to, starts_on, ends_on) with ends_on exclusive or None.
    Returns (day, loop) for the first such day, or None. The set of active edges only grows
    on a day some edge starts, so checking the new edge's first day and every later start
    inside its span is exact.
    """
    new_from, new_to, starts_on, ends_on = new_edge
    overlapping = [
        (u, v, s, e)
        for u, v, s, e in edges
        if (e is None or e > starts_on) and (ends_on is None or s < ends_on)
    ]
    if closing_loop([(u, v) for u, v, _s, _e in overlapping], new_from, new_to) is None:
        return None  # not even all of them together close a loop
    days = sorted({starts_on} | {s for _u, _v, s, _e in overlapping if s > starts_on})
    for day in days:
        active = [(u, v) for u, v, s, e in overlapping if _active(s, e, day)]
        loop = closing_loop(active, new_from, new_to)
        if loop is not None:
            return day, loop
    return None


def _typed_graph(edges: Iterable[tuple[Hashable, Hashable, str]]) -> nx.Graph:
    """Undirected graph; each side keeps the relationships (from, to, type) laid along it."""
    graph = nx.Graph()
    for u, v, type_ in edges:
        if u == v:
            continue
        if graph.has_edge(u, v):
            graph[u][v]["relationships"].add((u, v, type_))
        else:
            graph.add_edge(u, v, relationships={(u, v, type_)})
    return graph


def _one_of_each(sides: list[set[tuple]]) -> tuple | None:
    """One relationship per side so that the three sides carry the three channels, or None."""
    for first in sorted(sides[0]):
        for second in sorted(sides[1]):
            for third in sorted(sides[2]):
                if {first[2], second[2], third[2]} == set(CHANNELS):
                    return tuple(sorted((first, second, third), key=lambda r: CHANNELS.index(r[2])))
    return None


def complete_triads(edges: Iterable[tuple[Hashable, Hashable, str]]) -> list[dict]:
    """Triangles of three members joined by one relationship of each type.

    `edges` are (from, to, type). Each triad is {"members": (a, b, c) sorted, "relationships":
    ((from, to, "direct"), (from, to, "influential"), (from, to, "guidance"))}.
    """
    graph = _typed_graph(edges)
    triads = []
    for a, b in graph.edges:
        for c in set(graph[a]) & set(graph[b]):
            members = tuple(sorted((a, b, c)))
            if sorted((a, b)) != list(members[:2]):
                continue  # each triangle once: from its side between the two smallest ids
            sides = [graph[x][y]["relationships"] for x, y in ((a, b), (b, c), (a, c))]
            relationships = _one_of_each(sides)
            if relationships is not None:
                triads.append({"members": members, "relationships": relationships})
    return sorted(triads, key=lambda t: t["members"])


def triad_completions(
    edges: Iterable[tuple[Hashable, Hashable, str]],
    quadrant_of: Mapping[Hashable, str],
    type_for: Callable[[str, str], str | None],
) -> list[dict]:
    """Missing channels that would turn an open triangle into a complete triad.

    Two relationships of different types meeting at one member, with nothing yet between
    their other two ends: the relationship the rule of types allows between those two ends
    completes the triad when its type is the third channel. `quadrant_of` maps each node to
    its quadrant; `type_for(from_quadrant, to_quadrant)` is the rule (None when not allowed).
    Each completion is {"from": x, "to": y, "type": t, "members": (a, b, c) sorted}.
    """
    graph = _typed_graph(edges)
    found: dict[tuple, dict] = {}
    for centre in sorted(graph.nodes):
        neighbours = sorted(graph[centre])
        for i, a in enumerate(neighbours):
            for c in neighbours[i + 1 :]:
                if graph.has_edge(a, c):
                    continue
                have = {r[2] for r in graph[centre][a]["relationships"]} | {
                    r[2] for r in graph[centre][c]["relationships"]
                }
                missing = set(CHANNELS) - have
                if len(missing) != 1:
                    continue
                for x, y in ((a, c), (c, a)):
                    type_ = type_for(quadrant_of[x], quadrant_of[y])
                    if type_ in missing and (x, y) not in found:
                        found[(x, y)] = {
                            "from": x,
                            "to": y,
                            "type": type_,
                            "members": tuple(sorted((a, centre, c))),
                        }
    return sorted(found.values(), key=lambda s: (CHANNELS.index(s["type"]), s["members"]))
