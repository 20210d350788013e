"""The schema Citus accepts, laid over the one the migrations build: only where the citus
extension is present (SQLite and plain PostgreSQL never get here).

After `migrate`, `distribute()` (run by the post_migrate hook in apps.py, and by the
`citus_distribute` command) finds by introspection of the models:

- tenant tables: every model with a non-null `organization` foreign key (its column
  `organization_id`), and every model with an `organization_pk` column (the data changes).
  Each is distributed by that column, all co-located in one group, so that an organization's
  rows of every table live in one shard group on one node. Their primary keys become
  (organization_id, id), their unique constraints and indexes gain organization_id, and
  their foreign keys to other tenant tables become composite ones.
- reference tables (a copy on every node): the organizations themselves (their slug stays
  unique across all of them), and every table a tenant table points at (logins, the 13
  actions, content types...) together with the tables joined to those by foreign keys.
  The tables that point at tenant tables without an organization column of their own (a
  session's attendees, Django's implicit many-to-many table) are reference tables too, without
  those foreign keys: a reference table joins a distributed one on any column, on one node.
- coordinator-local tables: whatever else (sessions, login attempts, migrations).

Models added later are covered without edits. Running it again does nothing once every table
is laid out (one query). The triggers (data versions, the rule of types) get forms that read
and write only co-located shards, which is what Citus runs inside a trigger on a shard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections

from org.models import Organization

ORGANIZATION_COLUMN = "organization_id"
# A table that records an organization without a foreign key to it (the data changes).
ORGANIZATION_PK_COLUMN = "organization_pk"
ORGANIZATIONS = Organization._meta.db_table


@dataclass
class Layout:
    tenant: dict[str, str] = field(default_factory=dict)  # table -> distribution column
    reference: set[str] = field(default_factory=set)
    local: set[str] = field(default_factory=set)
    # Reference tables that point at tenant tables without an organization column of their
    # own (a session's attendees): they keep no foreign key to the tenant tables.
    unanchored: set[str] = field(default_factory=set)


def citus_present(using: str = "default") -> bool:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
        return cursor.fetchone()[0]


def _models():
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        yield model


def _tenant_column(model) -> str | None:
    for f in model._meta.concrete_fields:
        if f.is_relation and f.name == "organization" and f.related_model is Organization:
            return None if f.null else f.column
        if f.column == ORGANIZATION_PK_COLUMN:
            return f.column
    return None


def layout(tables: set[str] | None = None) -> Layout:
    """Which table is tenant, reference or local, from the models alone."""
    result = Layout()
    links: dict[str, set[str]] = {}  # table -> tables its foreign keys point at
    for model in _models():
        table = model._meta.db_table
        if tables is not None and table not in tables:
            continue
        column = _tenant_column(model)
        if column is not None:
            result.tenant[table] = column
        links[table] = {
            f.related_model._meta.db_table
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is not None
        }
    points_at_tenant = {t for t, targets in links.items() if targets & result.tenant.keys()}
    reference = {ORGANIZATIONS}
    for table in result.tenant:
        reference |= links[table] - result.tenant.keys()
    # Reference tables may only point at reference tables; pull in what they join.
    changed = True
    while changed:
        changed = False
        for table, targets in links.items():
            if table in result.tenant or table in reference or table in points_at_tenant:
                continue
            if targets & reference or any(table in links[r] for r in reference if r in links):
                reference.add(table)
                changed = True
        for table in list(reference):
            extra = links.get(table, set()) - reference - result.tenant.keys()
            if extra:
                reference |= extra
                changed = True
    result.unanchored = points_at_tenant - result.tenant.keys()
    result.reference = (reference - points_at_tenant) | result.unanchored
    result.local = set(links) - result.tenant.keys() - result.reference
    return result


# --- the triggers, in forms Citus runs on a shard -----------------------------------------
# Inside a trigger on a shard Citus runs only queries that stay on the same node: each of
# these filters by the organization, so it reaches the organization's co-located shard.

CITUS_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION partnership_map_data_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE changed bigint;
    BEGIN
        FOR changed IN SELECT DISTINCT organization_id FROM changed_rows LOOP
            INSERT INTO partnerships_datachange (organization_pk, writer, token, domain)
            VALUES (changed, pg_current_xact_id()::text::bigint, '', TG_ARGV[0]);
        END LOOP;
        RETURN NULL;
    END $$
    """,
    # The organizations are a reference table: this runs on every node's copy, and each
    # node forgets the changes whose shard it holds.
    """
    CREATE OR REPLACE FUNCTION partnership_map_data_change_forget() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE gone bigint;
    BEGIN
        FOR gone IN SELECT id FROM changed_rows LOOP
            IF EXISTS (
                SELECT 1 FROM pg_dist_placement AS p
                JOIN pg_dist_local_group AS g ON g.groupid = p.groupid
                WHERE p.shardid = get_shard_id_for_distribution_column(
                    'partnerships_datachange', gone)
            ) THEN
                DELETE FROM partnerships_datachange WHERE organization_pk = gone;
            END IF;
        END LOOP;
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION relationship_quadrants_follow_members() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.ends_on IS NULL AND (
            NEW.from_quadrant IS DISTINCT FROM (
                SELECT quadrant FROM org_member
                WHERE organization_id = NEW.organization_id AND id = NEW.from_member_id)
            OR NEW.to_quadrant IS DISTINCT FROM (
                SELECT quadrant FROM org_member
                WHERE organization_id = NEW.organization_id AND id = NEW.to_member_id)
        ) THEN
            RAISE EXCEPTION 'relationship_quadrants_follow_members: an open relationship must carry the quadrants of its members'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION member_quadrant_carried_by_relationships() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE current_quadrant varchar;
    BEGIN
        SELECT quadrant INTO current_quadrant FROM org_member
        WHERE organization_id = NEW.organization_id AND id = NEW.id;
        IF EXISTS (
            SELECT 1 FROM partnerships_relationship
            WHERE organization_id = NEW.organization_id AND ends_on IS NULL AND (
                (from_member_id = NEW.id AND from_quadrant IS DISTINCT FROM current_quadrant)
                OR (to_member_id = NEW.id AND to_quadrant IS DISTINCT FROM current_quadrant)
            )
        ) THEN
            RAISE EXCEPTION 'relationship_quadrants_follow_members: an open relationship must carry the quadrants of its members'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$
    """,
]

