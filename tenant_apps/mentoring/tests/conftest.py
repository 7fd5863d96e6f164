import pytest
from django_tenants.utils import tenant_context

from conftest import host_client, http_login, logged_in
from saas.core.tenancy import connection
from tenant_apps.meetings.tests.factories import pair

__all__ = ["logged_in", "pair"]


def in_programme(program, work):
    """Run `work()` in `program`'s schema and come back to public."""
    with tenant_context(program):
        result = work()
    connection.set_schema_to_public()
    return result


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary folder."""
    from django.core.files.storage import storages

    settings.MEDIA_ROOT = str(tmp_path)
    storages["default"].__dict__.pop("relative_media_root", None)
    yield tmp_path
    storages["default"].__dict__.pop("relative_media_root", None)


@pytest.fixture
def manager_client(world):
    client = host_client(world.program_a)
    http_login(client, world.manager_a.email, second_factor=True)
    return client
