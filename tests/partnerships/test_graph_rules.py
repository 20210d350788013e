"""The pure networkx rules: direct-line loops and triads, on plain tuples (no database)."""

from __future__ import annotations

import datetime

from partnerships.graph import (
    closing_loop,
    closing_loop_over_time,
    complete_triads,
    triad_completions,
)
from partnerships.models import relationship_type_for

D = datetime.date


def test_it_names_the_loop_an_edge_would_close():
    edges = [("ceo", "vp"), ("vp", "director"), ("director", "head")]
    assert closing_loop(edges, "head", "ceo") == ["head", "ceo", "vp", "director"]


def test_it_finds_no_loop_in_a_chain():
    edges = [("ceo", "vp"), ("vp", "director")]
    assert closing_loop(edges, "ceo", "director") is None
    assert closing_loop(edges, "intern", "ceo") is None


def test_it_treats_a_self_edge_as_a_loop():
    assert closing_loop([], "ceo", "ceo") == ["ceo"]


def test_it_ignores_edges_that_are_never_active_together():
    # a→b ended before b→c started: a→b, b→c and c→a are never active on the same day.
    edges = [("a", "b", D(2024, 1, 1), D(2024, 3, 1)), ("b", "c", D(2024, 3, 1), None)]
    assert closing_loop_over_time(edges, ("c", "a", D(2024, 1, 1), None)) is None


def test_it_finds_the_first_day_a_loop_would_close():
    edges = [("a", "b", D(2024, 1, 1), None), ("b", "c", D(2024, 5, 1), None)]
    day, loop = closing_loop_over_time(edges, ("c", "a", D(2024, 2, 1), None))
    assert day == D(2024, 5, 1)
    assert loop == ["c", "a", "b"]


def test_it_ignores_edges_outside_the_new_edges_span():
    edges = [("a", "b", D(2024, 1, 1), None), ("b", "c", D(2024, 5, 1), None)]
    assert closing_loop_over_time(edges, ("c", "a", D(2024, 2, 1), D(2024, 5, 1))) is None


# The seed's three examples. Each names two relationships in its main clause; they fix three
# members, and the triangle's third side is the one relationship the rule allows between the
# remaining two (the first example states it: "under the direction of the same leadership").
SEED_EXAMPLES = {
    # "leadership influences the team's emphasis on quality, while the management guides the
    # team's implementation, under the direction of the same leaderships"
    "leadership, managers, team": [
        ("L", "T", "influential"),
        ("M", "T", "guidance"),
        ("L", "M", "direct"),
    ],
    # "leadership ... guides the efforts of individual employees, while managers influence the
    # employee's implementation"; leadership directs those managers.
    "leadership, managers, employee": [
        ("L", "E", "guidance"),
        ("M", "E", "influential"),
        ("L", "M", "direct"),
    ],
    # "a manager guides a team's action ... while the team directs employees"; the manager
    # influences those employees.
    "manager, team, employees": [
        ("M", "T", "guidance"),
        ("T", "E", "direct"),
        ("M", "E", "influential"),
    ],
}


def test_each_seed_example_is_one_of_each_type_by_the_rule():
    for edges in SEED_EXAMPLES.values():
        assert all(relationship_type_for(u, v) == t for u, v, t in edges)
        assert sorted(t for _u, _v, t in edges) == ["direct", "guidance", "influential"]


def test_it_recognises_each_seed_example_as_a_complete_triad():
    for edges in SEED_EXAMPLES.values():
        [triad] = complete_triads(edges)
        assert set(triad["members"]) == {q for u, v, _t in edges for q in (u, v)}
        assert [t for _u, _v, t in triad["relationships"]] == ["direct", "influential", "guidance"]


def test_a_triangle_of_direct_lines_is_not_a_complete_triad():
    edges = [("ceo", "coo", "direct"), ("ceo", "m1", "direct"), ("coo", "m1", "direct")]
    assert complete_triads(edges) == []


def test_it_suggests_the_guidance_that_completes_a_triad():
    quadrant_of = {"lee": "L", "max": "M", "team": "T"}
    edges = [("lee", "max", "direct"), ("lee", "team", "influential")]
    assert triad_completions(edges, quadrant_of, relationship_type_for) == [
        {"from": "max", "to": "team", "type": "guidance", "members": ("lee", "max", "team")}
    ]


def test_it_suggests_nothing_for_a_complete_triad():
    quadrant_of = {"L": "L", "M": "M", "T": "T"}
    edges = SEED_EXAMPLES["leadership, managers, team"]
    assert triad_completions(edges, quadrant_of, relationship_type_for) == []


def test_it_suggests_nothing_when_the_third_side_would_repeat_a_channel():
    # Two direct lines from one leader: the third side (manager → manager) is direct too.
    quadrant_of = {"lee": "L", "m1": "M", "m2": "M"}
    edges = [("lee", "m1", "direct"), ("lee", "m2", "direct")]
    assert triad_completions(edges, quadrant_of, relationship_type_for) == []


def test_it_suggests_the_direct_line_of_the_second_example():
    quadrant_of = {"lee": "L", "max": "M", "eve": "E"}
    edges = [("lee", "eve", "guidance"), ("max", "eve", "influential")]
    assert triad_completions(edges, quadrant_of, relationship_type_for) == [
        {"from": "lee", "to": "max", "type": "direct", "members": ("eve", "lee", "max")}
    ]
