"""The Whereby room of a meeting, against the fake: created *locked* when the join window opens
(not at confirmation), endDate = end + 15 min, normal mode, a prefix without personal data, the
host URL asked for; replaced when it moves, deleted when it is cancelled, marked held, and
after it; a task run twice, or retried after a lost answer, never makes two rooms; and no row
lock is held while Whereby answers."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, connections
from django_tenants.utils import tenant_context

from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services.answering import meeting_accept
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.moving import meeting_move_propose
from tenant_apps.meetings.services.outcome import meeting_outcome_set
from tenant_apps.meetings.services.reminders import meetings_due_process
from tenant_apps.meetings.services.room import meeting_room_sync
from tenant_apps.meetings.tasks import sync_meeting_room_task
from tenant_apps.meetings.tests.factories import confirmed, proposed, slot
from tenant_apps.video.services import WherebyUnavailable

SOON = timedelta(minutes=10)  # the join window (15 minutes before the start) is open


def posts(fake):
    return [r for r in fake.requests if r[0] == "POST"]


def run_task(program, meeting_id):
    """The task as a worker runs it: in the programme's schema (eager here)."""
    return sync_meeting_room_task.apply(
        kwargs={"meeting_id": meeting_id}, headers={"_schema_name": program.schema_name}
    )


