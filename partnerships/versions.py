"""The organization's data version: what cached counts and analyses are keyed by.

Database triggers add a row to DataChange for every statement (PostgreSQL) or row (SQLite)
that writes a watched table, whoever writes: services, bulk UPDATEs that set no timestamp,
the import, the admin site. Reading a version is one indexed query for the organization's
newest row of a domain, whatever its size. Two domains, so that a ticked checklist does not
throw away the health analysis:
- STRUCTURE: members, team seats, partnerships, relationships (the diagram's counts, a
  member's place, the health analysis);
- PROGRESS: partnerships, objectives, sessions and what the leader's dashboard reads of the
  quarter (checklists, successes, scores, measurements, pulse ratings);
- SESSION_LOG: sessions and what their page shows of them (the log's successes, progress
  calls, feedback and action items, the agenda's items and minutes). Attendees are written
  with their session's row, so the session's trigger sees them.

Two things make a version safe to cache under:
- It never comes back. PostgreSQL's ids come from a sequence that rollbacks do not rewind;
  SQLite reuses the id of a rolled-back row, so each row also carries a random token.
- On PostgreSQL, commits can land out of order: a transaction that wrote first may commit
  after a later one, leaving the newest row unchanged. The versions are therefore ordered by
  the writing transaction's id, and a version is only *settled* when no other transaction
  with a lower id is still running (the snapshot tells). An unsettled version is returned as
  None: callers compute without caching. SQLite runs one writing transaction at a time.

A transaction reading its own uncommitted writes gets a version nobody else can see yet,
and one that is never reused if it rolls back: caching under it is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection
from django.db.models import OuterRef, Subquery

from org.models import Organization

STRUCTURE = "structure"
PROGRESS = "progress"
SESSION_LOG = "session_log"
# The tables whose writes move each domain's version.
WATCHED = {
    STRUCTURE: (
        "org_member",
        "org_teammembership",
        "partnerships_partnership",
        "partnerships_relationship",
    ),
    PROGRESS: (
        "partnerships_partnership",
        "partnerships_objective",
        "meetings_session",
        "meetings_checklistitem",
        "meetings_sessionsuccess",
        "meetings_satisfactionscore",
        "meetings_objectivemeasurement",
        "meetings_pulserating",
        "meetings_sessionrating",
    ),
    SESSION_LOG: (
        "meetings_session",
        "meetings_sessionsuccess",
        "meetings_objectiveprogress",
        "meetings_feedbackitem",
        "meetings_actionitem",
        "meetings_agendaitem",
        "meetings_sessionagenda",
    ),
}
CHANGES = "partnerships_datachange"
_FUNCTION = "partnership_map_data_change"
# A key carrying a version never goes stale (it changes with the data); this only frees the
# cache of old keys.
CACHE_SECONDS = 6 * 60 * 60

T = TypeVar("T")


def data_version(organization: Organization, domain: str = STRUCTURE) -> str | None:
    """The organization's data version in a domain, or None while a write to it may still
    be landing (then nothing should be cached). One query (`data_versions`)."""
    return data_versions(organization, domain)


def data_versions(organization: Organization, *domains: str) -> str | None:
    """The organization's versions in one or more domains as one key part, in one query;
    None when any of them is unsettled: on PostgreSQL, while a transaction with a lower id
    than the newest row's writer is still running (see the module's docstring)."""
    newest = (
        f"SELECT * FROM (SELECT c.domain, c.id, c.writer, c.token FROM {CHANGES} AS c "
        "WHERE c.organization_pk = %s AND c.domain = %s "
        "ORDER BY c.writer DESC, c.id DESC LIMIT 1) AS d{n}"
    )
    sql = " UNION ALL ".join(newest.format(n=n) for n in range(len(domains)))
    params = [value for domain in domains for value in (organization.pk, domain)]
    if connection.vendor == "postgresql":
        sql = (
            "SELECT v.domain, v.id, v.writer, v.token, NOT EXISTS ("
            "SELECT 1 FROM pg_snapshot_xip(pg_current_snapshot()) AS running(xid) "
            f"WHERE running.xid::text::bigint < v.writer) FROM ({sql}) AS v"
        )
    else:
        sql = f"SELECT v.domain, v.id, v.writer, v.token, 1 FROM ({sql}) AS v"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = {
            domain: (pk, writer, token, settled) for domain, pk, writer, token, settled in cursor
        }
    parts = []
    for domain in domains:
        if domain not in rows:
            parts.append("v0")
            continue
        pk, writer, token, settled = rows[domain]
        if not settled:
            return None
        parts.append(f"v{writer}-{pk}" if connection.vendor == "postgresql" else f"v{pk}-{token}")
    return ".".join(parts)


def prune_changes() -> int:
    """Delete every change row but the newest of each organization and domain, so that the
    table does not grow with every write forever; no version changes. Rows of transactions
    still running are not seen, so not touched. Returns how many rows went."""
    from partnerships.models import DataChange  # the models import nothing from here

    newest = (
        DataChange.objects.filter(
            organization_pk=OuterRef("organization_pk"), domain=OuterRef("domain")
        )
        .order_by("-writer", "-id")
        .values("pk")[:1]
    )
    deleted, _ = DataChange.objects.exclude(pk=Subquery(newest)).delete()
    return deleted


def kept(key: str | None, compute: Callable[[], T]) -> T:
    """What Django's cache holds under `key` (a key carrying a data version), computed and
    kept there when it holds nothing. Without a key (the version was None: a write may still
    be landing), computed and not kept."""
    if key is None:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


# --- the triggers ----------------------------------------------------------------------------
#
# Created by migrations, from the tables each one names (partnerships 0003 holds the first
# list): a table added to WATCHED needs a migration calling trigger_operations() with the
# new tables. tests/health/test_versions.py checks that the database has a trigger for
# every table WATCHED names.


def _postgresql_functions() -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {CHANGES} (organization_pk, writer, token, domain)
            SELECT DISTINCT organization_id, pg_current_xact_id()::text::bigint, '', TG_ARGV[0]
            FROM changed_rows;
            RETURN NULL;
        END
        $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION {_FUNCTION}_forget() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {CHANGES} WHERE organization_pk IN (SELECT id FROM changed_rows);
            RETURN NULL;
        END
        $$
        """,
        "DROP TRIGGER IF EXISTS org_organization_delete_changes ON org_organization",
        "CREATE TRIGGER org_organization_delete_changes AFTER DELETE "
        "ON org_organization REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {_FUNCTION}_forget()",
    ]


