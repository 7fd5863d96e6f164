"""The beat jobs of mentoring (message emails, every 5 minutes) and surveys (every 15 minutes)
send a task only to the programmes with something due, found by one EXISTS per programme
schema (tenants.fanout.programmes_where). For every state that matters, the probe lists a
programme exactly when that programme's own task would do something."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.matching.models import Match, MatchRequest
from tenant_apps.matching.tasks import expire_requests_task
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.tests.factories import pair_create
from tenant_apps.mentoring.models import Message, Profile, ThreadState
from tenant_apps.mentoring.selectors import message_emails_due
from tenant_apps.mentoring.services import MESSAGE_EMAIL_EVERY, message_send
from tenant_apps.mentoring.tasks import message_emails_due_probe, send_message_emails_task
from tenant_apps.participants.models import Participant
from tenant_apps.surveys.models import Survey, SurveyInvitation
from tenant_apps.surveys.services import surveys_due_process
from tenant_apps.surveys.tasks import process_surveys_task, surveys_due_probe
from tenants import fanout
from tenants.tasks import (
    expire_requests_everywhere_task,
    process_surveys_everywhere_task,
    send_message_emails_everywhere_task,
)


@pytest.fixture
def pair(world):
    return pair_create(
        world.program_a,
        mentee=("lea.martin@a.example", "Léa", "Martin"),
        mentor=("hugo.bernard@a.example", "Hugo", "Bernard"),
    )


def found(probe, now):
    connection.set_schema_to_public()
    sql, params = probe(now=now)
    return fanout.programmes_where(sql, params)


class _Rollback(Exception):
    pass


def surveys_would_act(now) -> bool:
    """What the programme's own task would do at `now` (its writes rolled back)."""
    try:
        with transaction.atomic():
            raise _Rollback(surveys_due_process(now=now))
    except _Rollback as done:
        return sum(done.args[0].values()) > 0


@pytest.fixture
def sent(monkeypatch):
    """The schemas each task was sent to by the beat jobs."""
    calls: dict[str, list[str]] = {}
    for task in (send_message_emails_task, process_surveys_task, expire_requests_task):

        def record(*args, _name=task.name, headers=None, **kwargs):
            calls.setdefault(_name, []).append(headers["_schema_name"])

        monkeypatch.setattr(task, "apply_async", record)
    return calls


# --- messages ------------------------------------------------------------------------------------


def _thread_state(pair, person, **values):
    ThreadState.objects.update_or_create(match=pair.match, participant=person, defaults=values)


MESSAGE_STATES = {
    "no message": lambda pair, now: None,
    "a message from the mentee, unread": lambda pair, now: Message.objects.create(
        match=pair.match, author=pair.mentee, body="Bonjour"
    ),
    "read since": lambda pair, now: _thread_state(pair, pair.mentor, read_at=now),
    "emailed since": lambda pair, now: _thread_state(
        pair, pair.mentor, read_at=None, emailed_at=now - timedelta(minutes=1)
    ),
    "a new one, emailed recently": lambda pair, now: Message.objects.create(
        match=pair.match, author=pair.mentee, body="Encore"
    ),
    "emailed long ago": lambda pair, now: _thread_state(
        pair, pair.mentor, emailed_at=now - MESSAGE_EMAIL_EVERY - timedelta(minutes=1)
    ),
    "the mentor switched emails off": lambda pair, now: Profile.objects.update_or_create(
        participant=pair.mentor, defaults={"notify_messages": False}
    ),
    "the mentor answers": lambda pair, now: Message.objects.create(
        match=pair.match, author=pair.mentor, body="Réponse"
    ),
    "the pair ended": lambda pair, now: Match.objects.filter(pk=pair.match.pk).update(
        status=Match.Status.ENDED, ended_at=now
    ),
}