@pytest.mark.django_db
def test_confirming_ahead_makes_no_room_until_the_join_window_opens(
    pair, whereby_fake, django_capture_on_commit_callbacks
):
    with tenant_context(pair.program):
        # given a meeting confirmed 26 hours ahead (the room task runs on commit)
        meeting = proposed(pair, starts_in=timedelta(hours=26))
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_accept(
                meeting=meeting, by=pair.mentor, slot_id=meeting.slots.get().pk
            )
        # then no room exists yet: there is no link to forward
        assert whereby_fake.live_meetings() == []
        assert Meeting.objects.get(pk=meeting.pk).video_room_url == ""

        # when the periodic job runs an hour before, then 20 minutes before the start
        with time_machine.travel(meeting.starts_at - timedelta(hours=1)):
            meetings_due_process()
        assert whereby_fake.live_meetings() == []
        with time_machine.travel(meeting.starts_at - timedelta(minutes=20)):
            meetings_due_process()

        # then one locked room, ending 15 minutes after the meeting, in normal mode
        (room,) = whereby_fake.live_meetings()
        meeting = Meeting.objects.get(pk=meeting.pk)
        assert room.is_locked
        assert room.end_date == meeting.ends_at + timedelta(minutes=15)
        assert room.room_mode == "normal"
        # named as Whereby does: our prefix (ending with its terminator) glued to the id, with
        # the programme's schema and the meeting's number, nothing personal
        schema = pair.program.schema_name.replace("_", "-")
        assert room.room_name.startswith(f"/binome--{schema}--m{meeting.pk}s0--")
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
def test_confirming_inside_the_join_window_makes_the_room_at_once(
    pair, whereby_fake, django_capture_on_commit_callbacks
):
    with tenant_context(pair.program):
        meeting = proposed(pair, starts_in=SOON)
        with django_capture_on_commit_callbacks(execute=True):
            meeting_accept(meeting=meeting, by=pair.mentor, slot_id=meeting.slots.get().pk)

        (room,) = whereby_fake.live_meetings()
        assert room.is_locked
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id == room.meeting_id
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_task_run_twice_creates_one_room(pair, whereby_fake):
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=SOON)
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
        meeting = confirmed(pair, starts_in=SOON)
        # given a first run whose answer is lost after Whereby made the room (the worker
        # never learns the room's id), and that gives up at once
        whereby_fake.drop_next()
        settings.WHEREBY_RETRY_ATTEMPTS = 1
        with pytest.raises(WherebyUnavailable):
            meeting_room_sync(meeting_id=meeting.pk)
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id == ""
        assert len(whereby_fake.live_meetings()) == 1

        # when the task is retried
        meeting_room_sync(meeting_id=meeting.pk)

        # then the room made by the first run is the meeting's room, and there is only one
        (room,) = whereby_fake.live_meetings()
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id == room.meeting_id
        assert len(posts(whereby_fake)) == 1
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_lost_answer_inside_the_client_retries_makes_one_room_the_stored_one(pair, whereby_fake):
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=SOON)
        # given Whereby makes the room but the answer to the first request is lost
        whereby_fake.drop_next()

        # when the room is synced (the client retries within the same run)
        meeting_room_sync(meeting_id=meeting.pk)

        # then exactly one room exists, and it is the one stored on the meeting
        (room,) = whereby_fake.live_meetings()
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id == room.meeting_id
        assert len(posts(whereby_fake)) == 1
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_429_with_retry_after_is_waited_for(pair, whereby_fake):
    # given Whereby rate-limits the first call for one second
    whereby_fake.rate_limit_next(retry_after=1)
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=SOON)
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
        meeting = confirmed(pair, starts_in=SOON)
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
        meeting = confirmed(pair, starts_in=SOON)
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
        meeting = confirmed(pair, starts_in=timedelta(minutes=14))
        meeting_room_sync(meeting_id=meeting.pk)
        (old,) = whereby_fake.live_meetings()

        # when the meeting moves a few minutes later (still inside the window)
        meeting = meeting_move_propose(
            meeting=meeting, by=pair.mentee, slots=[slot(timedelta(minutes=12), 90)]
        )
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_accept(
                meeting=meeting, by=pair.mentor, slot_id=meeting.slots.get(proposal_round=1).pk
            )

        # then a new room ends 15 minutes after the new end, and the old one is gone
        (new,) = whereby_fake.live_meetings()
        meeting = Meeting.objects.get(pk=meeting.pk)
        assert new.meeting_id != old.meeting_id and old.deleted
        assert new.end_date == meeting.ends_at + timedelta(minutes=15)
        assert meeting.video_meeting_id == new.meeting_id
        assert f"--m{meeting.pk}s1--" in new.room_name
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_moving_to_another_day_deletes_the_room_until_the_new_window(
    pair, whereby_fake, django_capture_on_commit_callbacks
):
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=SOON)
        meeting_room_sync(meeting_id=meeting.pk)
        (old,) = whereby_fake.live_meetings()

        meeting = meeting_move_propose(
            meeting=meeting, by=pair.mentee, slots=[slot(timedelta(days=6), 90)]
        )
        with django_capture_on_commit_callbacks(execute=True):
            meeting = meeting_accept(
                meeting=meeting, by=pair.mentor, slot_id=meeting.slots.get(proposal_round=1).pk
            )

        assert old.deleted and whereby_fake.live_meetings() == []
        assert Meeting.objects.get(pk=meeting.pk).video_room_url == ""
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_cancelling_deletes_the_room(pair, whereby_fake, django_capture_on_commit_callbacks):
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=SOON)
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
        meeting = confirmed(pair, starts_in=SOON)
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
        # given a meeting starting in 12 minutes whose room task gave up
        whereby_fake.fail_next(4, status=503, method="POST")
        meeting = confirmed(pair, starts_in=timedelta(minutes=12))
        with pytest.raises(WherebyUnavailable):
            meeting_room_sync(meeting_id=meeting.pk)
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id == ""

        # when the periodic job runs
        meetings_due_process()

        # then the room exists
        assert Meeting.objects.get(pk=meeting.pk).video_meeting_id
        assert len(whereby_fake.live_meetings()) == 1
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_marking_the_meeting_held_deletes_the_room(
    pair, whereby_fake, django_capture_on_commit_callbacks
):
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=SOON)
        meeting_room_sync(meeting_id=meeting.pk)
        (room,) = whereby_fake.live_meetings()

        # when, after the start, the mentee says the meeting took place
        with (
            django_capture_on_commit_callbacks(execute=True),
            time_machine.travel(meeting.starts_at + timedelta(minutes=50)),
        ):
            meeting_outcome_set(meeting=meeting, by=pair.mentee, is_held=True)
            # and the periodic job runs (it must not make a new room)
            meetings_due_process()

        # then the room is gone, and the meeting no longer holds its URLs
        assert room.deleted and whereby_fake.live_meetings() == []
        meeting = Meeting.objects.get(pk=meeting.pk)
        assert (meeting.video_meeting_id, meeting.video_room_url, meeting.video_host_room_url) == (
            "",
            "",
            "",
        )
    connection.set_schema_to_public()


