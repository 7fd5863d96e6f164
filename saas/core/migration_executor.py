"""Which django-tenants executor `migrate_schemas` uses, chosen by configuration.

django-tenants 4.0.1 knows three executors: `standard` (one schema after the other, in this
process), `multiprocessing` (a pool of TENANT_MULTIPROCESSING_MAX_PROCESSES forked workers) and
`subprocess`; there is no `parallel`. Settings name the executor of a deploy
(TENANT_MIGRATION_EXECUTOR, derived from TENANT_MIGRATION_PROCESSES) and django-tenants calls
`get_executor` through its GET_EXECUTOR_FUNCTION setting, so every deploy runs the plain
`manage.py migrate_schemas`. An explicit `--executor=NAME` still wins.

A run over one programme schema (a new programme's `create_schema`, `--schema NAME`) stays in
the calling process with the standard executor: forking a pool from a web request or a Celery
task to migrate a single schema would only add risk.
"""

from collections.abc import Iterable

from django.conf import settings
from django_tenants.migration_executors import MigrationExecutor
from django_tenants.migration_executors import get_executor as tenants_get_executor


class ConfiguredExecutor(MigrationExecutor):  # type: ignore[misc]  # django-tenants: untyped
    codename = "configured"

    def _delegate(self, programme_schemas: int) -> MigrationExecutor:
        codename = settings.TENANT_MIGRATION_EXECUTOR if programme_schemas > 1 else "standard"
        return tenants_get_executor(codename)(self.args, self.options)

    def run_migrations(self, tenants: Iterable[str] | None = None) -> None:
        tenants = list(tenants or [])
        programme_schemas = len([name for name in tenants if name != self.PUBLIC_SCHEMA_NAME])
        self._delegate(programme_schemas).run_migrations(tenants=tenants)

    def run_multi_type_migrations(self, tenants: Iterable[tuple[str, str]]) -> None:
        tenants = list(tenants or [])
        self._delegate(len(tenants)).run_multi_type_migrations(tenants=tenants)


def get_executor(codename: str | None = None) -> type[MigrationExecutor]:
    return tenants_get_executor(codename) if codename else ConfiguredExecutor
