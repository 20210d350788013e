"""The rule of types held by the database alone, not only while every writer uses the services.

A relationship's type is checked against its copied quadrants (relationship_type_follows_
quadrants); these triggers check the copies against the members themselves:

- on SQLite and PostgreSQL, a relationship still open (no end day) that is inserted or
  updated must carry its members' own quadrants: a row with its members swapped and the
  quadrant columns copied is refused. Rows with an end day are history: they keep the
  quadrants their members had then (a restored backup holds them).
- on PostgreSQL, a member's quadrant may change only if, when the transaction commits, every
  open relationship of theirs carries the new quadrant (or was ended in the same
  transaction): a deferred constraint trigger. SQLite has no deferred triggers, and the
  services change the member before the relationships, so there this half is the services'.
"""

from django.db import migrations

_MESSAGE = "relationship_quadrants_follow_members: an open relationship must carry the quadrants of its members"

_SQLITE_CHECK = """
    NEW.ends_on IS NULL AND (
        NEW.from_quadrant IS NOT (SELECT quadrant FROM org_member WHERE id = NEW.from_member_id)
        OR NEW.to_quadrant IS NOT (SELECT quadrant FROM org_member WHERE id = NEW.to_member_id)
    )
"""

SQLITE = [
    f"""
    CREATE TRIGGER relationship_quadrants_follow_members_insert
    BEFORE INSERT ON partnerships_relationship
    WHEN {_SQLITE_CHECK}
    BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER relationship_quadrants_follow_members_update
    BEFORE UPDATE ON partnerships_relationship
    WHEN {_SQLITE_CHECK}
    BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS relationship_quadrants_follow_members_insert",
    "DROP TRIGGER IF EXISTS relationship_quadrants_follow_members_update",
]

POSTGRESQL = [
    f"""
    CREATE FUNCTION relationship_quadrants_follow_members() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.ends_on IS NULL AND (
            NEW.from_quadrant IS DISTINCT FROM
                (SELECT quadrant FROM org_member WHERE id = NEW.from_member_id)
            OR NEW.to_quadrant IS DISTINCT FROM
                (SELECT quadrant FROM org_member WHERE id = NEW.to_member_id)
        ) THEN
            RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER relationship_quadrants_follow_members
    BEFORE INSERT OR UPDATE ON partnerships_relationship
    FOR EACH ROW EXECUTE FUNCTION relationship_quadrants_follow_members()
    """,
    f"""
    CREATE FUNCTION member_quadrant_carried_by_relationships() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE current_quadrant varchar;
    BEGIN
        SELECT quadrant INTO current_quadrant FROM org_member WHERE id = NEW.id;
        IF EXISTS (
            SELECT 1 FROM partnerships_relationship
            WHERE ends_on IS NULL AND (
                (from_member_id = NEW.id AND from_quadrant IS DISTINCT FROM current_quadrant)
                OR (to_member_id = NEW.id AND to_quadrant IS DISTINCT FROM current_quadrant)
            )
        ) THEN
            RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE CONSTRAINT TRIGGER member_quadrant_carried_by_relationships
    AFTER UPDATE OF quadrant ON org_member
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.quadrant IS DISTINCT FROM NEW.quadrant)
    EXECUTE FUNCTION member_quadrant_carried_by_relationships()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS member_quadrant_carried_by_relationships ON org_member",
    "DROP FUNCTION IF EXISTS member_quadrant_carried_by_relationships()",
    "DROP TRIGGER IF EXISTS relationship_quadrants_follow_members ON partnerships_relationship",
    "DROP FUNCTION IF EXISTS relationship_quadrants_follow_members()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"No quadrant triggers for {vendor}.")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_login_attempts"),
        ("partnerships", "0004_relationships_into_a_quadrant"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
            elidable=False,
        ),
    ]
