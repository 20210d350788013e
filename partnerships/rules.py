"""The model's rules, written once in plain Python: the four quadrants and their order, the
three relationship types (the channels a message travels by), which type joins which pair of
quadrants, and the words for all of them. No Django and no networkx here (import-linter
checks it): the models build their database constraints from it, the diagram draws it, the
health analysis reasons with it.

The box (its positions never change):

            left                     right
 top    [ L  leadership ]   ---->  [ T  teams     ]
 bottom [ M  managers   ] ---->  [ E  employees ]

Order the quadrants L < M < T < E: every allowed relationship goes from a lower quadrant to a
higher one, top to bottom being direct, left to right influential and the diagonals guidance;
inside one quadrant only a direct (reporting) line. Nothing points back up or left.
"""

from __future__ import annotations

# --- quadrants --------------------------------------------------------------------------

LEADERSHIP, MANAGERS, TEAMS, EMPLOYEES = "L", "M", "T", "E"
# The order relationships follow (a relationship never goes from a later to an earlier one).
QUADRANTS: tuple[str, ...] = (LEADERSHIP, MANAGERS, TEAMS, EMPLOYEES)
# The quadrants people sit in; teams are the fourth.
PERSON_QUADRANTS: tuple[str, ...] = (LEADERSHIP, MANAGERS, EMPLOYEES)
# The reading order of the box: upper left, upper right, lower left, lower right.
READING_ORDER: tuple[str, ...] = (LEADERSHIP, TEAMS, MANAGERS, EMPLOYEES)

QUADRANT_NAMES = {
    LEADERSHIP: "Leadership",
    MANAGERS: "Managers",
    TEAMS: "Teams",
    EMPLOYEES: "Employees",
}
# Lower-case forms for sentences: "Influential: managers to employees, 412 relationships".
QUADRANT_WORDS = {q: name.lower() for q, name in QUADRANT_NAMES.items()}
# One member of each quadrant: "a leader", "a team".
QUADRANT_NOUNS = {LEADERSHIP: "leader", MANAGERS: "manager", TEAMS: "team", EMPLOYEES: "employee"}

# --- relationship types: the channels ---------------------------------------------------

DIRECT, INFLUENTIAL, GUIDANCE = "direct", "influential", "guidance"
CHANNELS: tuple[str, ...] = (DIRECT, INFLUENTIAL, GUIDANCE)
TYPE_NAMES = {DIRECT: "Direct", INFLUENTIAL: "Influential", GUIDANCE: "Guidance"}
# How each type reads in a sentence: "Lee directs Max".
TYPE_VERBS = {DIRECT: "directs", INFLUENTIAL: "influences", GUIDANCE: "guides"}
LINE_STYLES = {DIRECT: "solid", INFLUENTIAL: "dashed", GUIDANCE: "dotted"}
LEGEND = {
    DIRECT: "Direct (solid), top to bottom: the chain of command, reporting and the daily "
    "assignment of work.",
    INFLUENTIAL: "Influential (dashed), left to right: company direction, customers' needs "
    "and long-term goals.",
    GUIDANCE: "Guidance (dotted), corner to corner: corporate initiatives on quality, service "
    "and ways of working.",
}

# The partnership that holds the organization's reporting lines (the HR import keeps it).
# Only admins and the import change it: see partnerships/access.py.
CHAIN_OF_COMMAND = "Chain of command"
# The partnership where each team directs the employees sitting on it (the import keeps it;
# seating someone on a team offers the line there).
TEAM_STEWARDSHIP = "Team stewardship"

# --- the rule of types ------------------------------------------------------------------

# The six flows between quadrants, each with the one type it carries, grouped by type.
FLOWS: tuple[tuple[str, str, str], ...] = (
    (LEADERSHIP, MANAGERS, DIRECT),
    (TEAMS, EMPLOYEES, DIRECT),
    (LEADERSHIP, TEAMS, INFLUENTIAL),
    (MANAGERS, EMPLOYEES, INFLUENTIAL),
    (LEADERSHIP, EMPLOYEES, GUIDANCE),
    (MANAGERS, TEAMS, GUIDANCE),
)
# Reporting lines inside one quadrant are always direct (in the box's reading order).
LOOPS: tuple[tuple[str, str, str], ...] = tuple((q, q, DIRECT) for q in READING_ORDER)
# (from quadrant, to quadrant) -> type, for every pair the rule allows; nothing else is.
RELATIONSHIP_RULE: dict[tuple[str, str], str] = {
    **{(source, target): kind for source, target, kind in FLOWS},
    **{(q, q): DIRECT for q in QUADRANTS},
}
# The channels that can arrive at a member of each quadrant: leaders and managers only ever
# hear through direct lines, since nothing points up or left.
POSSIBLE_CHANNELS: dict[str, frozenset[str]] = {
    q: frozenset(kind for (_, target), kind in RELATIONSHIP_RULE.items() if target == q)
    for q in QUADRANTS
}


def type_for_quadrants(from_quadrant: str, to_quadrant: str) -> str | None:
    """The type of a relationship between two quadrants, or None when the rule forbids it."""
    return RELATIONSHIP_RULE.get((from_quadrant, to_quadrant))


def flow_pairs(kind: str) -> str:
    """The quadrant pairs that carry a type between quadrants, in words: 'a leader to a
    manager, or a team to an employee'."""
    pairs = [
        f"{article(QUADRANT_NOUNS[s])} {QUADRANT_NOUNS[s]} to "
        f"{article(QUADRANT_NOUNS[t])} {QUADRANT_NOUNS[t]}"
        for s, t, k in FLOWS
        if k == kind
    ]
    return ", or ".join(pairs)


def article(word: str) -> str:
    """'an' before a vowel, else 'a': 'an influential relationship', 'a team'."""
    return "an" if word[0] in "aeiou" else "a"
