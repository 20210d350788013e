"""Joins between tenant tables carry the organization.

Django joins a membership to its member on `member_id = id` alone. On Citus the two tables
are distributed by organization: a join that does not equate the organization columns is
one Citus refuses across shards ("complex joins"), and that it cannot route to one node even
when the query names the organization. The foreign keys between tenant tables are composite
on Citus (partnerships/citus.py), so adding `AND a.organization_id = b.organization_id`
to the join never changes its rows.
"""

from functools import cache

from django.db.models import Q
from django.db.models.expressions import Col
from django.db.models.lookups import Exact
from django.db.models.sql import compiler
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import AND, ExtraWhere, WhereNode


@cache
def _tenant_columns() -> dict[str, str]:
    from partnerships.citus import layout

    return layout().tenant


def _lookups(node):
    for child in getattr(node, "children", ()):
        if isinstance(child, WhereNode):
            yield from _lookups(child)
        elif isinstance(child, Exact):
            yield child


class _OrganizationJoins:
    def as_sql(self, *args, **kwargs):
        if self.query.external_aliases and not getattr(
            self.query, "_organization_correlated", False
        ):
            self._correlate_organizations()
        return super().as_sql(*args, **kwargs)

    def _correlate_organizations(self) -> None:
        """A subquery correlated to a tenant row of the outer query (`team_id = outer.id`)
        also matches the outer row's organization."""
        tenant = _tenant_columns()
        extra = []
        for lookup in _lookups(self.query.where):
            inner, outer = lookup.lhs, lookup.rhs
            if not (isinstance(inner, Col) and isinstance(outer, Col)):
                continue
            if inner.alias in self.query.external_aliases:
                inner, outer = outer, inner
            if outer.alias not in self.query.external_aliases:
                continue
            join = self.query.alias_map.get(inner.alias)
            outer_table = outer.target.model._meta.db_table
            if join is None or join.table_name not in tenant or outer_table not in tenant:
                continue
            qn, qn2 = self.quote_name_unless_alias, self.connection.ops.quote_name
            condition = (
                f"{qn(inner.alias)}.{qn2(tenant[join.table_name])} = "
                f"{qn(outer.alias)}.{qn2(tenant[outer_table])}"
            )
            if condition not in extra:
                extra.append(condition)
        if extra:
            self.query.where.add(ExtraWhere(extra, []), AND)
        self.query._organization_correlated = True

    def compile(self, node):
        sql, params = super().compile(node)
        if isinstance(node, Join) and node.parent_alias is not None and sql.endswith(")"):
            tenant = _tenant_columns()
            parent = self.query.alias_map.get(node.parent_alias)
            if parent is not None and node.table_name in tenant and parent.table_name in tenant:
                qn = self.quote_name_unless_alias
                qn2 = self.connection.ops.quote_name
                sql = (
                    f"{sql[:-1]} AND {qn(node.parent_alias)}.{qn2(tenant[parent.table_name])}"
                    f" = {qn(node.table_alias)}.{qn2(tenant[node.table_name])})"
                )
        return sql, params


class SQLCompiler(_OrganizationJoins, compiler.SQLCompiler):
    pass


class SQLInsertCompiler(_OrganizationJoins, compiler.SQLInsertCompiler):
    pass


class SQLDeleteCompiler(_OrganizationJoins, compiler.SQLDeleteCompiler):
    pass


class SQLUpdateCompiler(_OrganizationJoins, compiler.SQLUpdateCompiler):
    def as_sql(self):
        self._name_the_organization_set()
        return super().as_sql()

    def _name_the_organization_set(self) -> None:
        """A model's save() sets every column, the organization too. Citus refuses an UPDATE
        that sets the distribution column ("modifying the partition value of rows") unless
        its WHERE holds the column to that same value: so it does. The rows stay in their
        organization (the app never moves one to another); a row of another organization is
        not updated, as it could not have been on Citus anyway."""
        if getattr(self.query, "_organization_named", False):
            return
        self.query._organization_named = True
        column = _tenant_columns().get(self.query.model._meta.db_table)
        for field, _model, value in self.query.values:
            if field.column == column and not hasattr(value, "resolve_expression"):
                self.query.add_q(Q(**{field.name: value}))


class SQLAggregateCompiler(_OrganizationJoins, compiler.SQLAggregateCompiler):
    pass
