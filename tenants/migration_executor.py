"""Which django-tenants executor `migrate_schemas` uses, chosen by configuration, and how a
roll-out over thousands of programme schemas stays a matter of seconds.

django-tenants 4.0.1 knows three executors: `standard` (one schema after the other, in this
process), `multiprocessing` (a pool of TENANT_MULTIPROCESSING_MAX_PROCESSES forked workers) and
`subprocess`; there is no `parallel`. Settings name the executor of a deploy
(TENANT_MIGRATION_EXECUTOR, derived from TENANT_MIGRATION_PROCESSES) and django-tenants calls
`get_executor` through its GET_EXECUTOR_FUNCTION setting, so every deploy runs the plain
`manage.py migrate_schemas`. An explicit `--executor=NAME` still wins.

A run over one programme schema (a new programme's `create_schema`, `--schema NAME`) stays in
the calling process with the standard executor: forking a pool from a web request or a Celery
task to migrate a single schema would only add risk.

Skipping the schemas already at the head (docs/operations.md § "Migrations at scale"):

- The code's *head fingerprint* is the md5 of the sorted `app.name` rows a fresh `migrate`
  records (every migration on disk, and what each squashed migration replaces).
- A schema's *fingerprint* is the same md5 over the rows of its own `django_migrations` that
  the code knows, read for 100 schemas per query (`UNION ALL`): about 10 queries for 1,000
  programmes instead of one `migrate` each (224 ms a schema, measured). The real rows are read
  on every run, so a migration applied or unapplied by hand changes the fingerprint and the
  schema is migrated.
- A plain run (no app label, migration name, --fake, --plan, --check or --prune) migrates only
  the schemas whose fingerprint differs from the head, then records every fingerprint in
  `public` (tenants.SchemaMigrationState, a record for operators: the proof is
  `manage.py migrations_check`, which reads the real rows of every schema).
  TENANT_MIGRATION_SKIP_AT_HEAD = False turns skipping off.

The schemas that do migrate no longer scan the whole catalogue four times each: Django's
migration recorder checks that its table exists by listing every visible table
(`pg_table_is_visible` over all of `pg_class`: 125,000 rows at 1,000 programmes); during an
executor run it asks `to_regclass` for the one table instead.
"""

import hashlib
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_tenants.migration_executors import MigrationExecutor
from django_tenants.migration_executors import get_executor as tenants_get_executor
from django_tenants.utils import get_tenant_database_alias

from saas.core.tenancy import connection_for

# Schemas read per query. Each reads one table and its primary key index: 200 locks per
# statement, well within a stock server's lock table (max_locks_per_transaction = 64 ×
# max_connections = 100 → 6,400 slots), and one statement per transaction (autocommit).
FINGERPRINT_BATCH = 100
MIGRATIONS_TABLE = MigrationRecorder.Migration._meta.db_table

# One schema's fingerprint, computed by the server (the rows sorted bytewise, as Python does).
_FINGERPRINT_SQL = (
    "SELECT %s, md5(coalesce(string_agg(DISTINCT m.app || '.' || m.name COLLATE \"C\", "
    "E'\\n' ORDER BY m.app || '.' || m.name COLLATE \"C\"), '')) "
    "FROM {table} m WHERE m.app || '.' || m.name IN (SELECT k FROM known)"
)

# Options under which `migrate` does something other than "bring every schema to the head".
_NO_SKIP_OPTIONS = ("app_label", "migration_name", "fake", "fake_initial", "plan", "prune")


# --- fingerprints -------------------------------------------------------------------------------


