"""The database connection as django-tenants makes it, typed.

`django.db.connection` is typed by django-stubs as Django's `BaseDatabaseWrapper`; under
django-tenants it is the tenant-aware wrapper, with the schema it is set to, the tenant and
`set_schema_to_public()`. Import `connection` from here instead of `django.db`: it is the very
same object at run time (a `cast`), and mypy knows what django-tenants adds.
"""

from typing import TYPE_CHECKING, Any, cast

from django.db import connection as _connection
from django.db import connections

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    class TenantDatabaseWrapper(BaseDatabaseWrapper):
        """What `django_tenants.postgresql_backend.base.DatabaseWrapper` adds (untyped there)."""

        schema_name: str
        pg_version: int  # from Django's PostgreSQL backend, which django-tenants extends
        # The programme (tenants.models.Program) or a FakeTenant; the kernel imports nothing of
        # ours, so it stays Any here.
        tenant: Any

        def set_tenant(self, tenant: Any, include_public: bool = True) -> None: ...
        def set_schema(
            self, schema_name: str, include_public: bool = True, tenant_type: str | None = None
        ) -> None: ...
        def set_schema_to_public(self) -> None: ...


connection = cast("TenantDatabaseWrapper", _connection)


def connection_for(alias: str) -> "TenantDatabaseWrapper":
    """`django.db.connections[alias]`, typed as above."""
    return cast("TenantDatabaseWrapper", connections[alias])


def quoted_tables(**models: Any) -> dict[str, str]:
    """`{"name": '"table"'}` for each `name=Model`: the models' tables quoted and unqualified,
    for a raw SQL template (`sql.format(**quoted_tables(...))`) that runs in whichever schema
    the connection is set to."""
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}
