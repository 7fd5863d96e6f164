"""A task runs in the schema of the programme that sent it — through a real broker and a real
worker (RabbitMQ from TEST_BROKER_URL, as in CI; Kombu's in-memory transport otherwise, which
still goes through publishing, headers and consuming)."""

import time

import pytest
from django.core.cache import caches
from django_tenants.utils import schema_context, tenant_context

from saas.celery import app
from saas.core.tasks import enqueue_on_commit
from saas.core.tenancy import connection


@app.task(name="tests.report_schema")
def report_schema_task(*, token: str) -> None:
    """Reports where it ran through the process-wide cache (the worker is a thread here)."""
    from tenant_apps.programs.models import ProgramSettings

    ProgramSettings.objects.get()  # the table exists only in a programme schema
    caches["global"].set(f"report:{token}", (connection.schema_name, connection.tenant.name))


def wait_for_report(token: str, timeout: float = 30) -> tuple[str, str] | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (report := caches["global"].get(f"report:{token}")) is not None:
            return report
        time.sleep(0.05)
    return None


@pytest.mark.broker
@pytest.mark.django_db
def test_task_sent_from_a_runs_in_a_and_from_b_in_b(world, live_worker):
    # given tasks sent from inside programme A and programme B
    with tenant_context(world.program_a):
        report_schema_task.delay(token="a")
    with tenant_context(world.program_b):
        report_schema_task.delay(token="b")
    # when the worker runs them (the sender is back on the public schema meanwhile)
    connection.set_schema_to_public()
    # then each ran in the schema it was sent from
    assert wait_for_report("a") == (world.program_a.schema_name, "Programme A")
    assert wait_for_report("b") == (world.program_b.schema_name, "Programme B")


@pytest.mark.broker
@pytest.mark.django_db
def test_task_queued_on_commit_keeps_its_programme(
    world, live_worker, django_capture_on_commit_callbacks
):
    # given a task queued on commit from A, whose callback fires after leaving A's context
    with django_capture_on_commit_callbacks() as callbacks, tenant_context(world.program_a):
        enqueue_on_commit(report_schema_task, token="on-commit")
    # when the transaction commits while the connection is on the public schema
    with schema_context("public"):
        for callback in callbacks:
            callback()
    # then the task still ran in A
    assert wait_for_report("on-commit") == (world.program_a.schema_name, "Programme A")
