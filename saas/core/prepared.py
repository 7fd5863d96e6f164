"""A query the ORM compiles once per process, then run with a new value each time.

For the one query every signed-in request runs before its view (loading the person:
`tenant_apps.participants.backends.ParticipantBackend.get_user`). Compiling it — resolving the
joins of `select_related`, the columns, the filters, the ordering — costs the ORM about four
times what PostgreSQL takes to plan and answer it, on every request (bench/README.md,
"Session 10"). The SQL does not depend on the programme (django-tenants resolves the tables
through the connection's `search_path`), so one compilation serves every programme.

What stays the ORM's: the SQL is the queryset's own (`build` makes it, with `sentinel` where the
value goes), the rows become model instances through `Model.from_db` and the populators of
`select_related`, with the fields' database converters applied, exactly as `QuerySet` does; the
statement runs through `connection.cursor()`, so the schema is set, the execute wrappers see it
and a test's query count counts it. What it does not support: a queryset whose SQL depends on
more than the one value, `prefetch_related`, annotations, `values()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import RelatedPopulator, get_related_populators

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    index: int  # where the value goes in params
    model: type[Model]
    start: int  # the model's own columns: row[start:end]
    end: int
    init_list: list[str]
    converters: list[tuple[int, list[Any], Any]]  # (column, converters, expression)
    populators: list[RelatedPopulator]


class PreparedQuery(Generic[M]):
    """`build(value)` returns the queryset for one value; `first(value)` runs it (its first row).

    `sentinel` must be a value of the lookup's type that appears exactly once among the
    compiled parameters and nowhere else: it marks where each call's value goes.
    """

    def __init__(
        self, build: Callable[[Any], QuerySet[M]], *, sentinel: Any, using: str = DEFAULT_DB_ALIAS
    ) -> None:
        self._build = build
        self._sentinel = sentinel
        self._using = using
        self._compiled: _Compiled | None = None

    def sql(self) -> tuple[str, tuple[Any, ...]]:
        """The SQL and its parameters (the sentinel still in place): for tests and EXPLAIN."""
        compiled = self._compile()
        return compiled.sql, compiled.params

    def _compile(self) -> _Compiled:
        if self._compiled is not None:
            return self._compiled
        queryset = self._build(self._sentinel)
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()
        positions = [i for i, param in enumerate(params) if param == self._sentinel]
        if len(positions) != 1 or str(self._sentinel) in sql:
            raise ValueError(f"the sentinel {self._sentinel!r} must be exactly one parameter")
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None or compiler.annotation_col_map:
            raise ValueError("a prepared query selects model instances, without annotations")
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        expressions = [column for column, _sql, _alias in select[: compiler.col_count]]
        self._compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            index=positions[0],
            model=klass_info["model"],
            start=start,
            end=end,
            init_list=[column.target.attname for column, _sql, _alias in select[start:end]],
            converters=[
                (position, converters, expression)
                for position, (converters, expression) in compiler.get_converters(
                    expressions
                ).items()
            ],
            # Django 5.2's signature; the stubs describe Django 6's (with a fetch mode).
            populators=get_related_populators(klass_info, select, self._using),  # type: ignore[call-arg]
        )
        return self._compiled

    def first(self, value: Any) -> M | None:
        compiled = self._compile()
        params = list(compiled.params)
        params[compiled.index] = value
        connection = connections[self._using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchone()
        if fetched is None:
            return None
        row = list(fetched)
        for position, converters, expression in compiled.converters:
            for converter in converters:
                row[position] = converter(row[position], expression, connection)
        instance = compiled.model.from_db(
            self._using, compiled.init_list, row[compiled.start : compiled.end]
        )
        for populator in compiled.populators:
            populator.populate(row, instance)
        return instance  # type: ignore[return-value]  # from_db builds the queryset's model
