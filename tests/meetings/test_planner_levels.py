"""The planner's count of who is busiest, kept as levels of sets, gives the same answer as
counting member by member (the plan it ranks weeks and days by stays the same)."""

from __future__ import annotations

import random

from meetings.planner import _busiest, _Levels


def test_levels_give_the_same_busiest_as_counting():
    chance = random.Random(23)
    for _ in range(200):
        sessions = [
            frozenset(chance.sample(range(60), chance.randint(0, 30)))
            for _ in range(chance.randint(0, 8))
        ]
        levels = _Levels()
        for added, attendees in enumerate(sessions, start=1):
            levels.add(attendees)
            for _ in range(5):
                asked = frozenset(chance.sample(range(60), chance.randint(0, 40)))
                assert levels.busiest(asked) == _busiest(asked, sessions[:added])


def test_nobody_is_busy_before_any_session():
    assert _Levels().busiest(frozenset({1, 2})) == 0
