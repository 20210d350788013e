"""Django's PostgreSQL backend for a Citus coordinator (DATABASE_URL=citus://...): the same,
except that a join between two tenant tables also joins on the organization, so that Citus
can keep the query on the organization's node (compiler.py), and that a query grouping a
tenant table's rows lists every column it selects in GROUP BY."""

from django.db.backends.postgresql import base, features, operations

from partnerships.citus_backend.compiler import _tenant_columns


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "partnerships.citus_backend.compiler"


class DatabaseFeatures(features.DatabaseFeatures):
    def allows_group_by_selected_pks_on_model(self, model) -> bool:
        """PostgreSQL lets a query grouped by a table's primary key select its other columns.
        Django's PostgreSQL backend then groups by `id` alone; but a tenant table's primary
        key is (organization_id, id) on Citus, so `id` alone is not enough ("column ... must
        appear in the GROUP BY clause"): group by every selected column instead."""
        if model._meta.db_table in _tenant_columns():
            return False
        return super().allows_group_by_selected_pks_on_model(model)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    features_class = DatabaseFeatures

    def get_connection_params(self):
        """Multi-shard writes one shard after the other. The app's writes name the
        organization and go to one shard; the few that do not (Django deleting an
        organization's rows by their ids) would otherwise run in parallel, after which Citus
        refuses any write to a reference table in the same transaction (the organization
        itself: "cannot execute DML on table ... because there was a parallel DML access")."""
        params = super().get_connection_params()
        sequential = "-c citus.multi_shard_modify_mode=sequential"
        params["options"] = f"{params.get('options', '')} {sequential}".strip()
        return params
