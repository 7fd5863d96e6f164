"""/healthz says the process answers; /readyz that it can serve: database, cache, broker, and
the migrations of public and of a sample of programme schemas. Both answer on every host,
paused programmes included, and /readyz never tells an anonymous caller why it failed."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from django_tenants.utils import schema_context

from conftest import host_client
from saas.celery import app
from saas.project import health

READY = {"database": "ok", "cache": "ok", "broker": "eager", "migrations": "ok"}


def unapply_last_migration(schema_name: str, app_label: str = "participants") -> str:
    """Make `schema_name` lag by one migration, as an interrupted roll-out would (the test's
    transaction puts it back)."""
    (leaf,) = MigrationLoader(None).graph.leaf_nodes(app_label)
    with schema_context(schema_name):
        MigrationRecorder(connection).record_unapplied(*leaf)
    return f"{leaf[0]}.{leaf[1]}"


@pytest.fixture
def broker_on() -> Iterator[None]:
    """Tasks go to the test broker (RabbitMQ in CI) instead of running in-process."""
    broker_url = app.conf.broker_url
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_url = broker_url


@pytest.mark.django_db
def test_readyz_is_ready_and_names_its_checks(world, django_assert_max_num_queries):
    # when the public site is asked
    # then at most 4 queries per schema checked (public and a sample), whatever the number of
    # programmes, and a few for the request
    with django_assert_max_num_queries(4 * (1 + health.MIGRATION_SAMPLE_SIZE) + 4):
        response = host_client(None).get("/readyz")
    # then every check passed (no broker in the tests: tasks run in-process)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == READY
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_health_endpoints_answer_on_every_host_even_a_paused_programme(world):
    # given programme B paused: its pages answer 503
    from tenants.services import program_set_status

    program_set_status(program=world.program_b, action="pause")
    assert host_client(world.program_b).get("/").status_code == 503
    # then the probes still answer on B, on A and on the public site
    for program in (world.program_b, world.program_a, None):
        client = host_client(program)
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
        assert response.status_code == 200, (program, response.content)
        assert response.json()["checks"] == READY


@pytest.mark.django_db
def test_readyz_refuses_writes(world):
    response = host_client(world.program_a).post("/readyz")
    assert response.status_code in (403, 405)  # CSRF first, or method not allowed


@pytest.mark.django_db
def test_readyz_fails_when_a_programme_schema_lags(world, monkeypatch):
    # given programme B one migration behind, and every schema in the sample
    unapply_last_migration(world.program_b.schema_name)
    monkeypatch.setattr(health, "MIGRATION_SAMPLE_SIZE", 10_000)
    # when the readiness is asked on A
    response = host_client(world.program_a).get("/readyz")
    # then it is not ready because of migrations, and does not say which schema
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == READY | {"migrations": "behind"}
    assert world.program_b.schema_name not in response.content.decode()


@pytest.mark.django_db
def test_readyz_fails_when_the_public_schema_lags(world):
    unapply_last_migration("public", app_label="accounts")
    response = host_client(None).get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "behind"


@pytest.mark.broker
@pytest.mark.django_db
def test_readyz_connects_to_the_broker_when_there_is_one(world, broker_on):
    # given tasks sent to the test broker (RabbitMQ in CI)
    # when readiness is asked
    response = host_client(None).get("/readyz")
    # then the broker was reached
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_readyz_fails_without_saying_why_when_the_broker_is_down(world, broker_on):
    # given a broker address where nothing listens
    app.conf.broker_url = "amqp://guest:guest@127.0.0.1:9//"
    # when readiness is asked
    response = host_client(None).get("/readyz")
    # then it is a 503 that names the failed check, not the error
    assert response.status_code == 503
    assert response.json()["checks"] == READY | {"broker": "failed"}
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_readiness_reports_a_cache_that_cannot_be_reached(world):
    # given a global cache on a Redis address where nothing listens
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
    }
    with override_settings(CACHES={"default": unreachable, "global": unreachable}):
        # when the checks run
        results = {result.name: result for result in health.readiness()}
    # then the cache check failed, with the reason kept for the log, and the others ran
    assert results["cache"].status == "failed"
    assert "Error" in results["cache"].detail
    assert results["database"].is_ok and results["migrations"].is_ok


@pytest.mark.django_db
def test_liveness_keeps_the_security_headers_and_the_session_of_its_caller(
    world, password, django_assert_num_queries
):
    # given a participant signed in on programme A
    from conftest import http_login

    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    # when the probe's address is called with that session (a browser, or a curious person)
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    # then it answers without I/O, with the headers that matter on any answer
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["Cache-Control"].startswith("max-age=0")
    assert "camera=()" in response["Permissions-Policy"]
    assert len(response["X-Request-ID"]) == 32
    # and the session is still there (it used to be dropped: no session in the public schema)
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == session
    assert client.get("/espace/").status_code == 200
