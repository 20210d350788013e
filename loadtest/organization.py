"""The organization `make loadtest` runs against: bench/synthetic.py's large organization in a
PostgreSQL database of its own, plus logins for several leaders and managers.

The database is built once and reused while the generator, the migrations, the quarter and
these logins stay the same (the same fingerprint as `make bench`, with the logins' version
added); each run first deletes the log entries earlier runs wrote, so runs compare.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

# Bump when the logins below change, so that cached databases are rebuilt.
LOGINS_VERSION = 1
PASSWORD = "load-test-password-for-loopback-only"
MARKER_PREFIX = "loadtest "
SLUG = "loadtest-large"


@dataclass(frozen=True)
class Login:
    username: str
    role: str  # "leader" or "manager"
    sessions: tuple[int, ...] = ()  # the sessions a manager logs (this quarter's first)


def prepare(
    *, size: str, leaders: int, managers: int, rebuild: bool, cached: bool = True
) -> list[Login]:
    """Build or reuse the database Django is set up on and return the logins of the virtual
    users. With cached=False (a Citus cluster made for the run) the database is taken as it
    is, empty, and built."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench.run import cached_database, fingerprint, mark_built, psycopg_params

    marker = f"{fingerprint(size)}, loadtest logins {LOGINS_VERSION}"
    reused = cached_database(psycopg_params(), marker, rebuild) if cached else False
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    name = settings.DATABASES["default"]["NAME"]
    if reused:
        print(f"Reusing {name} ({marker}).")
    else:
        from bench.synthetic import SIZES, build_organization

        print(f"Building the {size} organization in {name} ...", flush=True)
        organization = build_organization(SIZES[size], slug=SLUG)
        _add_logins(organization, leaders=LOGIN_POOL, managers=LOGIN_POOL)
        mark_built(marker)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"Built in {time.perf_counter() - started:.1f} s (migrations included).")
    removed = delete_earlier_markers()
    if removed:
        print(f"Deleted {removed} log entries left by earlier runs.")
    return _logins(leaders=leaders, managers=managers)


# Logins are made for this many leaders and managers; a run uses the first ones it needs.
LOGIN_POOL = 40


def _add_logins(organization, *, leaders: int, managers: int) -> None:
    """Leaders of the L quadrant and managers of the M quadrant who belong to partnerships
    with sessions this quarter, each with a login and the known password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from meetings.models import Session
    from meetings.selectors import current_quarter
    from org.models import Member, OrgMembership, Quadrant, Role

    today = organization.today()
    quarter = current_quarter(organization)
    people = Member.objects.for_org(organization).active_on(today).order_by("pk")
    password = make_password(PASSWORD)  # one hash for all: hashing is slow on purpose
    User = get_user_model()
    chosen = list(people.filter(quadrant=Quadrant.LEADERSHIP)[:leaders])
    roles = [(member, Role.LEADER) for member in chosen]
    taken = 0
    for member in people.filter(quadrant=Quadrant.MANAGERS).iterator():
        if taken == managers:
            break
        sessions = Session.objects.for_org(organization).of_partnerships_with(member)
        if sessions.in_quarter(quarter).exists():
            roles.append((member, Role.MANAGER))
            taken += 1
    for number, (member, role) in enumerate(roles, start=1):
        user = User.objects.create(
            username=f"load-{role}-{number:02d}",
            email=f"load-{role}-{number:02d}@bench.example",
            password=password,
        )
        OrgMembership.objects.create(user=user, organization=organization, role=role, member=member)


def _logins(*, leaders: int, managers: int) -> list[Login]:
    from meetings.models import Session
    from meetings.selectors import current_quarter
    from org.models import OrgMembership, Role
    from partnerships.models import Partnership

    memberships = (
        OrgMembership.objects.filter(organization__slug=SLUG, user__username__startswith="load-")
        .select_related("organization", "member", "user")
        .order_by("pk")
    )
    chosen = [m for m in memberships if m.role == Role.LEADER][:leaders]
    chosen += [m for m in memberships if m.role == Role.MANAGER][:managers]
    logins = []
    for membership in chosen:
        sessions: tuple[int, ...] = ()
        if membership.role == Role.MANAGER:
            # Only sessions the manager may log: those of partnerships they belong to today.
            # A manager also sees the sessions of partnerships they left or only attend, but
            # a write there is refused (403), rightly: not a load test's finding.
            quarter = current_quarter(membership.organization)
            writable = (
                Session.objects.for_org(membership.organization)
                .filter(partnership__in=Partnership.objects.writable_by(membership))
                .order_by("-quarter_start", "pk")
            )
            this_quarter = list(writable.in_quarter(quarter).values_list("pk", flat=True))
            sessions = tuple(this_quarter or writable.values_list("pk", flat=True)[:4])
        logins.append(Login(membership.user.username, membership.role, sessions))
    return logins


def delete_earlier_markers() -> int:
    """Remove the entries earlier load runs wrote (their texts start with the marker prefix)."""
    from meetings.models import FeedbackItem, SessionSuccess

    removed = 0
    for model in (FeedbackItem, SessionSuccess):
        removed += model.objects.filter(
            organization__slug=SLUG, text__startswith=MARKER_PREFIX
        ).delete()[0]
    return removed


def stored_markers(run_prefix: str) -> dict[str, list[str]]:
    """The texts of this run's entries that are in the database, by log kind."""
    from django.db import connection

    from meetings.models import FeedbackItem, SessionSuccess

    connection.close()  # the connection from before the restart is gone
    found = {}
    for kind, model in (("feedback", FeedbackItem), ("successes", SessionSuccess)):
        found[kind] = list(
            model.objects.filter(organization__slug=SLUG, text__startswith=run_prefix).values_list(
                "text", flat=True
            )
        )
    return found
