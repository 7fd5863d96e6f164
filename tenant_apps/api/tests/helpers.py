from datetime import datetime

from django_tenants.utils import tenant_context

from conftest import host_client
from saas.core.tenancy import connection


def make_key(program, *, scope="write", expires_at: datetime | None = None, name="HR system"):
    """A key of `program`, made with the service a manager's page calls: (row, clear value)."""
    from tenant_apps.api.services import api_key_create

    with tenant_context(program):
        key, raw = api_key_create(name=name, scope=scope, expires_at=expires_at)
    connection.set_schema_to_public()
    return key, raw


def api_client(program, raw: str | None):
    client = host_client(program)
    if raw is not None:
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client
