"""The health analysis on small hand-made graphs: channels, hops, risks, dominators, brokers."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerships.graph import (
    Risk,
    RiskKind,
    Severity,
    SinglePoint,
    brokers,
    build_graph,
    channels_reaching,
    coverage,
    health,
    hops_from_leadership,
    longest_direct_chain,
    missing_channels,
    path_shares,
    quadrant_coverage,
    rank_risks,
    share_in_words,
    single_points_of_failure,
)
from partnerships.rules import POSSIBLE_CHANNELS, type_for_quadrants

ALL = frozenset({"direct", "influential", "guidance"})

# The seed's three examples, each a triangle of three members joined by one relationship of
# each type. 1: leadership influences the team, management guides it, under the direction of
# the same leadership. 2: leadership guides employees, managers influence them, under the
# leadership's direction. 3: a manager guides a team, the team directs employees, the manager
# influences those employees.
SEED_TRIADS = {
    "leadership, managers, team": (
        [(1, "L"), (2, "M"), (3, "T")],
        [(1, 3, "influential"), (2, 3, "guidance"), (1, 2, "direct")],
    ),
    "leadership, managers, employee": (
        [(1, "L"), (2, "M"), (4, "E")],
        [(1, 4, "guidance"), (2, 4, "influential"), (1, 2, "direct")],
    ),
    "manager, team, employee": (
        [(2, "M"), (3, "T"), (4, "E")],
        [(2, 3, "guidance"), (3, 4, "direct"), (2, 4, "influential")],
    ),
}


def kinds(risks: list[Risk]) -> list[tuple[RiskKind, tuple[int, ...]]]:
    return [(risk.kind, risk.member_ids) for risk in risks]


def org(nodes, edges, names=None):
    return build_graph(nodes, edges, names=names)


# --- building the graph ---------------------------------------------------------------------


def test_it_counts_a_pair_joined_in_several_partnerships_once():
    graph = org([(1, "L"), (2, "M")], [(1, 2, "direct"), (1, 2, "direct")])

    assert graph.number_of_edges() == 1
    assert graph[1][2] == {"type": "direct", "count": 2}


@pytest.mark.parametrize(
    ("nodes", "edges", "message"),
    [
        ([(1, "X")], [], "unknown quadrant"),
        ([(1, "L"), (2, "M")], [(1, 2, "friendly")], "unknown type"),
        ([(1, "L")], [(1, 1, "direct")], "themselves"),
        ([(1, "L")], [(1, 2, "direct")], "unknown member"),
        ([(1, "L"), (2, "M")], [(1, 2, "direct"), (1, 2, "guidance")], "both direct and guidance"),
    ],
)
def test_it_refuses_a_graph_that_breaks_the_rules(nodes, edges, message):
    with pytest.raises(ValueError, match=message):
        build_graph(nodes, edges)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_it_builds_the_graph_networkx_would_build_edge_by_edge(data):
    graph = data.draw(organizations())
    edges = [(a, b, d["type"]) for a, b, d in graph.edges(data=True)]
    twice = data.draw(st.lists(st.sampled_from(edges), max_size=5) if edges else st.just([]))
    nodes = list(graph.nodes(data="quadrant"))
    names = {node: f"Member {node}" for node, _quadrant in nodes[::2]}

    built = build_graph(nodes, [*edges, *twice], names=names)

    by_hand = nx.DiGraph()
    by_hand.add_nodes_from((node, {"quadrant": quadrant}) for node, quadrant in nodes)
    nx.set_node_attributes(by_hand, names, "name")
    by_hand.add_edges_from((a, b, {"type": kind, "count": 1}) for a, b, kind in edges)
    for a, b, _kind in twice:
        by_hand[a][b]["count"] += 1
    assert nx.utils.graphs_equal(built, by_hand)
    for view in ("succ", "pred"):  # in the same order too
        assert [(node, list(ends)) for node, ends in getattr(built, view).items()] == [
            (node, list(ends)) for node, ends in getattr(by_hand, view).items()
        ]
    built.add_edge("source", nodes[0][0])  # and it is networkx's own to change further
    assert built.pred[nodes[0][0]]["source"] == {}
    built.remove_node("source")
    assert nx.utils.graphs_equal(built, by_hand)


def test_it_derives_the_type_from_the_quadrant_pair():
    assert type_for_quadrants("L", "M") == "direct"
    assert type_for_quadrants("T", "E") == "direct"
    assert type_for_quadrants("E", "E") == "direct"
    assert type_for_quadrants("L", "T") == "influential"
    assert type_for_quadrants("M", "E") == "influential"
    assert type_for_quadrants("L", "E") == "guidance"
    assert type_for_quadrants("M", "T") == "guidance"
    assert type_for_quadrants("E", "L") is None


# --- channel coverage, hops, chains ------------------------------------------------------------


@pytest.mark.parametrize("triad", SEED_TRIADS)
def test_it_finds_all_three_channels_in_the_seeds_triads(triad):
    nodes, edges = SEED_TRIADS[triad]

    assert missing_channels(edges) == frozenset()
    graph = org([(9, "L"), *nodes], [(9, 2, "direct"), *edges])
    assert rank_risks(graph, partnerships={7: edges}) == [
        risk for risk in rank_risks(graph) if risk.kind != RiskKind.PARTNERSHIP_MISSING_CHANNEL
    ]


def test_it_counts_each_channel_that_reaches_an_employee():
    graph = org(
        [(1, "L"), (2, "M"), (3, "T"), (4, "E")],
        [(1, 2, "direct"), (1, 3, "influential"), (3, 4, "direct"), (2, 4, "influential"),
         (1, 4, "guidance")],
    )  # fmt: skip

    members = coverage(graph)

    assert members[4].channels == ALL
    assert members[4].missing == frozenset()
    assert members[3].channels == {"influential"}
    assert members[3].missing == {"direct", "guidance"}
    assert members[2].channels == {"direct"}
    assert members[2].missing == frozenset()  # managers can only hear through direct lines


def test_it_ignores_a_channel_from_someone_the_message_never_reaches():
    # Team 3 has nobody above it, so its direct line to employee 4 carries nothing.
    graph = org([(1, "L"), (3, "T"), (4, "E")], [(3, 4, "direct"), (1, 4, "guidance")])

    members = coverage(graph)

    assert members[4].channels == {"guidance"}
    assert members[3].channels == frozenset()
    assert not members[3].reached


def test_it_treats_leaders_as_reached_and_counts_hops_from_the_nearest():
    graph = org(
        [(1, "L"), (2, "L"), (3, "M"), (4, "M"), (5, "E"), (6, "E")],
        [(1, 3, "direct"), (3, 4, "direct"), (4, 5, "influential"), (2, 5, "guidance"),
         (4, 6, "influential")],
    )  # fmt: skip

    members = coverage(graph)

    assert [(members[n].hops, members[n].nearest_leader) for n in range(1, 7)] == [
        (0, 1),
        (0, 2),
        (1, 1),
        (2, 1),
        (1, 2),  # leader 2 guides employee 5 directly, closer than 1 -> 3 -> 4 -> 5
        (3, 1),
    ]


def test_it_measures_the_longest_chain_of_direct_lines():
    graph = org(
        [(1, "L"), (2, "L"), (3, "M"), (4, "M"), (5, "T"), (6, "T"), (7, "E")],
        [(1, 2, "direct"), (2, 3, "direct"), (3, 4, "direct"), (1, 4, "direct"),
         (5, 6, "direct"), (6, 7, "direct"), (5, 7, "direct"), (4, 7, "influential")],
    )  # fmt: skip

    chain = longest_direct_chain(graph)

    # 1 -> 2 -> 3 -> 4 is longer than 1 -> 4; the influential line 4 -> 7 is no direct link.
    assert chain == {1: 0, 2: 1, 3: 2, 4: 3, 5: 0, 6: 1, 7: 2}


def test_it_survives_a_loop_of_direct_lines_that_slipped_through():
    graph = nx.DiGraph()
    for node, quadrant in [(1, "T"), (2, "E"), (3, "E"), (4, "E")]:
        graph.add_node(node, quadrant=quadrant)
    graph.add_edges_from(
        [(1, 2), (2, 3), (3, 2), (3, 4)], type="direct", count=1
    )  # 2 <-> 3 by hand: build_graph would let it through, the rule would not

    chain = longest_direct_chain(graph)

    assert chain == {1: 0, 2: 1, 3: 1, 4: 2}


def test_it_leaves_an_unreachable_employee_unreached():
    graph = org(
        [(1, "L"), (2, "T"), (3, "E"), (4, "E")],
        [(1, 2, "influential"), (2, 3, "direct")],
        names={4: "Ursula Unseen"},
    )

    members = coverage(graph)
    risks = rank_risks(graph)

    assert members[4].hops is None
    assert members[4].nearest_leader is None
    assert members[4].channels == frozenset()
    assert risks[0].kind == RiskKind.ORPHAN
    assert risks[0].member_ids == (4,)
    assert risks[0].severity == Severity.HIGH
    assert "never reaches Ursula Unseen" in risks[0].sentence
    assert risks[0].next_step == "add a direct line from a team to Ursula Unseen"


def test_it_suggests_reconnecting_the_member_an_orphan_hears_from():
    graph = org(
        [(1, "L"), (2, "T"), (3, "E")], [(2, 3, "direct")], names={2: "Blue Team", 3: "Eve"}
    )

    orphans = {risk.member_ids: risk for risk in rank_risks(graph) if risk.kind == "orphan"}

    assert orphans[(3,)].next_step == (
        "connect Blue Team to leadership, or add a direct line from a team to Eve"
    )
    assert orphans[(2,)].next_step == "add an influential relationship from a leader to Blue Team"


def test_it_summarises_each_quadrant_by_the_number_of_channels():
    graph = org(
        [(1, "L"), (2, "M"), (3, "T"), (4, "E"), (5, "E"), (6, "E"), (7, "E")],
        [(1, 2, "direct"), (1, 3, "influential"), (2, 3, "guidance"), (3, 4, "direct"),
         (3, 5, "direct"), (2, 5, "influential"), (1, 5, "guidance"), (2, 6, "influential"),
         (1, 6, "guidance")],
    )  # fmt: skip

    summary = quadrant_coverage(coverage(graph))

    assert list(summary) == ["L", "M", "T", "E"]
    assert summary["L"].by_channel_count == (1, 0, 0, 0)
    assert summary["M"].by_channel_count == (0, 1, 0, 0)
    assert summary["T"].by_channel_count == (0, 0, 1, 0)
    assert summary["E"].by_channel_count == (1, 1, 1, 1)
    assert summary["E"].members == 4
    assert summary["E"].shares == (0.25, 0.25, 0.25, 0.25)


def test_it_summarises_an_empty_quadrant_as_no_shares():
    summary = quadrant_coverage(coverage(org([(1, "L")], [])))

    assert summary["T"].members == 0
    assert summary["T"].shares == (0.0, 0.0, 0.0, 0.0)


# --- single points of failure -----------------------------------------------------------------


def manager_over_a_team():
    """Leader 1 directs manager 2, who alone guides team 3, which directs employees 4 and 5."""
    return org(
        [(1, "L"), (2, "M"), (3, "T"), (4, "E"), (5, "E")],
        [(1, 2, "direct"), (2, 3, "guidance"), (3, 4, "direct"), (3, 5, "direct")],
        names={2: "Max Manager", 3: "Blue Team"},
    )


def test_it_finds_a_manager_who_is_a_single_point_of_failure_for_a_teams_employees():
    graph = manager_over_a_team()

    points = single_points_of_failure(graph)

    assert points == [SinglePoint(2, 3), SinglePoint(3, 2)]
    risk = next(risk for risk in rank_risks(graph) if risk.kind == RiskKind.SINGLE_POINT)
    assert risk.member_ids == (2,)
    assert risk.affected == 3
    assert risk.sentence == "Every path from leadership to 3 members passes through Max Manager."
    assert risk.next_step == (
        "add a relationship from a leader or another manager to the members who depend on "
        "Max Manager"
    )


def test_it_suggests_the_senders_the_rule_allows_for_a_team_everyone_depends_on():
    graph = manager_over_a_team()
    graph.nodes[3]["name"] = "Dock Team"

    risk = next(
        r for r in rank_risks(graph) if r.kind == RiskKind.SINGLE_POINT and r.member_ids == (3,)
    )

    # Into Teams: influential comes from leadership, guidance from managers (never the reverse).
    assert risk.next_step == (
        "add an influential relationship from a leader or a guidance relationship from a "
        "manager to the members who depend on Dock Team"
    )


def test_it_no_longer_names_the_manager_once_a_leader_influences_the_team():
    graph = manager_over_a_team()
    graph.add_edge(1, 3, type="influential", count=1)

    assert single_points_of_failure(graph) == [SinglePoint(3, 2)]


def test_it_never_names_a_leader_as_a_single_point():
    graph = org([(1, "L"), (2, "M"), (3, "M")], [(1, 2, "direct"), (1, 3, "direct")])

    assert single_points_of_failure(graph) == []


def test_it_finds_no_single_point_without_leadership():
    assert single_points_of_failure(org([(1, "M"), (2, "E")], [(1, 2, "influential")])) == []


def test_it_ranks_a_wide_single_point_above_an_orphan():
    graph = manager_over_a_team()
    graph.add_node(6, quadrant="E")

    risks = rank_risks(graph)

    assert kinds(risks)[:3] == [
        (RiskKind.SINGLE_POINT, (2,)),
        (RiskKind.SINGLE_POINT, (3,)),
        (RiskKind.ORPHAN, (6,)),
    ]
    assert [risk.severity for risk in risks] == sorted(
        (risk.severity for risk in risks), reverse=True
    )


# --- the other risks ------------------------------------------------------------------------


def test_it_names_managers_who_guide_no_team():
    graph = org([(1, "L"), (2, "M"), (3, "M"), (4, "T")],
                [(1, 2, "direct"), (1, 3, "direct"), (2, 4, "guidance"), (1, 4, "influential")],
                names={3: "Idle Ida"})  # fmt: skip

    risks = [risk for risk in rank_risks(graph) if risk.kind == RiskKind.MANAGER_GUIDES_NO_TEAM]

    assert kinds(risks) == [(RiskKind.MANAGER_GUIDES_NO_TEAM, (3,))]
    assert risks[0].next_step == "add a guidance relationship from Idle Ida to a team"


def test_it_names_teams_no_leader_influences():
    graph = org(
        [(1, "L"), (2, "M"), (3, "T"), (4, "T")],
        [(1, 2, "direct"), (2, 3, "guidance"), (2, 4, "guidance"), (1, 4, "influential")],
        names={3: "Team X"},
    )

    risks = [risk for risk in rank_risks(graph) if risk.kind == RiskKind.TEAM_NOT_INFLUENCED]

    assert kinds(risks) == [(RiskKind.TEAM_NOT_INFLUENCED, (3,))]
    assert risks[0].sentence == "No leader influences Team X."
    assert risks[0].next_step == "add an influential relationship from a leader to Team X"


def test_it_names_employees_with_no_direct_line():
    graph = org(
        [(1, "L"), (2, "T"), (3, "E"), (4, "E")],
        [(1, 2, "influential"), (2, 3, "direct"), (1, 4, "guidance")],
    )

    risks = [risk for risk in rank_risks(graph) if risk.kind == RiskKind.NO_DIRECT_LINE]

    assert kinds(risks) == [(RiskKind.NO_DIRECT_LINE, (4,))]
    assert risks[0].next_step == "add a direct line from a team to Employee #4"


def test_it_names_members_reached_by_one_channel_only_and_suggests_the_others():
    graph = org(
        [(1, "L"), (2, "M"), (3, "T"), (4, "E")],
        [(1, 2, "direct"), (1, 3, "influential"), (2, 3, "guidance"), (3, 4, "direct")],
        names={4: "Olga"},
    )

    risks = [risk for risk in rank_risks(graph) if risk.kind == RiskKind.ONE_CHANNEL]

    # Manager 2 hears through one channel too, but direct is all a manager can hear.
    assert kinds(risks) == [(RiskKind.ONE_CHANNEL, (4,))]
    assert risks[0].sentence == "Olga hears the objective through the direct channel only."
    assert risks[0].next_step == (
        "add an influential relationship from a manager or a guidance relationship from a "
        "leader to Olga"
    )


def test_it_points_out_a_partnership_missing_a_channel_and_how_to_complete_it():
    graph = org(
        [(1, "L"), (2, "M"), (3, "T")],
        [(1, 3, "influential"), (2, 3, "guidance")],
        names={1: "Lee", 2: "Max"},
    )
    edges = [(1, 3, "influential"), (2, 3, "guidance")]

    risks = rank_risks(graph, partnerships={7: edges}, partnership_names={7: "Quality first"})

    assert missing_channels(edges) == {"direct"}
    (risk,) = [risk for risk in risks if risk.kind == RiskKind.PARTNERSHIP_MISSING_CHANNEL]
    assert risk.partnership_id == 7
    assert risk.member_ids == (1, 2, 3)
    assert risk.sentence == "Quality first lacks the direct channel."
    assert risk.next_step == "add a direct line from Lee to Max, completing a triad"


def test_it_suggests_the_quadrant_pairs_when_no_triad_is_open():
    graph = org([(1, "L"), (2, "M")], [(1, 2, "direct")])

    risks = rank_risks(graph, partnerships={7: [(1, 2, "direct")], 8: []})

    by_partnership = {risk.partnership_id: risk for risk in risks if risk.partnership_id}
    assert (
        by_partnership[7].sentence == "Partnership #7 lacks the influential and guidance channels."
    )
    assert by_partnership[7].next_step == (
        "add an influential relationship to Partnership #7 (from a leader to a team, or a "
        "manager to an employee); add a guidance relationship to Partnership #7 (from a leader "
        "to an employee, or a manager to a team)"
    )
    assert missing_channels([]) == ALL
    assert by_partnership[8].member_ids == ()


def test_it_gathers_the_whole_analysis_in_one_call():
    graph = manager_over_a_team()

    result = health(graph, partnerships={7: [(1, 2, "direct")]})

    assert result.members == coverage(graph)
    assert result.summary == quadrant_coverage(result.members)
    assert result.single_points == single_points_of_failure(graph)
    assert result.risks == rank_risks(graph, partnerships={7: [(1, 2, "direct")]})


# --- brokers --------------------------------------------------------------------------------


def test_it_ranks_the_member_who_carries_the_most_paths_first():
    graph = manager_over_a_team()

    result = brokers(graph)

    assert result.method == "exact"
    assert result.sample_size is None
    assert [member for member, _score in result.ranked] == [3, 2]  # team: 1->4, 1->5, 2->4...
    exact = nx.betweenness_centrality(graph)
    assert dict(result.ranked) == pytest.approx({3: exact[3], 2: exact[2]})


def test_it_samples_betweenness_on_a_large_graph_and_says_so():
    nodes = [(1, "L")] + [(n, "M") for n in range(2, 12)] + [(n, "E") for n in range(12, 40)]
    edges = [(1, n, "direct") for n in range(2, 12)]
    edges += [(2 + n % 10, n, "influential") for n in range(12, 40)]
    graph = org(nodes, edges)

    sampled = brokers(graph, exact_up_to=10, sample_size=4, seed=3)
    again = brokers(graph, exact_up_to=10, sample_size=4, seed=3)
    everyone = brokers(graph, exact_up_to=10, sample_size=11)

    assert (sampled.method, sampled.sample_size, sampled.senders) == ("sampled", 4, 11)
    assert sampled == again  # a fixed seed gives the same page every time
    assert everyone.method == "exact"  # sampling all senders would be the exact measure
    assert dict(everyone.ranked) == pytest.approx(
        {node: score for node, score in nx.betweenness_centrality(graph).items() if score}
    )


# --- properties on random organizations that keep the rule of types ----------------------------


@st.composite
def organizations(draw):
    quadrants = draw(st.lists(st.sampled_from("LMTE"), min_size=1, max_size=12))
    nodes = list(enumerate(quadrants))
    allowed = [
        (a, b)
        for a, qa in nodes
        for b, qb in nodes
        if type_for_quadrants(qa, qb) and (qa != qb or a < b)  # direct lines only go forward
    ]
    chosen = draw(st.lists(st.sampled_from(allowed), unique=True) if allowed else st.just([]))
    edges = [(a, b, type_for_quadrants(quadrants[a], quadrants[b])) for a, b in chosen]
    return build_graph(nodes, edges)


@settings(max_examples=150, deadline=None)
@given(organizations())
def test_it_keeps_channels_and_hops_consistent(graph):
    members = coverage(graph)
    hops, _nearest = hops_from_leadership(graph)
    flow = nx.DiGraph(graph)
    flow.add_edges_from(("all leaders", n) for n, m in members.items() if m.quadrant == "L")

    for node, member in members.items():
        assert 0 <= len(member.channels) <= 3
        assert member.channels <= POSSIBLE_CHANNELS[member.quadrant]
        if member.quadrant == "L":
            assert member.hops == 0 and member.nearest_leader == node
        else:
            assert (member.hops is not None and member.hops >= 1) == member.reached
            assert member.reached == bool(member.channels)
        if member.reached and "all leaders" in flow:
            assert member.hops == nx.shortest_path_length(flow, "all leaders", node) - 1
            assert nx.shortest_path_length(graph, member.nearest_leader, node) == member.hops
    assert set(hops) == {node for node, member in members.items() if member.reached}


@settings(max_examples=150, deadline=None)
@given(organizations())
def test_it_counts_the_channels_arriving_from_reached_members_only(graph):
    reached = hops_from_leadership(graph)[0]

    channels = channels_reaching(graph, reached)

    assert channels == {
        node: frozenset(
            data["type"] for sender, data in graph.pred[node].items() if sender in reached
        )
        for node in graph  # none for a member never reached: none of their senders is
    }


@settings(max_examples=150, deadline=None)
@given(organizations())
def test_it_counts_exactly_the_members_cut_off_without_each_single_point(graph):
    reached = set(hops_from_leadership(graph)[0])
    points = {point.member: point.dependents for point in single_points_of_failure(graph)}

    for node in graph:
        if graph.nodes[node]["quadrant"] == "L":
            assert node not in points
            continue
        without = graph.copy()
        without.remove_node(node)
        cut_off = reached - {node} - set(hops_from_leadership(without)[0])
        assert points.get(node, 0) == len(cut_off)


def test_path_shares_say_which_share_of_leaderships_paths_a_member_carries():
    # Lee influences two teams; Dock directs two employees, Yard one.
    g = build_graph(
        [(1, "L"), (2, "T"), (3, "T"), (4, "E"), (5, "E"), (6, "E")],
        [(1, 2, "influential"), (1, 3, "influential"), (2, 4, "direct"), (2, 5, "direct")]
        + [(3, 6, "direct")],
    )

    shares = path_shares(g, [1, 2, 3, 4])

    assert shares[2] == pytest.approx(2 / 3)
    assert shares[3] == pytest.approx(1 / 3)
    assert shares[1] == pytest.approx(1.0)  # every path starts with the one leader
    assert shares[4] == 0.0  # an end of a path does not carry it
    assert [share_in_words(shares[m]) for m in (1, 2, 3)] == ["every", "7 in 10", "1 in 3"]
    assert share_in_words(0.004) == "fewer than 1 in 100"


def test_path_shares_split_between_two_equal_routes():
    g = build_graph(
        [(1, "L"), (2, "M"), (3, "M"), (4, "E")],
        [(1, 2, "direct"), (1, 3, "direct"), (2, 4, "influential"), (3, 4, "influential")],
    )

    assert path_shares(g, [2, 3]) == {2: 0.5, 3: 0.5}
