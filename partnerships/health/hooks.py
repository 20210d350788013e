"""Findings the health page shows that come from a higher layer.

partnerships must not import meetings (.importlinter), yet "a channel whose members missed two
quarters of sessions running is weak" needs attendance, which meetings keeps. So meetings
computes it and registers the function here when the app is ready (meetings/apps.py); the
health page calls whatever is registered and shows the result. Without meetings installed,
the list is simply empty.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from org.models import Organization

WeakChannels = Callable[[Organization, datetime.date], list[dict]]
_weak_channel_sources: list[WeakChannels] = []


def register_weak_channels(source: WeakChannels) -> None:
    if source not in _weak_channel_sources:
        _weak_channel_sources.append(source)


def weak_channels(organization: Organization, day: datetime.date) -> list[dict]:
    """Each a dict: relationship_id, partnership, from_quadrant, to_quadrant, type, quarters."""
    found = []
    for source in _weak_channel_sources:
        found.extend(source(organization, day))
    return found
