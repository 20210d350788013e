"""Scenery for the progress tests: the meetings tests' fixed clock and triad, reused."""

from __future__ import annotations

from tests.meetings.conftest import NOW, frozen_now, session, triad

__all__ = ["NOW", "frozen_now", "session", "triad"]
