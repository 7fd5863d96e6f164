"""Reminders 24 h and 1 h before a meeting, sent once each even when the job runs twice; the
beat job fans out one task per programme with a meeting due and costs one query when nothing
is due."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils.translation import gettext, override
from django_tenants.utils import tenant_context

from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.reminders import meetings_due_process
from tenant_apps.meetings.tasks import process_due_meetings_everywhere_task
from tenant_apps.meetings.tests.factories import confirmed
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import Participant


def reminder_subjects() -> list[tuple[str, str]]:
    """(to, subject) of the reminders in the outbox (the other emails are left out)."""
    names = {"to_mentee": "Hugo Bernard", "to_mentor": "Léa Martin"}
    reminders = set(expected("24h", **names) + expected("1h", **names))
    rows = Email.objects.filter(template="meeting").values_list("to", "subject")
    return sorted(row for row in rows if row in reminders)


def expected(kind: str, *, to_mentee: str, to_mentor: str) -> list[tuple[str, str]]:
    msgid = {
        "24h": "Reminder: meeting with %(name)s tomorrow",
        "1h": "Reminder: meeting with %(name)s in one hour",
    }[kind]
    with override("fr"):
        return sorted(
            [
                ("lea.martin@a.example", gettext(msgid) % {"name": to_mentee}),
                ("hugo.bernard@a.example", gettext(msgid) % {"name": to_mentor}),
            ]
        )


@pytest.mark.django_db
def test_each_reminder_is_sent_once_even_when_the_job_runs_twice(whereby_fake, pair):
    with tenant_context(pair.program):
        # given a meeting confirmed three days ahead
        meeting = confirmed(pair, starts_in=timedelta(days=3))
        assert reminder_subjects() == []

        # when the job runs twice 23 hours before
        with time_machine.travel(meeting.starts_at - timedelta(hours=23)):
            handled = [meetings_due_process(), meetings_due_process()]

        # then the 24 h reminder went to both, once
        day_before = expected("24h", to_mentee="Hugo Bernard", to_mentor="Léa Martin")
        assert reminder_subjects() == day_before
        assert handled == [1, 0]

        # when the job runs twice 50 minutes before, then 10 minutes before
        with time_machine.travel(meeting.starts_at - timedelta(minutes=50)):
            meetings_due_process()
            meetings_due_process()
        with time_machine.travel(meeting.starts_at - timedelta(minutes=10)):
            meetings_due_process()

        # then the 1 h reminder went to both, once
        hour_before = expected("1h", to_mentee="Hugo Bernard", to_mentor="Léa Martin")
        assert reminder_subjects() == sorted(day_before + hour_before)
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_meeting_confirmed_at_short_notice_gets_only_the_reminders_still_useful(
    whereby_fake, pair
):
    with tenant_context(pair.program):
        # given a meeting confirmed 3 hours ahead (the confirmation email is the "tomorrow")
        meeting = confirmed(pair, starts_in=timedelta(hours=3))

        # when the job runs 2 hours, then 30 minutes before
        with time_machine.travel(meeting.starts_at - timedelta(hours=2)):
            meetings_due_process()
        assert reminder_subjects() == []
        with time_machine.travel(meeting.starts_at - timedelta(minutes=30)):
            meetings_due_process()

        # then only the 1 h reminder was sent
        assert reminder_subjects() == expected(
            "1h", to_mentee="Hugo Bernard", to_mentor="Léa Martin"
        )
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_a_cancelled_meeting_gets_no_reminder(whereby_fake, pair):
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=timedelta(days=3))
        meeting_cancel(meeting=meeting, by=pair.mentee, reason="Mutation")
        with time_machine.travel(meeting.starts_at - timedelta(minutes=30)):
            assert meetings_due_process() == 0
        assert reminder_subjects() == []
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_job_costs_one_query_when_nothing_is_due(pair, django_assert_max_num_queries):
    with tenant_context(pair.program):
        # given meetings far ahead only
        confirmed(pair, starts_in=timedelta(days=10))

        # when the job runs
        with django_assert_max_num_queries(1):
            handled = meetings_due_process()

        # then nothing was handled
        assert handled == 0
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_the_beat_job_fans_out_one_task_per_programme_with_a_meeting_due(whereby_fake, pair, world):
    # given a meeting in programme A due for its 24 h reminder, and a meeting-less programme B
    with tenant_context(world.program_a):
        meeting = confirmed(pair, starts_in=timedelta(days=2))
    connection.set_schema_to_public()

    # when beat's task runs (from the public schema), tasks running eagerly
    with time_machine.travel(meeting.starts_at - timedelta(hours=20)):
        sent = process_due_meetings_everywhere_task.apply().get()

    # then one task ran, in A: B has nothing due (tenant_apps.meetings.tasks, issue 17)
    assert sent == 1
    assert connection.schema_name == "public"
    with tenant_context(world.program_a):
        assert len(reminder_subjects()) == 2
    with tenant_context(world.program_b):
        assert Participant.objects.filter(user__email="lea.martin@a.example").count() == 0
        assert reminder_subjects() == []
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_reminders_go_out_while_whereby_is_down(pair, settings):
    # given Whereby cannot be reached (nothing listens where the settings point)
    settings.WHEREBY_BASE_URL = "http://127.0.0.1:9/v1"
    settings.WHEREBY_RETRY_BACKOFF_SECONDS = 0.001
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=timedelta(days=3))

        # when the job runs 23 hours before
        with time_machine.travel(meeting.starts_at - timedelta(hours=23)):
            meetings_due_process()

        # then the reminders went out all the same, and the room is still to be made
        assert len(reminder_subjects()) == 2
        assert meeting.__class__.objects.get(pk=meeting.pk).video_meeting_id == ""
    connection.set_schema_to_public()
