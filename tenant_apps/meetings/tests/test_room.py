"""The Whereby room of a meeting, against the fake: created when the meeting is confirmed
(endDate = end + 1 h, normal mode, a prefix without personal data, the host URL asked for),
replaced when it moves, deleted when it is cancelled and after it; a task run twice, or
retried after a crash, never makes two rooms."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django_tenants.utils import tenant_context

from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services import (
    meeting_accept,
    meeting_cancel,
    meeting_move_propose,
    meeting_room_sync,
    meetings_due_process,
)
from tenant_apps.meetings.tasks import sync_meeting_room_task
from tenant_apps.meetings.tests.factories import confirmed, proposed, slot
from tenant_apps.video.client import WherebyUnavailable


def posts(fake):
    return [r for r in fake.requests if r[0] == "POST"]


def run_task(program, meeting_id):
    """The task as a worker runs it: in the programme's schema (eager here)."""
    return sync_meeting_room_task.apply(
        kwargs={"meeting_id": meeting_id}, headers={"_schema_name": program.schema_name}
    )


@pytest.mark.django_db
def test_confirming_creates_the_room_as_the_contract_says(
    pair, whereby_fake, django_capture_on_commit_callbacks
):
    with tenant_context(pair.program):
        meeting = proposed(pair)
        assert whereby_fake.live_meetings() == []

        # when the mentor accepts (the task runs on commit)
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_accept(
                meeting=meeting, by=pair.mentor, slot_id=meeting.slots.get().pk
            )

        # then one room, ending an hour after the meeting, in normal mode
        (room,) = whereby_fake.live_meetings()
        meeting = Meeting.objects.get(pk=meeting.pk)
        assert room.end_date == meeting.ends_at + timedelta(hours=1)
        assert room.room_mode == "normal"
        # named after the programme's schema and the meeting's number, nothing personal
        schema = pair.program.schema_name.replace("_", "-")
        assert room.room_name.startswith(f"/binome--{schema}--m{meeting.pk}s0-")
        for personal in ("lea", "martin", "hugo", "bernard", "example"):
            assert personal not in room.room_name.lower()
        # and the meeting keeps its id and both URLs (the host one was asked for)
        assert meeting.video_meeting_id == room.meeting_id
        assert meeting.video_room_url == whereby_fake.room_url(room)
        assert (
            meeting.video_host_room_url == f"{whereby_fake.room_url(room)}?roomKey={room.room_key}"
        )
        assert meeting.video_room_end_at == room.end_date
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_task_run_twice_creates_one_room(pair, whereby_fake):
    with tenant_context(pair.program):
        meeting = confirmed(pair)
    connection.set_schema_to_public()

    # when the task runs twice (a redelivered message)
    run_task(pair.program, meeting.pk)
    run_task(pair.program, meeting.pk)

    # then Whereby was asked once
    assert len(posts(whereby_fake)) == 1
    assert len(whereby_fake.live_meetings()) == 1


@pytest.mark.django_db
def test_a_retry_after_a_lost_answer_adopts_the_room_instead_of_making_another(
    pair, whereby_fake, settings
):
    with tenant_context(pair.program):
        meeting = confirmed(pair)
        # given a first run whose call times out after Whereby made the room (the worker
        # never learns the room's id)
        whereby_fake.slow_next(seconds=1.0)
        settings.WHEREBY_TIMEOUT_SECONDS = 0.3
        settings.WHEREBY_RETRY_ATTEMPTS = 1
        with pytest.raises(WherebyUnavailable):
            meeting_room_sync(meeting_id=meeting.pk)
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id == ""
        assert len(whereby_fake.live_meetings()) == 1

        # when the task is retried
        settings.WHEREBY_TIMEOUT_SECONDS = 3
        meeting_room_sync(meeting_id=meeting.pk)

        # then the room made by the first run is the meeting's room, and there is only one
        (room,) = whereby_fake.live_meetings()
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id == room.meeting_id
        assert len(posts(whereby_fake)) == 1
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_429_with_retry_after_is_waited_for(pair, whereby_fake):
    # given Whereby rate-limits the first call for one second
    whereby_fake.rate_limit_next(retry_after=1)
    with tenant_context(pair.program):
        meeting = confirmed(pair)
    connection.set_schema_to_public()

    # when the task runs
    run_task(pair.program, meeting.pk)

    # then it waited and made the room
    assert [r[2] for r in posts(whereby_fake)] == [429, 201]
    assert len(whereby_fake.live_meetings()) == 1