_FOREIGN_KEY = re.compile(
    r"^FOREIGN KEY \((?P<cols>[^)]*)\) REFERENCES (?P<target>[^(]+)\((?P<tcols>[^)]*)\)(?P<rest>.*)$",
    re.S,
)
_INDEX_COLUMNS = re.compile(r" USING (\w+) \(")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def distribute(using: str = "default", *, verbosity: int = 0) -> list[str]:
    """Lay the tables out for Citus; returns the statements it ran (none when all is done)."""
    if not citus_present(using):
        return []
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, p.partmethod FROM pg_class AS c "
            "LEFT JOIN pg_dist_partition AS p ON p.logicalrelid = c.oid "
            "WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
        )
        kinds = dict(cursor.fetchall())
    plan = layout(set(kinds))
    todo_tenant = {t: c for t, c in plan.tenant.items() if kinds.get(t) is None}
    todo_reference = {t for t in plan.reference if kinds.get(t) is None}
    if not todo_tenant and not todo_reference:
        return []
    todo = set(todo_tenant) | todo_reference
    ran: list[str] = []

    def run(sql: str, params=None) -> None:
        if verbosity:
            print(" ".join(sql.split())[:200])
        ran.append(sql)
        cursor.execute(sql, params)

    with connection.cursor() as cursor:
        run("SET citus.enable_unsafe_triggers TO on")
        run("SET citus.multi_shard_modify_mode TO 'sequential'")
        for statement in CITUS_FUNCTIONS:
            run(statement)
        # Every foreign key of a table to lay out, or pointing at one, goes first.
        cursor.execute(
            "SELECT c.conname, src.relname, dst.relname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint AS c JOIN pg_class AS src ON src.oid = c.conrelid "
            "JOIN pg_class AS dst ON dst.oid = c.confrelid "
            "WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace"
        )
        foreign_keys = [fk for fk in cursor.fetchall() if fk[1] in todo or fk[2] in todo]
        for name, source, _target, _definition in foreign_keys:
            run(f"ALTER TABLE {_quote(source)} DROP CONSTRAINT {_quote(name)}")
        for table, column in todo_tenant.items():
            _include_organization(cursor, run, table, column)
        for table in sorted(todo_reference):
            run("SELECT create_reference_table(%s)", [table])
        first = None
        for table, column in sorted(todo_tenant.items()):
            colocated = next((t for t, k in kinds.items() if k == "h" and t in plan.tenant), None)
            anchor = colocated or first
            if anchor is None:
                run("SELECT create_distributed_table(%s, %s)", [table, column])
                first = table
            else:
                run(
                    "SELECT create_distributed_table(%s, %s, colocate_with => %s)",
                    [table, column, anchor],
                )
        for name, source, target, definition in foreign_keys:
            if source not in plan.tenant and target in plan.tenant:
                continue  # only a distributed table may point at a distributed one
            if source in plan.tenant and target in plan.tenant:
                match = _FOREIGN_KEY.match(definition)
                definition = (
                    f"FOREIGN KEY ({_quote(plan.tenant[source])}, {match['cols']}) "
                    f"REFERENCES {match['target']}({_quote(plan.tenant[target])}, "
                    f"{match['tcols']}){match['rest']}"
                )
            run(f"ALTER TABLE {_quote(source)} ADD CONSTRAINT {_quote(name)} {definition}")
    return ran


def _include_organization(cursor, run, table: str, column: str) -> None:
    """Primary key (organization, id); every unique constraint and index with the
    organization in it."""
    cursor.execute(
        "SELECT c.conname, c.contype, array(SELECT a.attname FROM unnest(c.conkey) AS k "
        "JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k) "
        "FROM pg_constraint AS c WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u')",
        [table],
    )
    for name, kind, columns in cursor.fetchall():
        if column in columns:
            continue
        key = "PRIMARY KEY" if kind == "p" else "UNIQUE"
        columns_sql = ", ".join(_quote(c) for c in [column, *columns])
        run(
            f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}, "
            f"ADD CONSTRAINT {_quote(name)} {key} ({columns_sql})"
        )
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), "
        "array(SELECT a.attname FROM unnest(i.indkey) AS k "
        "JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k) "
        "FROM pg_index AS i WHERE i.indrelid = %s::regclass AND i.indisunique "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)",
        [table],
    )
    for name, definition, columns in cursor.fetchall():
        if column in columns:
            continue
        run(f"DROP INDEX {_quote(name)}")
        run(_INDEX_COLUMNS.sub(lambda m: f" USING {m[1]} ({_quote(column)}, ", definition, 1))
