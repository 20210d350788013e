"""The organization's data version: what cached counts and analyses are keyed by.

Database triggers on members, team seats, partnerships and relationships add a row to
DataChange for every statement (PostgreSQL) or row (SQLite) that writes them, whoever
writes: services, bulk UPDATEs that set no timestamp, the import, the admin site. Reading
the version is one indexed query for the organization's newest row, whatever its size.

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

from django.db import connection

from org.models import Organization

# The tables whose writes move the version, and the trigger names' stem.
WATCHED = (
    "org_member",
    "org_teammembership",
    "partnerships_partnership",
    "partnerships_relationship",
)
CHANGES = "partnerships_datachange"
_FUNCTION = "partnership_map_data_change"


def data_version(organization: Organization) -> str | None:
    """The organization's data version, or None while a write to it may still be landing
    (then nothing should be cached). One query."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                SELECT c.id, c.writer, NOT EXISTS (
                    SELECT 1 FROM pg_snapshot_xip(pg_current_snapshot()) AS running(xid)
                    WHERE running.xid::text::bigint < c.writer
                )
                FROM {CHANGES} AS c
                WHERE c.organization_pk = %s
                ORDER BY c.writer DESC, c.id DESC
                LIMIT 1
                """,
                [organization.pk],
            )
            row = cursor.fetchone()
            if row is None:
                return "v0"
            pk, writer, settled = row
            return f"v{writer}-{pk}" if settled else None
        cursor.execute(
            f"SELECT id, token FROM {CHANGES} WHERE organization_pk = %s "
            "ORDER BY writer DESC, id DESC LIMIT 1",
            [organization.pk],
        )
        row = cursor.fetchone()
        return f"v{row[0]}-{row[1]}" if row else "v0"


# --- the triggers (created by migration partnerships 0003) ----------------------------------


def _postgresql_install() -> list[str]:
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {CHANGES} (organization_pk, writer, token)
            SELECT DISTINCT organization_id, pg_current_xact_id()::text::bigint, ''
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
    ]
    for table in WATCHED:
        for event, rows in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            statements.append(
                f"CREATE TRIGGER {table}_{event.lower()}_changes AFTER {event} ON {table} "
                f"REFERENCING {rows} TABLE AS changed_rows FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {_FUNCTION}()"
            )
    statements.append(
        "CREATE TRIGGER org_organization_delete_changes AFTER DELETE ON org_organization "
        "REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {_FUNCTION}_forget()"
    )
    return statements


def _sqlite_install() -> list[str]:
    statements = []
    for table in WATCHED:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            statements.append(
                f"CREATE TRIGGER {table}_{event.lower()}_changes AFTER {event} ON {table} "
                f"BEGIN INSERT INTO {CHANGES} (organization_pk, writer, token) "
                f"VALUES ({row}.organization_id, 0, lower(hex(randomblob(8)))); END"
            )
    statements.append(
        "CREATE TRIGGER org_organization_delete_changes AFTER DELETE ON org_organization "
        f"BEGIN DELETE FROM {CHANGES} WHERE organization_pk = OLD.id; END"
    )
    return statements


def _trigger_names() -> list[tuple[str, str]]:
    names = [
        (f"{table}_{event}_changes", table)
        for table in WATCHED
        for event in ("insert", "update", "delete")
    ]
    return [*names, ("org_organization_delete_changes", "org_organization")]


def install_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgresql_install()
    elif vendor == "sqlite":
        statements = _sqlite_install()
    else:
        raise NotImplementedError(f"No data-version triggers for {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def remove_triggers(apps, schema_editor) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, table in _trigger_names():
        on = f" ON {table}" if postgresql else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
    if postgresql:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {_FUNCTION}()")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {_FUNCTION}_forget()")