@pytest.mark.django_db
def test_a_long_retry_after_makes_the_task_retry_later(pair, whereby_fake):
    from celery.exceptions import Retry

    # given Whereby asks to wait two minutes (more than a worker waits in place)
    whereby_fake.rate_limit_next(retry_after=120)
    with tenant_context(pair.program):
        meeting = confirmed(pair)
    connection.set_schema_to_public()

    # when the task runs
    with pytest.raises(Retry) as retry:
        run_task(pair.program, meeting.pk)

    # then it asks Celery to run it again in 120 s, without having waited or made a room
    assert retry.value.when == 120
    assert [r[2] for r in posts(whereby_fake)] == [429]
    assert whereby_fake.live_meetings() == []

    # and the retry makes the room
    run_task(pair.program, meeting.pk)
    assert len(whereby_fake.live_meetings()) == 1


@pytest.mark.django_db
def test_5xx_is_retried_by_the_client(pair, whereby_fake):
    whereby_fake.fail_next(2, status=503, method="POST")
    with tenant_context(pair.program):
        meeting = confirmed(pair)
        meeting_room_sync(meeting_id=meeting.pk)
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id
    connection.set_schema_to_public()
    assert [r[2] for r in posts(whereby_fake)] == [503, 503, 201]
    assert len(whereby_fake.live_meetings()) == 1


@pytest.mark.django_db
def test_moving_replaces_the_room_and_deletes_the_old_one(
    pair, whereby_fake, django_capture_on_commit_callbacks
):
    with tenant_context(pair.program):
        meeting = confirmed(pair)
        meeting_room_sync(meeting_id=meeting.pk)
        (old,) = whereby_fake.live_meetings()

        # when the meeting moves to another day
        meeting = meeting_move_propose(
            meeting=meeting, by=pair.mentee, slots=[slot(timedelta(days=6), 90)]
        )
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_accept(
                meeting=meeting, by=pair.mentor, slot_id=meeting.slots.get(proposal_round=1).pk
            )

        # then a new room ends an hour after the new end, and the old one is gone
        (new,) = whereby_fake.live_meetings()
        meeting = Meeting.objects.get(pk=meeting.pk)
        assert new.meeting_id != old.meeting_id and old.deleted
        assert new.end_date == meeting.ends_at + timedelta(hours=1)
        assert meeting.video_meeting_id == new.meeting_id
        assert f"--m{meeting.pk}s1-" in new.room_name
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_cancelling_deletes_the_room(pair, whereby_fake, django_capture_on_commit_callbacks):
    with tenant_context(pair.program):
        meeting = confirmed(pair)
        meeting_room_sync(meeting_id=meeting.pk)

        with django_capture_on_commit_callbacks(execute=True):
            meeting_cancel(meeting=meeting, by=pair.mentor, reason="Déplacement")

        meeting = Meeting.objects.get(pk=meeting.pk)
        assert whereby_fake.live_meetings() == []
        assert (meeting.video_meeting_id, meeting.video_room_url, meeting.video_host_room_url) == (
            "",
            "",
            "",
        )
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_room_is_deleted_after_the_meeting_and_kept_during_it(
    pair, whereby_fake, django_capture_on_commit_callbacks
):
    with tenant_context(pair.program):
        meeting = confirmed(pair)
        meeting_room_sync(meeting_id=meeting.pk)

        # when the periodic job runs during the meeting, then just after the join window
        with time_machine.travel(meeting.ends_at + timedelta(minutes=20)):
            meetings_due_process()
        kept = list(whereby_fake.live_meetings())
        with (
            django_capture_on_commit_callbacks(execute=True),
            time_machine.travel(meeting.ends_at + timedelta(minutes=31)),
        ):
            meetings_due_process()

        # then the room lived until then, and is gone now, with its URLs
        assert len(kept) == 1
        assert whereby_fake.live_meetings() == []
        assert Meeting.objects.get(pk=meeting.pk).video_room_url == ""
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_periodic_job_makes_a_room_that_the_task_never_made(pair, whereby_fake):
    with tenant_context(pair.program):
        # given a meeting confirmed for tomorrow whose room task gave up
        meeting = confirmed(pair, starts_in=timedelta(hours=20))
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id == ""

        # when the periodic job runs
        meetings_due_process()

        # then the room exists
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id
        assert len(whereby_fake.live_meetings()) == 1
    connection.set_schema_to_public()