@pytest.mark.django_db
def test_message_emails_probe_finds_exactly_the_programmes_with_an_email_due(pair, world):
    # given programme A goes through the states of a thread, B has no pair at all
    a, b = world.program_a.schema_name, world.program_b.schema_name
    answers = []
    for label, change in MESSAGE_STATES.items():
        now = timezone.now() + timedelta(minutes=1)
        with tenant_context(world.program_a):
            change(pair, timezone.now())
            # what the programme's own task would find
            due_in_a = bool(message_emails_due(now=now, every=MESSAGE_EMAIL_EVERY))
        # then the beat job's probe lists A exactly then, B never
        listed = found(message_emails_due_probe, now)
        assert (a in listed) == due_in_a, label
        assert b not in listed, label
        answers.append(due_in_a)
    assert True in answers and False in answers  # the comparison covered both answers


@pytest.mark.django_db
def test_the_message_beat_sends_a_task_only_where_an_email_is_due(pair, world, sent):
    # given nothing is due anywhere
    connection.set_schema_to_public()
    # when beat's job runs: no task at all
    assert send_message_emails_everywhere_task.apply().get() == 0
    assert sent == {}
    # given Léa wrote to Hugo in A
    with tenant_context(world.program_a):
        message_send(match=pair.match, by=pair.mentee, body="Bonjour Hugo")
    connection.set_schema_to_public()
    # when the job runs: one task, to A only
    assert send_message_emails_everywhere_task.apply().get() == 1
    assert sent == {send_message_emails_task.name: [world.program_a.schema_name]}


# --- surveys -------------------------------------------------------------------------------------


def _held(pair, now, *, hours_ago):
    start = now - timedelta(hours=hours_ago + 1)
    return Meeting.objects.create(
        match=pair.match, proposed_by=pair.mentee, status=Meeting.Status.HELD,
        starts_at=start, ends_at=start + timedelta(hours=1), confirmed_at=start,
        outcome_source=Meeting.Outcome.PARTICIPANT, outcome_at=start + timedelta(hours=1),
    )  # fmt: skip


def _process(pair, now):
    surveys_due_process(now=now)


def _activated(days):
    def change(pair, now):
        Match.objects.filter(pk=pair.match.pk).update(activated_at=now - timedelta(days=days))

    return change


def _surveys(**values):
    def change(pair, now):
        Survey.objects.update(**values)

    return change


SURVEY_STATES = {
    "a new pair": lambda pair, now: None,
    "a meeting held an hour ago": lambda pair, now: _held(pair, now, hours_ago=1),
    "the meeting's feedback asked": _process,
    "a meeting held three weeks ago": lambda pair, now: _held(pair, now, hours_ago=21 * 24),
    "the meeting survey switched off": _surveys(is_active=False),
    "surveys back on, everything asked": lambda pair, now: (
        _surveys(is_active=True)(pair, now),
        SurveyInvitation.objects.update(answered_at=now),
    ),
    "the pair started 29 days ago": _activated(29),
    "31 days ago: first check-in due": _activated(31),
    "first check-in sent": _process,
    "89 days ago": _activated(89),
    "91 days ago: second check-in due": _activated(91),
    "check-ins for mentors only, the mentor asked": lambda pair, now: (
        Survey.objects.filter(kind=Survey.Kind.CHECKIN).update(audience="mentor"),
        SurveyInvitation.objects.create(
            survey=Survey.objects.get(kind=Survey.Kind.CHECKIN),
            participant=pair.mentor,
            occasion=f"checkin:{pair.match.pk}:2",
            last_sent_at=now,
            answered_at=now,
        ),
    ),
    "check-ins for everyone again": lambda pair, now: Survey.objects.filter(
        kind=Survey.Kind.CHECKIN
    ).update(audience="both"),
    "the mentee deactivated": lambda pair, now: Participant.objects.filter(
        pk=pair.mentee.pk
    ).update(status=Participant.Status.DEACTIVATED),
    "the mentee back, all answered": lambda pair, now: (
        Participant.objects.filter(pk=pair.mentee.pk).update(status=Participant.Status.ACTIVE),
        surveys_due_process(now=now),
        SurveyInvitation.objects.update(answered_at=now),
    ),
    "an unanswered invitation of 3 days": lambda pair, now: SurveyInvitation.objects.filter(
        participant=pair.mentee
    ).update(answered_at=None, last_sent_at=now - timedelta(days=3)),
    "of 5 days: a reminder due": lambda pair, now: SurveyInvitation.objects.filter(
        participant=pair.mentee
    ).update(last_sent_at=now - timedelta(days=5)),
    "two reminders sent already": lambda pair, now: SurveyInvitation.objects.update(
        reminders_sent=2
    ),
    "end-of-programme survey scheduled tomorrow": lambda pair, now: Survey.objects.filter(
        kind=Survey.Kind.PROGRAMME_END
    ).update(scheduled_for=now + timedelta(days=1)),
    "scheduled an hour ago": lambda pair, now: Survey.objects.filter(
        kind=Survey.Kind.PROGRAMME_END
    ).update(scheduled_for=now - timedelta(hours=1)),
    "sent": lambda pair, now: Survey.objects.filter(kind=Survey.Kind.PROGRAMME_END).update(
        sent_at=now
    ),
}