def _in_thread(program, work, results, key):
    """Run `work` in its own thread and connection (real, committed transactions)."""

    def run():
        try:
            with tenant_context(program):
                results[key] = work()
        except Exception as exc:
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db
def test_cancelling_while_whereby_answers_slowly_does_not_wait_and_the_room_is_deleted(
    world, whereby_fake, settings
):
    """Two threads, two real transactions: no row lock is held while Whereby answers."""
    from tenant_apps.meetings.tests.factories import pair_create

    program, results = world.program_b, {}
    made = {}

    def setup():
        pair = pair_create(
            program,
            mentee=("slow.mentee@b.example", "Sam", "Lent"),
            mentor=("slow.mentor@b.example", "Rémi", "Tard"),
        )
        with tenant_context(program):
            made["pair"] = pair
            made["meeting"] = confirmed(pair, starts_in=SOON)
            # the room is not made yet (forget the one the confirmation's task made)
            Meeting.objects.filter(pk=made["meeting"].pk).update(
                video_meeting_id="", video_room_url="", video_host_room_url="", video_room_prefix=""
            )
        whereby_fake.reset()
        return made["meeting"].pk

    _in_thread(program, setup, results, "setup").join()
    assert isinstance(results["setup"], int), results["setup"]
    meeting_id = results["setup"]
    try:
        # given Whereby creates the room but takes 4 s to answer
        settings.WHEREBY_TIMEOUT_SECONDS = 10
        whereby_fake.slow_next(seconds=4)
        syncing = _in_thread(
            program, lambda: meeting_room_sync(meeting_id=meeting_id), results, "sync"
        )
        deadline = time.monotonic() + 5
        while not whereby_fake.meetings and time.monotonic() < deadline:
            time.sleep(0.02)
        assert whereby_fake.meetings, "Whereby was never asked"

        # when the mentor cancels the meeting meanwhile
        def cancel():
            started = time.monotonic()
            meeting = Meeting.objects.get(pk=meeting_id)
            meeting_cancel(meeting=meeting, by=made["pair"].mentor, reason="Empêchement")
            return time.monotonic() - started

        _in_thread(program, cancel, results, "cancel").join(timeout=10)
        syncing.join(timeout=15)

        # then the cancellation did not wait for Whereby, and the room it made is deleted
        assert isinstance(results["cancel"], float), results["cancel"]
        assert results["cancel"] < 2
        assert results["sync"] is None
        assert len(whereby_fake.meetings) == 1
        assert whereby_fake.live_meetings() == []

        def stored():
            meeting = Meeting.objects.get(pk=meeting_id)
            return meeting.status, meeting.video_meeting_id, meeting.video_room_url

        _in_thread(program, stored, results, "stored").join()
        assert results["stored"] == ("cancelled", "", "")
    finally:

        def cleanup():
            from shared_apps.accounts.models import ProgramMembership, User
            from tenant_apps.matching.models import Match
            from tenant_apps.notifications.models import Email
            from tenant_apps.participants.models import Participant

            pair = made.get("pair")
            if pair is None:
                return
            Meeting.objects.filter(match=pair.match).delete()
            Email.objects.filter(to__in=["slow.mentee@b.example", "slow.mentor@b.example"]).delete()
            Match.objects.filter(pk=pair.match.pk).delete()
            users = [pair.mentee.user_id, pair.mentor.user_id]
            Participant.objects.filter(user_id__in=users).delete()
            ProgramMembership.objects.filter(user_id__in=users).delete()
            User.objects.filter(pk__in=users).delete()

        _in_thread(program, cleanup, results, "cleanup").join()
