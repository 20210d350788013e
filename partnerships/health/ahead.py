"""The health analysis computed ahead, so that no page waits for it (`manage.py
refresh_health`, safe from cron).

For each organization: the whole organization and each of its objectives, as leaders and
admins see them today, with the brokers, kept in one HealthSnapshot row each (replaced at
every refresh) and in the cache. A scope whose snapshot was computed today under the
current data version is left alone, so a refresh every few minutes costs a few queries when
nothing changed. While a write may still be landing (no settled data version) nothing is
computed; the next run does it.
"""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from org.cycles import collector_paused
from org.models import Organization
from partnerships.health import hooks
from partnerships.health.analysis import (
    analyse,
    cache_key,
    load,
    rank_brokers,
)
from partnerships.models import HealthSnapshot, Objective
from partnerships.scope import Scope
from partnerships.versions import CACHE_SECONDS, data_version


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did for one scope: "computed", "up to date" or "skipped"."""

    label: str
    outcome: str
    seconds: float = 0.0


def refresh_organization(organization: Organization, *, force: bool = False) -> list[Refreshed]:
    """Compute ahead what changed for the organization's scopes (all of them with force)."""
    version = data_version(organization)
    day = organization.today()
    objectives = list(Objective.objects.filter(organization=organization).order_by("pk"))
    scopes = [
        ("whole organization", Scope(organization=organization, day=day)),
        *(
            (f"objective {o.title}", Scope(organization=organization, day=day, objective=o))
            for o in objectives
        ),
    ]
    if version is None:  # a write may still be landing: the next run computes it
        return [Refreshed(label, "skipped: a write was landing") for label, _scope in scopes]
    existing = {
        snapshot.objective_id: snapshot
        for snapshot in HealthSnapshot.objects.filter(organization=organization).only(
            "pk", "objective_id", "day", "data_version"
        )
    }
    done = []
    for label, scope in scopes:
        key = scope.objective.pk if scope.objective is not None else None
        old = existing.get(key)
        if old and not force and old.day == day and old.data_version == version:
            done.append(Refreshed(label, "up to date"))
            continue
        started = time.perf_counter()
        with collector_paused():
            loaded = load(scope)
            report = analyse(loaded)
            brokers = rank_brokers(loaded)
        seconds = time.perf_counter() - started
        _store(scope, version, report, brokers, seconds)
        cache.set_many(
            {
                cache_key(scope, "report", version): report,
                cache_key(scope, "brokers", version): brokers,
            },
            CACHE_SECONDS,
        )
        done.append(Refreshed(label, "computed", seconds))
    _refresh_weak_channels(organization, day)
    # Snapshots of objectives deleted since go with them (a cascade); nothing else to drop.
    return done


def _refresh_weak_channels(organization: Organization, day) -> None:
    """The weak channels the page shows beside the report (from meetings, through the hooks)
    depend on the sessions too: stored with the whole organization's snapshot under their own
    stamp, and kept in the cache, whenever that stamp moved."""
    stamp = hooks.weak_channel_stamp(organization, day)
    whole = HealthSnapshot.objects.filter(organization=organization, objective=None)
    if stamp is None or whole.filter(weak_channels_stamp=stamp).exists():
        return
    groups = hooks.group_weak_channels(hooks.weak_channels(organization, day))
    whole.update(
        weak_channels=pickle.dumps(groups, protocol=pickle.HIGHEST_PROTOCOL),
        weak_channels_stamp=stamp,
    )
    cache.set(hooks.weak_channel_key(organization, stamp), groups, CACHE_SECONDS)


def _store(scope: Scope, version: str, report, brokers, seconds: float) -> None:
    values = {
        "day": scope.day,
        "data_version": version,
        "computed_at": report.computed_at or timezone.now(),
        "seconds": round(seconds, 3),
        "report": pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL),
        "brokers": pickle.dumps(brokers, protocol=pickle.HIGHEST_PROTOCOL),
    }
    lookup = {"organization": scope.organization, "objective": scope.objective}
    try:
        with transaction.atomic():
            HealthSnapshot.objects.update_or_create(**lookup, defaults=values)
    except IntegrityError:  # another refresh inserted the row first: replace its content
        HealthSnapshot.objects.filter(**lookup).update(**values)
