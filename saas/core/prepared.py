"""Querysets the ORM compiles once per process, then run with new values each time.

For the queries on the path of every request whose shape never changes: loading the person
(`tenant_apps.participants.backends.ParticipantBackend.get_user`, every signed-in request) and
a pair with its unread messages (the pair pages, the guide). Building and compiling them —
the joins of `select_related`, the columns, the subqueries, the ordering — cost the ORM 6 to 9
times what PostgreSQL takes to plan and answer them (0.6 ms against 0.1 ms for the person,
2.6 ms against 0.3 ms for the pair), on every request (bench/README.md, "Session 10"). The
SQL does not depend on the programme (django-tenants resolves the tables through the
connection's `search_path`), so one compilation serves every programme.

What stays the ORM's: the SQL is the queryset's own — `build(**sentinels)` makes it, each
sentinel an integer or an aware datetime standing where a value (an id, a time) goes — and the
rows become model instances through `Model.from_db`, the populators of `select_related` and the
annotations' columns, with the fields' database converters applied, as `QuerySet` does; the
statement runs through `connection.cursor()`, so the schema is set, the execute wrappers see it
and a test's query count counts it. What it cannot serve, and refuses: a sentinel missing from
the parameters or written into the SQL, `values()`, `prefetch_related()` (prefetch on the rows
afterwards, with `prefetch_related_objects`). What it must not be given: a queryset whose SQL
depends on anything but the sentinels' values (a setting, a list whose length varies) — each
use has a test comparing its SQL with the ORM's, compiled afresh.

A list shown a page at a time (`paged=True`): the ORM writes a slice's numbers into the SQL
text, so the query is compiled unsliced and ordered, and `LIMIT %s OFFSET %s` is appended with
the numbers as parameters; `bind(**values)` gives rows that slice like a queryset
(`saas.core.pagination.page_slice` takes them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, RelatedPopulator, get_related_populators

M = TypeVar("M", bound=Model)

Sentinel = int | datetime

# What a paged query appends: Django's PostgreSQL compiler ends an unsliced SELECT with its
# ORDER BY (no FOR UPDATE is ever prepared), so the slice goes last, as the ORM puts it.
_PAGE = " LIMIT %s OFFSET %s"


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: dict[str, list[int]]  # where each value goes in params
    model: type[Model]
    start: int  # the model's own columns: row[start:end]
    end: int
    init_list: list[str]
    converters: list[tuple[int, list[Any], Any]]  # (column, converters, expression)
    populators: list[RelatedPopulator]
    annotations: list[tuple[str, int]]  # (attribute, column)


class PreparedQuery(Generic[M]):
    """`build(**sentinels)` returns the queryset; `first(**values)` and `all(**values)` run it
    with each sentinel's place taken by the value of the same name.

    A sentinel is a value no real one will have (a large negative integer, an aware datetime
    in 1901): it must appear among the compiled parameters, as often as the queryset uses it,
    and nowhere in the SQL text. With `paged=True`, `bind(**values)[start:stop]` runs it for
    one slice.
    """

    # Every prepared query of the process: tests/test_prepared_queries.py proves each one's
    # SQL is the ORM's, without a list kept by hand.
    everyone: ClassVar[list[PreparedQuery[Any]]] = []

    def __init__(
        self,
        build: Callable[..., QuerySet[M]],
        *,
        using: str = DEFAULT_DB_ALIAS,
        paged: bool = False,
        **sentinels: Sentinel,
    ) -> None:
        if not sentinels or len(set(sentinels.values())) != len(sentinels):
            raise ValueError("a prepared query needs distinct sentinels")
        for name, sentinel in sentinels.items():
            if isinstance(sentinel, datetime) and sentinel.tzinfo is None:
                raise ValueError(f"the sentinel {name} must be an aware datetime")
        self._build = build
        self._sentinels = sentinels
        self._using = using
        self.paged = paged
        self._compiled: _Compiled | None = None
        PreparedQuery.everyone.append(self)

    def __repr__(self) -> str:
        return f"<PreparedQuery {self._build.__module__}.{self._build.__qualname__}>"

    def sql(self) -> tuple[str, tuple[Any, ...]]:
        """The SQL and its parameters (the sentinels in place): for tests and EXPLAIN."""
        compiled = self._compile()
        return compiled.sql, compiled.params

    def queryset(self) -> QuerySet[M]:
        """The queryset as the ORM builds it, sentinels in place (for the tests)."""
        return self._build(**self._sentinels)

    def _compile(self) -> _Compiled:
        if self._compiled is not None:
            return self._compiled
        queryset = self.queryset()
        if queryset._iterable_class is not ModelIterable:
            raise ValueError("a prepared query selects model instances (not values())")
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            raise ValueError("a prepared query runs one statement (no prefetch_related())")
        if self.paged and (queryset.query.is_sliced or not queryset.ordered):
            raise ValueError("a paged query is compiled ordered and unsliced")
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()
        if self.paged:
            sql += _PAGE
        slots = {
            name: [i for i, param in enumerate(params) if param == sentinel]
            for name, sentinel in self._sentinels.items()
        }
        for name, sentinel in self._sentinels.items():
            if not slots[name] or str(sentinel) in sql:
                raise ValueError(f"the sentinel {name}={sentinel} must be a parameter of the SQL")
        select, klass_info = compiler.select, compiler.klass_info
        if klass_info is None:
            raise ValueError("a prepared query selects model instances")
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        expressions = [column for column, _sql, _alias in select[: compiler.col_count]]
        self._compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
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
            annotations=list(compiler.annotation_col_map.items()),
        )
        return self._compiled

    def _rows(
        self, values: dict[str, Any], *, one: bool, page: tuple[int, int] | None = None
    ) -> list[M]:
        compiled = self._compile()
        if values.keys() != compiled.slots.keys():
            raise TypeError(f"expected the values {sorted(compiled.slots)}, got {sorted(values)}")
        if (page is None) == self.paged:
            raise TypeError("a paged query runs a slice at a time: bind(**values)[start:stop]")
        params = list(compiled.params)
        for name, positions in compiled.slots.items():
            for position in positions:
                params[position] = values[name]
        if page is not None:
            params.extend(page)
        connection = connections[self._using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchmany(1) if one else cursor.fetchall()
        instances = []
        for fetched_row in fetched:
            row = list(fetched_row)
            for position, converters, expression in compiled.converters:
                for converter in converters:
                    row[position] = converter(row[position], expression, connection)
            instance = compiled.model.from_db(
                self._using, compiled.init_list, row[compiled.start : compiled.end]
            )
            for populator in compiled.populators:
                populator.populate(row, instance)
            for attribute, position in compiled.annotations:
                setattr(instance, attribute, row[position])
            instances.append(instance)
        return instances  # type: ignore[return-value]  # from_db builds the queryset's model

    def first(self, **values: Any) -> M | None:
        """The first row (the queryset orders and limits itself), or None."""
        rows = self._rows(values, one=True)
        return rows[0] if rows else None

    def all(self, **values: Any) -> list[M]:
        return self._rows(values, one=False)

    def bind(self, **values: Any) -> Bound[M]:
        """A paged query's rows for these values, fetched a slice at a time."""
        return Bound(self, values)


class Bound(Generic[M]):
    """A paged prepared query with its values: `bound[start:stop]` runs it for that slice
    (`LIMIT stop - start OFFSET start`), as slicing a queryset would."""

    def __init__(self, prepared: PreparedQuery[M], values: dict[str, Any]) -> None:
        self._prepared = prepared
        self._values = values

    def __getitem__(self, where: slice) -> list[M]:
        if not isinstance(where, slice) or where.step is not None or where.stop is None:
            raise TypeError("a prepared page is a slice [start:stop]")
        start, stop = where.start or 0, where.stop
        if start < 0 or stop < start:
            raise ValueError("a prepared page runs from start up to stop, both 0 or more")
        return self._prepared._rows(self._values, one=False, page=(stop - start, start))
