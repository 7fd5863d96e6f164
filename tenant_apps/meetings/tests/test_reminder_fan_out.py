"""The beat job of meetings (every 5 minutes) sends a task only to the programmes with
something due — a reminder, a video room to create or to delete — found by one EXISTS per
programme schema, UNION ALL in batches, from the public schema."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.selectors import meetings_due
from tenant_apps.meetings.tasks import (
    process_due_meetings_everywhere_task,
    programmes_with_meetings_due,
)
from tenant_apps.meetings.tests.factories import confirmed

# The states a meeting goes through that matter to the job, as column values.
VARIANTS = {
    "confirmed, nothing sent": {},
    "24 h reminder sent": {"reminder_24h_sent_at": "now"},
    "both reminders sent": {"reminder_24h_sent_at": "now", "reminder_1h_sent_at": "now"},
    "with its room": {"video_meeting_id": "room-1"},
    "cancelled with its room": {"status": Meeting.Status.CANCELLED, "video_meeting_id": "r"},
    "cancelled": {"status": Meeting.Status.CANCELLED},
    "marked held with its room": {
        "status": Meeting.Status.HELD,
        "outcome_source": Meeting.Outcome.PARTICIPANT,
        "video_meeting_id": "room-1",
    },
    "move proposed": {"status": Meeting.Status.MOVE_PROPOSED},
}
# When the job runs, relative to the meeting's start (it lasts an hour).
OFFSETS = [
    timedelta(hours=-30),
    timedelta(hours=-23),
    timedelta(hours=-1, minutes=-5),
    timedelta(minutes=-50),
    timedelta(minutes=-20),
    timedelta(minutes=10),
    timedelta(minutes=80),
    timedelta(hours=3),
]


@pytest.mark.django_db
def test_fan_out_finds_exactly_the_programmes_with_something_due(whereby_fake, pair, world):
    # given one meeting in programme A, and a programme B without meetings
    a, b = world.program_a.schema_name, world.program_b.schema_name
    with tenant_context(world.program_a):
        meeting = confirmed(pair, starts_in=timedelta(days=2))
        original = {
            field: getattr(meeting, field)
            for field in ("status", "reminder_24h_sent_at", "reminder_1h_sent_at")
        }
    checked = 0
    for label, values in VARIANTS.items():
        for offset in OFFSETS:
            now = meeting.starts_at + offset
            with tenant_context(world.program_a):
                update = {**original, "video_meeting_id": "", "outcome_source": ""}
                update |= {k: (now if v == "now" else v) for k, v in values.items()}
                Meeting.objects.filter(pk=meeting.pk).update(**update)
                # what the programme's own task would find
                due_in_a = bool(meetings_due(now=now))
            connection.set_schema_to_public()
            # when the beat job looks for the programmes with something due
            found = programmes_with_meetings_due(now=now)
            # then A is listed exactly when its task would find something, B never
            assert (a in found) == due_in_a, (label, offset)
            assert b not in found
            checked += due_in_a
    assert checked >= 8  # the comparison covered both answers


@pytest.mark.django_db
def test_no_task_at_all_when_nothing_is_due(world, django_assert_max_num_queries):
    # given no programme has a meeting due (the world's programmes have none)
    # when beat's job runs: the search path, the programme list, one query per 50 programmes
    with django_assert_max_num_queries(3):
        sent = process_due_meetings_everywhere_task.apply().get()
    # then no task was sent
    assert sent == 0
    assert connection.schema_name == "public"


@pytest.mark.django_db
def test_batches_cover_every_programme(whereby_fake, pair, world, monkeypatch):
    # given A has a reminder due and the job reads one programme per query
    monkeypatch.setattr("tenant_apps.meetings.tasks.DUE_BATCH", 1)
    with tenant_context(world.program_a):
        meeting = confirmed(pair, starts_in=timedelta(days=2))
    connection.set_schema_to_public()
    # when the job looks, 20 hours before the meeting
    with time_machine.travel(meeting.starts_at - timedelta(hours=20)):
        found = programmes_with_meetings_due(now=timezone.now())
    # then A alone is found
    assert found == [world.program_a.schema_name]
