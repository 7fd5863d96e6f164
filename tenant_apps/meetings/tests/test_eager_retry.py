"""`dev.py run` runs Celery tasks eagerly, inside the web request that queued them. A task that
asks to be retried later (Whereby unreachable) must not turn that request into an error page:
the request's work is committed, and with a worker the retry would happen long after the answer.
Found by the browser walkthrough (tests/e2e/test_walkthrough.py) without the Whereby fake."""

import logging
import socket
from datetime import timedelta

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.tests.factories import proposed


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free again once closed: nothing listens there


@pytest.mark.django_db
def test_accepting_a_meeting_while_whereby_is_unreachable_answers_normally(
    pair, settings, caplog, django_capture_on_commit_callbacks
):
    # given eager tasks (as in dev.py run), no Whereby listening, and a time inside the join
    # window (the room is asked for at once)
    assert settings.CELERY_TASK_ALWAYS_EAGER
    settings.WHEREBY_API_KEY = ""
    settings.WHEREBY_BASE_URL = f"http://127.0.0.1:{closed_port()}/v1"
    settings.WHEREBY_RETRY_BACKOFF_SECONDS = 0.01
    settings.WHEREBY_TIMEOUT_SECONDS = 1
    with tenant_context(pair.program):
        meeting = proposed(pair, slots=1, starts_in=timedelta(minutes=10))
        slot = meeting.slots.get()
    connection.set_schema_to_public()
    hugo = host_client(pair.program)
    http_login(hugo, "hugo.bernard@a.example", PASSWORD)

    # when the mentor accepts the time (the test's transaction never commits: the callbacks
    # queued "on commit" run as the request's commit would run them)
    with (
        caplog.at_level(logging.WARNING, logger="saas.core.tasks"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = hugo.post(f"/rendez-vous/{meeting.pk}/accepter/", {"slot": slot.pk})

    # then the meeting page follows, the meeting is confirmed, and the retry is in the logs
    assert callbacks  # the room's task was queued, and ran
    assert response.status_code == 302
    assert response["Location"] == f"/rendez-vous/{meeting.pk}/"
    with tenant_context(pair.program):
        meeting = Meeting.objects.get(pk=meeting.pk)
    connection.set_schema_to_public()
    assert meeting.status == Meeting.Status.CONFIRMED
    assert meeting.video_meeting_id == ""
    (record,) = [r for r in caplog.records if r.name == "saas.core.tasks"]
    assert "sync_meeting_room_task" in record.getMessage()
    assert "retry" in record.getMessage()
