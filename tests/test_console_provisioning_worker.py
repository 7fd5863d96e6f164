"""Creating a programme from the console with a real broker and worker (RabbitMQ from
TEST_BROKER_URL, as in CI; Kombu's in-memory transport otherwise): the provisioning task runs
in the worker's thread, outside any request. The worker is started for the module, before
any test transaction (Celery closes the connections it finds when a worker starts)."""

import pytest

from tests.test_console_provisioning import (  # noqa: F401 - fixtures
    _assert_ready_with_a_working_invitation,
    _create,
    _wait_until_settled,
    committed,
    console,
)


@pytest.mark.broker
@pytest.mark.django_db
def test_console_creates_a_programme_through_a_real_worker(live_worker, committed, console):  # noqa: F811
    # given a real broker and worker
    # when the super-admin creates a programme
    response = committed(_create, console, "committed-worker")
    assert response.status_code == 302
    # then the worker provisions it, with the same working invitation
    program = _wait_until_settled("committed-worker")
    _assert_ready_with_a_working_invitation(committed, console, program)