def expected_migrations() -> list[str]:
    """`app.name` of every row a fresh `migrate` records in a schema, sorted: every migration
    on disk (django-tenants records those of the other side's apps as no-ops too) and, for a
    squashed migration, the migrations it replaces (recorded one by one, then the squash)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    keys = set(loader.graph.nodes)
    for key in list(keys):
        keys.update(loader.disk_migrations[key].replaces or ())
    return sorted(f"{app}.{name}" for app, name in keys)


def unapplied(applied: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The migrations on disk that `applied` lacks, sorted; a squashed migration counts as
    applied when everything it replaces is (what `migrate` itself concludes)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    missing = []
    for key in loader.graph.nodes:
        replaces = set(loader.disk_migrations[key].replaces or ())
        if key not in applied and not (replaces and replaces <= applied):
            missing.append(key)
    return sorted(missing)


def fingerprint(rows: Iterable[str]) -> str:
    return hashlib.md5("\n".join(sorted(set(rows))).encode(), usedforsecurity=False).hexdigest()


def head_fingerprint() -> str:
    return fingerprint(expected_migrations())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _batches(names: list[str], size: int) -> Iterator[list[str]]:
    for first in range(0, len(names), size):
        yield names[first : first + size]


def schemas_with_migrations_table(schema_names: Iterable[str], *, using: str) -> set[str]:
    """Which of the schemas exist and have their own migrations table (one indexed lookup)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = %s AND c.relkind IN ('r', 'p') AND n.nspname = ANY(%s)",
            [MIGRATIONS_TABLE, list(schema_names)],
        )
        return {row[0] for row in cursor.fetchall()}


def schema_fingerprints(
    schema_names: Iterable[str], *, using: str | None = None, batch: int = FINGERPRINT_BATCH
) -> dict[str, str | None]:
    """The real fingerprint of each schema, from its own `django_migrations` (None: no schema
    or no migrations table yet). Rows the code does not know (a deleted migration) are left
    out, as `migrate` ignores them."""
    using = using or get_tenant_database_alias()
    names = list(dict.fromkeys(schema_names))
    found: dict[str, str | None] = dict.fromkeys(names)
    present = sorted(schemas_with_migrations_table(names, using=using))
    known = expected_migrations()
    for chunk in _batches(present, batch):
        parts = [
            _FINGERPRINT_SQL.format(table=f"{_quote(name)}.{MIGRATIONS_TABLE}") for name in chunk
        ]
        sql = "WITH known(k) AS (SELECT unnest(%s::text[])) " + " UNION ALL ".join(parts)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [known, *chunk])
            found.update(dict(cursor.fetchall()))
    return found


def applied_migrations(
    schema_names: Iterable[str], *, using: str | None = None, batch: int = FINGERPRINT_BATCH
) -> dict[str, set[tuple[str, str]] | None]:
    """The (app, name) rows of each schema's own `django_migrations`, 100 schemas per query
    (None: the schema is missing; an empty set: no migrations table yet)."""
    using = using or get_tenant_database_alias()
    names = list(dict.fromkeys(schema_names))
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = ANY(%s)", [names]
        )
        existing = {row[0] for row in cursor.fetchall()}
    applied: dict[str, set[tuple[str, str]] | None] = {
        name: (set() if name in existing else None) for name in names
    }
    present = sorted(schemas_with_migrations_table(existing, using=using))
    for chunk in _batches(present, batch):
        sql = " UNION ALL ".join(
            f"SELECT %s, app, name FROM {_quote(name)}.{MIGRATIONS_TABLE}"  # noqa: S608
            for name in chunk
        )
        with connections[using].cursor() as cursor:
            cursor.execute(sql, chunk)
            for schema_name, app, name in cursor.fetchall():
                applied[schema_name].add((app, name))  # type: ignore[union-attr]
    return applied


def _state_table_exists(using: str) -> bool:
    from tenants.models import SchemaMigrationState

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"public.{SchemaMigrationState._meta.db_table}"])
        return cursor.fetchone()[0] is not None


