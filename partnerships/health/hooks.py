"""Findings the health page shows that come from a higher layer.

partnerships must not import meetings (.importlinter), yet "a channel whose members missed two
quarters of sessions running is weak" needs attendance, which meetings keeps. So meetings
computes it and registers the function here when the app is ready (meetings/apps.py); the
health page calls whatever is registered and shows the result. Without meetings installed,
the list is simply empty.
"""

from __future__ import annotations

import datetime
import pickle
from collections import Counter
from collections.abc import Callable

from org.models import Organization
from partnerships.models import HealthSnapshot
from partnerships.versions import PROGRESS, STRUCTURE, data_version, kept

WeakChannels = Callable[[Organization, datetime.date], list[dict]]
_weak_channel_sources: list[WeakChannels] = []


def register_weak_channels(source: WeakChannels) -> None:
    if source not in _weak_channel_sources:
        _weak_channel_sources.append(source)


def weak_channels(organization: Organization, day: datetime.date) -> list[dict]:
    """Each a dict: relationship_id, partnership_id, partnership, from_quadrant, to_quadrant,
    type, quarters."""
    found = []
    for source in _weak_channel_sources:
        found.extend(source(organization, day))
    return found


WEAK_GROUPS_SHOWN = 10


def weak_channel_stamp(organization: Organization, day: datetime.date) -> str | None:
    """The day and the structure's and sessions' data versions the weak channels depend on;
    None while a write may still be landing (then nothing is kept). Two queries."""
    structure = data_version(organization, STRUCTURE)
    progress = data_version(organization, PROGRESS)
    if structure is None or progress is None:
        return None
    return f"{day.isoformat()}:{structure}:{progress}"


def weak_channel_key(organization: Organization, stamp: str) -> str:
    return f"weak-channel-groups:{organization.pk}:{stamp}"


def weak_channel_groups(organization: Organization, day: datetime.date) -> dict:
    """The weak channels of ``day`` as the health page tells them (group_weak_channels):
    computing them reads every relationship, and a large organization can have tens of
    thousands. Kept in the cache under their stamp (two queries then); else read from what
    `manage.py refresh_health` stored under the same stamp (one more); else computed."""
    stamp = weak_channel_stamp(organization, day)
    if stamp is None:
        return group_weak_channels(weak_channels(organization, day))

    def stored_or_computed() -> dict:
        stored = (
            HealthSnapshot.objects.filter(
                organization=organization, objective=None, weak_channels_stamp=stamp
            )
            .values_list("weak_channels", flat=True)
            .first()
        )
        if stored is not None:
            return pickle.loads(stored)  # noqa: S301 - written by refresh_health alone
        return group_weak_channels(weak_channels(organization, day))

    return kept(weak_channel_key(organization, stamp), stored_or_computed)


def group_weak_channels(channels: list[dict]) -> dict:
    """Weak channels told by partnership and quadrant pair ("Night shift: 120 influential
    M → E"), the largest groups first, at most WEAK_GROUPS_SHOWN of them: a list of each would
    bury the page. A count of 0 when there are none (kept in the cache as well)."""
    counts = Counter(
        (c["partnership_id"], c["partnership"], c["type"], c["from_quadrant"], c["to_quadrant"])
        for c in channels
    )
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][1], item[0]))
    groups = [
        {"partnership": name, "type": kind, "from_quadrant": a, "to_quadrant": b, "count": n}
        for (_pid, name, kind, a, b), n in ranked[:WEAK_GROUPS_SHOWN]
    ]
    return {
        "count": len(channels),
        "partnerships": len({c["partnership_id"] for c in channels}),
        "quarters": channels[0]["quarters"] if channels else [],
        "groups": groups,
        "more_groups": len(ranked) - len(groups),
    }
