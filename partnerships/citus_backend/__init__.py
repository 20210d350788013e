"""Django's PostgreSQL backend for a Citus coordinator (DATABASE_URL=citus://...): the same,
except that a join between two tenant tables also joins on the organization, so that Citus
can keep the query on the organization's node (compiler.py)."""