def record_fingerprints(fingerprints: dict[str, str | None], *, using: str) -> int:
    """Write the fingerprints that changed into `public`; returns how many rows were written."""
    from tenants.models import SchemaMigrationState

    connection_for(using).set_schema_to_public()
    if not _state_table_exists(using):  # public itself is not migrated that far (yet)
        return 0
    stored = dict(
        SchemaMigrationState.objects.using(using)
        .filter(schema_name__in=list(fingerprints))
        .values_list("schema_name", "fingerprint")
    )
    now = timezone.now()
    rows = [
        SchemaMigrationState(schema_name=name, fingerprint=value, migrated_at=now)
        for name, value in fingerprints.items()
        if value is not None and stored.get(name) != value
    ]
    SchemaMigrationState.objects.using(using).bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["schema_name"],
        update_fields=["fingerprint", "migrated_at"],
    )
    return len(rows)


# --- the recorder's table check -----------------------------------------------------------------


def _has_table_by_regclass(recorder: MigrationRecorder) -> bool:
    """MigrationRecorder.has_table, asking for the one table of the connection's schema instead
    of listing every table the search path can see (django-tenants' introspection sets the
    search path to the schema alone, so the answer is the same)."""
    if recorder._has_table:  # type: ignore[attr-defined]  # Django's private flag, not stubbed
        return True
    connection = recorder.connection
    schema_name = getattr(connection, "schema_name", None) or "public"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{_quote(schema_name)}.{MIGRATIONS_TABLE}"])
        row = cursor.fetchone()
        found = row is not None and row[0] is not None
    recorder._has_table = found  # type: ignore[attr-defined]  # Django's private flag (as above)
    return found


@contextmanager
def fast_recorder() -> Iterator[None]:
    """During an executor run (forked workers inherit it), the recorder's check by to_regclass."""
    original = MigrationRecorder.has_table
    MigrationRecorder.has_table = _has_table_by_regclass  # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        MigrationRecorder.has_table = original  # type: ignore[method-assign]


# --- the executor -------------------------------------------------------------------------------


class ConfiguredExecutor(MigrationExecutor):
    codename = "configured"
    skipped: list[str]

    def _delegate(self, programme_schemas: int) -> MigrationExecutor:
        codename = settings.TENANT_MIGRATION_EXECUTOR if programme_schemas > 1 else "standard"
        return tenants_get_executor(codename)(self.args, self.options)

    def _using(self) -> str:
        return self.options.get("database") or self.TENANT_DB_ALIAS

    def _skipping(self) -> bool:
        if not getattr(settings, "TENANT_MIGRATION_SKIP_AT_HEAD", True):
            return False
        if self.options.get("check_unapplied"):
            return False
        return not any(self.options.get(option) for option in _NO_SKIP_OPTIONS)

    def _say(self, message: str) -> None:
        if int(self.options.get("verbosity", 1)) >= 1:
            stream = self.options.get("stdout") or sys.stdout
            stream.write(message + "\n")
            stream.flush()

    def run_migrations(self, tenants: Iterable[str] | None = None) -> None:
        tenants = list(tenants or [])
        self.skipped = []
        skipping = self._skipping()
        using = self._using()
        head = head_fingerprint() if skipping else ""
        if skipping and tenants:
            before = schema_fingerprints(tenants, using=using)
            self.skipped = [name for name in tenants if before[name] == head]
            tenants = [name for name in tenants if before[name] != head]
            if self.skipped:
                self._say(
                    f"{len(self.skipped)} schema(s) already at the head "
                    f"(fingerprint {head[:12]}): skipped"
                )
        programme_schemas = len([name for name in tenants if name != self.PUBLIC_SCHEMA_NAME])
        if tenants:
            with fast_recorder():
                # a copy: the executors pop public from the list they are given
                self._delegate(programme_schemas).run_migrations(tenants=list(tenants))
        if skipping:
            after = schema_fingerprints(tenants, using=using) if tenants else {}
            record_fingerprints({**dict.fromkeys(self.skipped, head), **after}, using=using)

    def run_multi_type_migrations(self, tenants: Iterable[tuple[str, str]]) -> None:
        tenants = list(tenants or [])
        with fast_recorder():
            self._delegate(len(tenants)).run_multi_type_migrations(tenants=tenants)


def get_executor(codename: str | None = None) -> type[MigrationExecutor]:
    return tenants_get_executor(codename) if codename else ConfiguredExecutor
