import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from tenant_apps.meetings.tests.factories import Pair, pair_create


@pytest.fixture
def pair(world) -> Pair:
    """Léa Martin (mentee) and Hugo Bernard (mentor), paired in programme A."""
    return pair_create(
        world.program_a,
        mentee=("lea.martin@a.example", "Léa", "Martin"),
        mentor=("hugo.bernard@a.example", "Hugo", "Bernard"),
    )


def logged_in(program, email, **options):
    client = host_client(program)
    http_login(client, email, PASSWORD, **options)
    return client


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
