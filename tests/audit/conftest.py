"""The meetings scenery (a fixed clock, the personas' triad and its session) for the trail."""

from __future__ import annotations

from tests.meetings.conftest import frozen_now, session, triad  # noqa: F401 - fixtures
