"""The manager's page: keys created in a session with the second factor, shown once, revoked;
webhook endpoints registered (public HTTPS only) and tested."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from conftest import host_client, http_login
from tenant_apps.api.models import ApiKey, WebhookEndpoint
from tenant_apps.api.tests.helpers import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(world, password):
    client = host_client(world.program_a)
    http_login(client, world.manager_a.email, password, second_factor=True)
    return client


def _keys(program):
    with tenant_context(program):
        keys = list(ApiKey.objects.values("prefix", "secret_hash", "scope", "revoked_at", "pk"))
    connection.set_schema_to_public()
    return keys


def test_a_manager_creates_a_key_that_is_shown_once_and_works(world, manager):
    # when the manager creates a write key
    response = manager.post(
        "/gestion/api/", {"form": "key", "key-name": "SIRH", "key-scope": "write"}
    )
    # then the page shows it once
    assert response.status_code == 200
    raw = response.context["new_key"]
    assert raw.startswith("bnm_") and raw in response.content.decode()
    [key] = _keys(world.program_a)
    assert raw.split("_", 2)[2] not in str(key) and key["scope"] == "write"
    # and never again
    assert raw not in manager.get("/gestion/api/").content.decode()
    assert api_client(world.program_a, raw).get("/api/v1/statistics/").status_code == 200
    # once revoked, it stops working
    revoked = manager.post(f"/gestion/api/cles/{key['pk']}/revoquer/")
    assert revoked.status_code == 302
    assert api_client(world.program_a, raw).get("/api/v1/statistics/").status_code == 401
    with tenant_context(world.program_a):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"api.key_created", "api.key_revoked"} <= actions


def test_without_the_second_factor_nothing_is_created(world, password):
    # given a manager whose session has no second factor (none set up: the middleware sends
    # them to set it up, the page itself refuses too)
    client = host_client(world.program_a)
    http_login(client, world.manager_a.email, password)
    response = client.post("/gestion/api/", {"form": "key", "key-name": "X", "key-scope": "read"})
    assert response.status_code in (302, 403)
    assert _keys(world.program_a) == []


def test_participants_cannot_reach_the_page(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    assert client.get("/gestion/api/").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",  # not HTTPS
        "https://10.0.0.5/x",  # private
        "https://192.168.1.1/x",
        "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
        "https://[::1]/x",  # loopback over HTTPS is refused too outside the test receiver
        "https://localhost/x",
        "https://nope.invalid/x",
    ],
)
def test_a_webhook_must_go_to_a_public_https_host(world, manager, url, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_FOR_TESTS = False
    response = manager.post(
        "/gestion/api/", {"form": "hook", "hook-url": url, "hook-events": ["pair.created"]}
    )
    assert response.status_code == 200
    assert response.context["hook_form"].errors
    with tenant_context(world.program_a):
        assert not WebhookEndpoint.objects.exists()