@pytest.mark.django_db
def test_surveys_probe_finds_exactly_the_programmes_with_something_due(pair, world):
    # given programme A goes through the states that matter to the surveys' job, B is quiet
    a, b = world.program_a.schema_name, world.program_b.schema_name
    now = timezone.now()
    answers = []
    for label, change in SURVEY_STATES.items():
        with tenant_context(world.program_a):
            change(pair, now)
            due_in_a = surveys_would_act(now)
        with tenant_context(world.program_b):
            assert not surveys_would_act(now), label
        # then the beat job's probe lists A exactly when A's own task would act, B never
        listed = found(surveys_due_probe, now)
        assert (a in listed) == due_in_a, label
        assert b not in listed, label
        answers.append(due_in_a)
    assert answers.count(True) >= 5 and answers.count(False) >= 5, answers


@pytest.mark.django_db
def test_the_surveys_beat_sends_a_task_only_where_something_is_due(pair, world, sent):
    # given nothing is due anywhere (a new pair, no meeting)
    connection.set_schema_to_public()
    assert process_surveys_everywhere_task.apply().get() == 0
    assert sent == {}
    # given a meeting was held an hour ago in A
    with tenant_context(world.program_a):
        _held(pair, timezone.now(), hours_ago=1)
    connection.set_schema_to_public()
    # when beat's job runs: one task, to A only
    assert process_surveys_everywhere_task.apply().get() == 1
    assert sent == {process_surveys_task.name: [world.program_a.schema_name]}


@pytest.mark.django_db
def test_probes_read_every_programme_in_batches(
    pair, world, monkeypatch, django_assert_num_queries
):
    # given a meeting held in A and one programme per query
    with tenant_context(world.program_a):
        _held(pair, timezone.now(), hours_ago=1)
    connection.set_schema_to_public()
    monkeypatch.setattr(fanout, "DUE_BATCH", 1)
    programmes = fanout.Program.objects.filter(status="ready").exclude(schema_name="public")
    sql, params = surveys_due_probe()
    # when the probe runs: the programme list, then one query per programme
    with django_assert_num_queries(1 + programmes.count()):
        listed = fanout.programmes_where(sql, params)
    # then A alone is found
    assert listed == [world.program_a.schema_name]


@pytest.mark.django_db
def test_the_requests_beat_sends_a_task_only_where_a_request_expired(pair, world, sent):
    # given a request still within its delay in A
    with tenant_context(world.program_a):
        request = MatchRequest.objects.create(
            mentee=pair.mentee, mentor=pair.mentor, expires_at=timezone.now() + timedelta(hours=1)
        )
    connection.set_schema_to_public()
    # when beat's hourly job runs: no task at all
    assert expire_requests_everywhere_task.apply().get() == 0
    assert sent == {}
    # given its delay passed
    with tenant_context(world.program_a):
        MatchRequest.objects.filter(pk=request.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    connection.set_schema_to_public()
    # then one task, to A only
    assert expire_requests_everywhere_task.apply().get() == 1
    assert sent == {expire_requests_task.name: [world.program_a.schema_name]}
