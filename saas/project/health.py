"""Readiness: can this process serve? `/healthz` (saas.project.views) only says it is alive;
`/readyz` checks what a request needs — the database, the cache, the broker — and that the
migrations of the public schema and of a sample of programme schemas are applied.

`schemas_behind` is also what `manage.py migrations_check` runs on every schema after a
deploy: the sample here catches a half-finished roll-out between deploys, the command proves
that none is left behind.
"""

import functools
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tenants.utils import schema_context

from saas.celery import app
from saas.core.decorators import public_view
from tenants.models import Program

logger = logging.getLogger(__name__)

# Programme schemas checked on each /readyz, picked at random: over a few probes a schema left
# behind by an interrupted roll-out is found without reading thousands of them each time.
MIGRATION_SAMPLE_SIZE = 5
BROKER_TIMEOUT_SECONDS = 2.0
# Statuses whose programme has a schema (a failed programme has none; a provisioning one may
# not have it yet).
STATUSES_WITH_SCHEMA = (
    Program.Status.SPARE,
    Program.Status.READY,
    Program.Status.PAUSED,
    Program.Status.ARCHIVED,
)

Migration = tuple[str, str]


@dataclass(frozen=True)
class CheckResult:
    name: str
    is_ok: bool
    status: str  # "ok", "eager" (no broker: tasks run in-process), "failed", "behind"
    detail: str = ""  # for the logs only: never in the anonymous response


# --- Migrations --------------------------------------------------------------------------------


@functools.cache
def _migration_graph() -> tuple[frozenset[Migration], dict[Migration, tuple[Migration, ...]]]:
    """Every migration on disk, and what each squashed migration replaces. Read once per
    process: the code does not change under a running process."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    replaces = {
        key: tuple(migration.replaces)
        for key, migration in loader.disk_migrations.items()
        if migration.replaces
    }
    return frozenset(loader.graph.nodes), replaces


def _unapplied(applied: set[Migration]) -> list[Migration]:
    expected, replaces = _migration_graph()
    return sorted(
        key
        for key in expected
        if key not in applied and not (key in replaces and set(replaces[key]) <= applied)
    )


def _schema_state(schema_name: str) -> tuple[bool, bool]:
    """Whether the schema exists, and whether it has its own migrations table (the search
    path of a programme includes public, so an unqualified read could see public's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS(SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s), "
            "EXISTS(SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = %s AND tablename = %s)",
            [schema_name, schema_name, MigrationRecorder.Migration._meta.db_table],
        )
        exists, has_table = cursor.fetchone()
    return exists, has_table


def schema_migrations_behind(schema_name: str) -> list[str] | None:
    """`app.migration` names not applied in `schema_name`, or None when the schema is missing.

    django-tenants records every migration in every schema (those of the other side's apps
    as no-ops), so the same list of expected migrations holds for public and programmes."""
    exists, has_table = _schema_state(schema_name)
    if not exists:
        return None
    applied: set[Migration] = set()
    if has_table:
        with schema_context(schema_name):
            applied = set(MigrationRecorder(connection).migration_qs.values_list("app", "name"))
    return [f"{app}.{name}" for app, name in _unapplied(applied)]


def programme_schema_names(*, sample: int | None = None) -> list[str]:
    """Schemas of the programmes that have one (spares included), all or a random sample."""
    programs = Program.objects.filter(status__in=STATUSES_WITH_SCHEMA).exclude(
        schema_name=settings.PUBLIC_SCHEMA_NAME
    )
    if sample is not None:
        programs = programs.order_by("?")[:sample]
    else:
        programs = programs.order_by("schema_name")
    return list(programs.values_list("schema_name", flat=True))


def schemas_behind(schema_names: Iterable[str]) -> dict[str, list[str] | None]:
    """The schemas among `schema_names` that lag: name -> unapplied migrations (None: the
    schema does not exist). Schemas that are up to date are left out."""
    lagging: dict[str, list[str] | None] = {}
    for schema_name in schema_names:
        behind = schema_migrations_behind(schema_name)
        if behind is None or behind:
            lagging[schema_name] = behind
    return lagging


# --- Checks ------------------------------------------------------------------------------------


def database_check() -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return CheckResult("database", True, "ok")


def cache_check() -> CheckResult:
    caches["global"].get("readyz")  # Redis in production: raises when it cannot be reached
    return CheckResult("cache", True, "ok")


def broker_check() -> CheckResult:
    if app.conf.task_always_eager:
        return CheckResult("broker", True, "eager")
    with app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    return CheckResult("broker", True, "ok")


def migrations_check(*, sample: int | None = None) -> CheckResult:
    sample = MIGRATION_SAMPLE_SIZE if sample is None else sample
    schema_names = [settings.PUBLIC_SCHEMA_NAME, *programme_schema_names(sample=sample)]
    lagging = schemas_behind(schema_names)
    if lagging:
        detail = "; ".join(
            f"{name}: {'missing' if behind is None else ', '.join(behind)}"
            for name, behind in lagging.items()
        )
        return CheckResult("migrations", False, "behind", detail)
    return CheckResult("migrations", True, "ok")


def _run(check: Callable[[], CheckResult]) -> CheckResult:
    try:
        return check()
    except Exception as exc:
        name = check.__name__.removesuffix("_check")
        return CheckResult(name, False, "failed", f"{type(exc).__name__}: {exc}")


def readiness() -> list[CheckResult]:
    """Every check, each isolated so that one failing does not hide the others. Runs on the
    public schema and puts the connection back where it was (a programme's host)."""
    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        database = _run(database_check)
        results = [database, _run(cache_check), _run(broker_check)]
        if database.is_ok:
            results.append(_run(migrations_check))
        else:
            results.append(CheckResult("migrations", False, "failed", "no database"))
    return results


@public_view
@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, else 503. Served on every host, open programmes or not
    (tenants.middleware lets it through); the answer names the checks, never their errors,
    which go to the log."""
    started = time.perf_counter()
    results = readiness()
    is_ready = all(result.is_ok for result in results)
    for result in results:
        if not result.is_ok:
            logger.warning("readiness check %s %s: %s", result.name, result.status, result.detail)
    return JsonResponse(
        {
            "status": "ok" if is_ready else "unavailable",
            "checks": {result.name: result.status for result in results},
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
        status=200 if is_ready else 503,
    )
