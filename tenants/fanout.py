"""Periodic jobs fan out (CONVENTIONS §6): one beat task lists the programmes, one task per
programme does the work, each copy running in its programme's schema (tenant-schemas-celery
reads `_schema_name` from the headers). The beat tasks themselves are in tenants/tasks.py."""

from collections.abc import Sequence
from functools import cache
from typing import Any

from celery import Task
from django.apps import apps
from django.conf import settings
from django_tenants.utils import get_public_schema_name

from saas.core.tenancy import connection
from tenants.models import Program

# Programme schemas probed per query by `programmes_where`. The planner locks every table a
# probe reads and each of its indexes (a few dozen relations for the surveys' probe), for the
# statement's own transaction: 20 schemas stay well inside a stock server's lock table (6,400
# slots), shared with every other session.
DUE_BATCH = 20


def _statuses(include_closed: bool) -> list[str]:
    statuses: list[str] = [Program.Status.READY]
    if include_closed:
        statuses += [Program.Status.PAUSED, Program.Status.ARCHIVED]
    return statuses


def fan_out(task: Task, *, include_closed: bool = False, **kwargs: Any) -> int:
    """Send `task` once per open programme, each copy running in its programme's schema
    (periodic jobs: one beat task lists the programmes, one task per programme does the work).
    With `include_closed`, paused and archived programmes too: their data still exists, so
    retention and purges must reach them (schemas being provisioned, failed or spare hold no
    one). Returns how many were sent."""
    schemas = (
        Program.objects.filter(status__in=_statuses(include_closed))
        .exclude(schema_name=get_public_schema_name())
        .values_list("schema_name", flat=True)
    )
    count = 0
    for schema_name in schemas.iterator():
        task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})
        count += 1
    return count


@cache
def _programme_tables() -> tuple[str, ...]:
    """The quoted names of the tables that exist in each programme schema only."""
    shared = set(settings.SHARED_APPS)
    return tuple(
        connection.ops.quote_name(model._meta.db_table)
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name in settings.TENANT_APPS
        and model._meta.app_config.name not in shared
    )


def _qualified(sql: str, schema: str) -> str:
    quoted = connection.ops.quote_name(schema)
    for table in _programme_tables():
        sql = sql.replace(table, f"{quoted}.{table}")
    return sql


def programmes_where(
    sql: str, params: Sequence[Any], *, include_closed: bool = False, batch: int | None = None
) -> list[str]:
    """The schemas of the open programmes (with `include_closed`, paused and archived too)
    where the query `sql` finds a row: one `EXISTS` per schema, UNION ALL of DUE_BATCH schemas
    per query, sent from the public schema. `sql` names the programme's tables unqualified and
    quoted, as Django writes them (`"surveys_survey"`); each copy reads one schema's tables,
    `public`'s stay unqualified. The beat jobs use it to send a task only where the programme's
    task would find something to do (tenants.tasks)."""
    schemas = list(
        Program.objects.filter(status__in=_statuses(include_closed))
        .exclude(schema_name=get_public_schema_name())
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    size = batch or DUE_BATCH
    found: list[str] = []
    for first in range(0, len(schemas), size):
        chunk = schemas[first : first + size]
        parts = [f"SELECT %s WHERE EXISTS ({_qualified(sql, schema)})" for schema in chunk]
        values = [value for schema in chunk for value in (schema, *params)]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), values)
            found += [row[0] for row in cursor.fetchall()]
    return found


def fan_out_where(
    task: Task, sql: str, params: Sequence[Any], *, include_closed: bool = False, **kwargs: Any
) -> int:
    """Send `task` once per programme where `sql` finds a row (programmes_where), each copy
    running in its programme's schema. Returns how many were sent."""
    schemas = programmes_where(sql, params, include_closed=include_closed)
    for schema_name in schemas:
        task.apply_async(kwargs=kwargs, headers={"_schema_name": schema_name})
    return len(schemas)