def _postgresql_trigger(domain: str, table: str, event: str, rows: str) -> str:
    return (
        f"CREATE TRIGGER {trigger_name(domain, table, event)} AFTER {event} ON {table} "
        f"REFERENCING {rows} TABLE AS changed_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {_FUNCTION}('{domain}')"
    )


def _sqlite_functions() -> list[str]:
    return [
        "CREATE TRIGGER IF NOT EXISTS org_organization_delete_changes AFTER DELETE "
        f"ON org_organization BEGIN DELETE FROM {CHANGES} WHERE organization_pk = OLD.id; END"
    ]


def _sqlite_trigger(domain: str, table: str, event: str, row: str) -> str:
    return (
        f"CREATE TRIGGER {trigger_name(domain, table, event)} AFTER {event} ON {table} "
        f"BEGIN INSERT INTO {CHANGES} (organization_pk, writer, token, domain) "
        f"VALUES ({row}.organization_id, 0, lower(hex(randomblob(8))), '{domain}'); END"
    )


def triggers(watched: dict[str, tuple[str, ...]]) -> list[tuple[str, str, str, str]]:
    """(domain, table, event, the rows it sees) of every trigger that records a change."""
    return [
        (domain, table, event, rows)
        for domain, tables in watched.items()
        for table in tables
        for event, rows in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    ]


def trigger_name(domain: str, table: str, event: str) -> str:
    return f"{table}_{event.lower()}_{domain}_changes"


def trigger_operations(watched: dict[str, tuple[str, ...]], *, first: bool = False):
    """The forward and backward functions of a RunPython operation that creates (and drops)
    the change triggers of the tables `watched` names, by domain. The first such migration
    also drops, going backward, what every trigger shares."""

    def forward(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            statements = _postgresql_functions()
            statements += [_postgresql_trigger(*t) for t in triggers(watched)]
        elif vendor == "sqlite":
            statements = _sqlite_functions() + [_sqlite_trigger(*t) for t in triggers(watched)]
        else:
            raise NotImplementedError(f"No data-version triggers for {vendor}.")
        for statement in statements:
            schema_editor.execute(statement)

    def backward(apps, schema_editor) -> None:
        postgresql = schema_editor.connection.vendor == "postgresql"
        for domain, table, event, _rows in triggers(watched):
            on = f" ON {table}" if postgresql else ""
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {trigger_name(domain, table, event)}{on}"
            )
        if first:
            on = " ON org_organization" if postgresql else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS org_organization_delete_changes{on}")
            if postgresql:
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {_FUNCTION}()")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {_FUNCTION}_forget()")

    return forward, backward
