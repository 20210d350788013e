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
from dataclasses import dataclass, field

from org.models import Organization
from partnerships.models import HealthSnapshot
from partnerships.versions import PROGRESS, STRUCTURE, data_version, kept


@dataclass
class WeakChannels:
    """Weak channels as a source finds them: already counted by partnership, type and
    quadrant pair, which is all the page tells (group_weak_channels). A large organization has
    hundreds of thousands of them; a dict for each cost more than finding them."""

    # (partnership id, type as shown, from quadrant, to quadrant) -> weak relationships
    counts: Counter[tuple[int, str, str, str]] = field(default_factory=Counter)
    names: dict[int, str] = field(default_factory=dict)  # partnership id -> name, of those counted
    quarters: list[str] = field(default_factory=list)  # the quarters their members missed


WeakChannelSource = Callable[[Organization, datetime.date], WeakChannels]
_weak_channel_sources: list[WeakChannelSource] = []


def register_weak_channels(source: WeakChannelSource) -> None:
    if source not in _weak_channel_sources:
        _weak_channel_sources.append(source)


def weak_channels(organization: Organization, day: datetime.date) -> WeakChannels:
    """What every registered source found, added up (the quarters of the first that found
    any)."""
    found = WeakChannels()
    for source in _weak_channel_sources:
        more = source(organization, day)
        found.counts.update(more.counts)
        found.names.update(more.names)
        if not found.quarters and sum(more.counts.values()):
            found.quarters = list(more.quarters)
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


def group_weak_channels(found: WeakChannels) -> dict:
    """Weak channels told by partnership and quadrant pair ("Night shift: 120 influential
    M → E"), the largest groups first, at most WEAK_GROUPS_SHOWN of them: a list of each would
    bury the page. A count of 0 when there are none (kept in the cache as well)."""
    counts = {key: n for key, n in found.counts.items() if n > 0}
    names = found.names
    ranked = sorted(counts.items(), key=lambda item: (-item[1], names[item[0][0]], item[0]))
    groups = [
        {"partnership": names[pid], "type": kind, "from_quadrant": a, "to_quadrant": b, "count": n}
        for (pid, kind, a, b), n in ranked[:WEAK_GROUPS_SHOWN]
    ]
    total = sum(counts.values())
    return {
        "count": total,
        "partnerships": len({pid for pid, _kind, _a, _b in counts}),
        "quarters": list(found.quarters) if total else [],
        "groups": groups,
        "more_groups": len(ranked) - len(groups),
    }
