"""Retention that really runs everywhere, through the daily beat task (eager): archived and
paused programmes are covered; invitations never taken up, deactivated people, the outbox, the
Whereby webhook events and expired sessions (in every programme schema and in public) have a
rule; everything is time-travelled and safe to run twice."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django_tenants.utils import tenant_context

from conftest import PASSWORD
from saas.core.tenancy import connection
from shared_apps.accounts.models import User
from shared_apps.accounts.tests.tombstone import assert_identity_erased
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_add, participant_invite
from tenant_apps.privacy.services.retention import months
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.tests.settings_form import SETTINGS
from tenant_apps.video.models import WebhookEvent
from tenants.models import Program
from tenants.tasks import apply_retention_everywhere_task

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _run_daily_job() -> int:
    connection.set_schema_to_public()
    return apply_retention_everywhere_task.delay().get()


def _set(program: Program, **values: object) -> None:
    with tenant_context(program):
        ProgramSettings.objects.filter(id=1).update(**values)
    connection.set_schema_to_public()


def _status(program: Program, status: str) -> None:
    Program.objects.filter(pk=program.pk).update(status=status)


def _is_erased(program: Program, email: str) -> bool:
    with tenant_context(program):
        return not Participant.objects.filter(user__email=email).exists()


@pytest.mark.django_db
def test_an_archived_programme_that_ended_long_ago_is_anonymised(world):
    # given programme B, archived, ended in mid-2024 (kept 12 months after its end)
    _set(world.program_b, ends_on=date(2024, 6, 30))
    _status(world.program_b, Program.Status.ARCHIVED)
    with tenant_context(world.program_b):
        people = Participant.objects.count()
    # when the daily job runs, twice
    with time_machine.travel(T0):
        _run_daily_job()
        _run_daily_job()
    # then every identity of B is erased; the person also in A keeps their account
    with tenant_context(world.program_b):
        assert people >= 2 and Participant.objects.count() == people  # rows kept, anonymous
        assert not Participant.objects.exclude(user__email__endswith="@erased.invalid").exists()
    connection.set_schema_to_public()
    assert_identity_erased(world.mentee_b.pk, email=world.mentee_b.email)
    assert User.objects.filter(pk=world.both.pk).exists()
    with tenant_context(world.program_a):
        assert Participant.objects.filter(user=world.both).exists()


@pytest.mark.django_db
def test_a_paused_programme_is_covered_and_unusable_ones_are_not_visited(world):
    # given programme A paused, with a registration never confirmed for 30 days
    with time_machine.travel(T0 - timedelta(days=30)), tenant_context(world.program_a):
        participant_invite(
            email="late@a.example", role="mentee", joined_via=Participant.JoinedVia.REGISTRATION
        )
    _status(world.program_a, Program.Status.PAUSED)
    visited = Program.objects.filter(
        status__in=[Program.Status.READY, Program.Status.PAUSED, Program.Status.ARCHIVED]
    ).exclude(schema_name="public")
    # when
    with time_machine.travel(T0):
        sent = _run_daily_job()
    # then
    assert sent == visited.count()
    assert _is_erased(world.program_a, "late@a.example")


@pytest.mark.django_db
def test_a_failed_programme_is_not_visited(world):
    with time_machine.travel(T0 - timedelta(days=30)), tenant_context(world.program_a):
        participant_invite(
            email="late@a.example", role="mentee", joined_via=Participant.JoinedVia.REGISTRATION
        )
    _status(world.program_a, Program.Status.FAILED)
    with time_machine.travel(T0):
        _run_daily_job()
    assert not _is_erased(world.program_a, "late@a.example")


@pytest.mark.django_db
def test_invitations_never_taken_up_are_erased_after_expiry_plus_the_period(world):
    # given a 10-day period; one invitation sent at T0 (expires T0 + 48 h), one re-sent later
    _set(world.program_a, retention_invited_days=10)
    with time_machine.travel(T0), tenant_context(world.program_a):
        participant_invite(email="never@a.example", role="mentee")
        participant_invite(email="again@a.example", role="mentor")
    with time_machine.travel(T0 + timedelta(days=5)), tenant_context(world.program_a):
        participant_invite(email="again@a.example", role="mentor")  # new link, new clock
    expired = T0 + timedelta(hours=48)
    # when the job runs just before the period ends: nobody goes
    with time_machine.travel(expired + timedelta(days=10) - timedelta(hours=1)):
        _run_daily_job()
    assert not _is_erased(world.program_a, "never@a.example")
    # and just after it (twice): the first goes, the re-invited person stays
    with time_machine.travel(expired + timedelta(days=10, hours=1)):
        _run_daily_job()
        _run_daily_job()
    assert _is_erased(world.program_a, "never@a.example")
    assert not _is_erased(world.program_a, "again@a.example")
    assert not User.objects.filter(email="never@a.example").exists()
    # the active people of the programme are untouched
    assert not _is_erased(world.program_a, world.mentee_a.email)


@pytest.mark.django_db
def test_deactivated_people_are_erased_after_the_period(world):
    # given a 6-month period and a person deactivated at T0, another reactivated
    _set(world.program_a, retention_deactivated_months=6)
    with tenant_context(world.program_a):
        for email in ("gone@a.example", "back@a.example"):
            participant = participant_add(
                user=User.objects.create_user(email=email, password=PASSWORD), role="mentee"
            )
            Participant.objects.filter(pk=participant.pk).update(
                status=Participant.Status.DEACTIVATED,
                deactivated_at=T0,
                last_active_at=T0,
            )
        Participant.objects.filter(user__email="back@a.example").update(
            status=Participant.Status.ACTIVE, deactivated_at=None
        )
    # when: one day before the period, nothing; one day after, erased (twice: once)
    with time_machine.travel(T0 + months(6) - timedelta(days=1)):
        _run_daily_job()
    assert not _is_erased(world.program_a, "gone@a.example")
    with time_machine.travel(T0 + months(6) + timedelta(days=1)):
        _run_daily_job()
        _run_daily_job()
    # then
    assert _is_erased(world.program_a, "gone@a.example")
    assert not _is_erased(world.program_a, "back@a.example")
    assert not User.objects.filter(email="gone@a.example").exists()


@pytest.mark.django_db
def test_outbox_rows_are_deleted_after_the_period(world):
    # given a 30-day period and messages of every kind, some older than that
    _set(world.program_a, retention_outbox_days=30)
    old, recent = T0 - timedelta(days=31), T0 - timedelta(days=29)
    with tenant_context(world.program_a):

        def email(subject: str, *, status: str, at: datetime, **extra: object) -> int:
            row = Email.objects.create(
                to="x@a.example", subject=subject, body_text=subject, template="t", status=status
            )
            Email.objects.filter(pk=row.pk).update(
                created_at=at, sent_at=at if status == Email.Status.SENT else None, **extra
            )
            return row.pk

        gone = [
            email("old sent", status=Email.Status.SENT, at=old),
            email("", status=Email.Status.SENT, at=old, body_text=""),  # envelope only
            email("old failed", status=Email.Status.FAILED, at=old),
            email("old, never sent", status=Email.Status.PENDING, at=old),
        ]
        kept = [
            email("recent sent", status=Email.Status.SENT, at=recent),
            email("", status=Email.Status.SENT, at=recent, body_text=""),
            email("recent, waiting", status=Email.Status.PENDING, at=recent),
        ]
    # when
    with time_machine.travel(T0):
        _run_daily_job()
        _run_daily_job()
    # then
    with tenant_context(world.program_a):
        assert not Email.objects.filter(pk__in=gone).exists()
        assert sorted(Email.objects.filter(pk__in=kept).values_list("pk", flat=True)) == kept


@pytest.mark.django_db
def test_whereby_webhook_events_are_deleted_after_the_period(world, settings):
    settings.WHEREBY_WEBHOOK_EVENT_RETENTION_DAYS = 20
    with tenant_context(world.program_b):
        old = WebhookEvent.objects.create(event_id="old", type="room.client.joined")
        fresh = WebhookEvent.objects.create(event_id="fresh", type="room.client.joined")
        WebhookEvent.objects.filter(pk=old.pk).update(received_at=T0 - timedelta(days=21))
        WebhookEvent.objects.filter(pk=fresh.pk).update(received_at=T0 - timedelta(days=19))
    _status(world.program_b, Program.Status.ARCHIVED)
    with time_machine.travel(T0):
        _run_daily_job()
        _run_daily_job()
    with tenant_context(world.program_b):
        assert list(WebhookEvent.objects.values_list("event_id", flat=True)) == ["fresh"]


def _sessions(expired_at: datetime, valid_until: datetime) -> tuple[str, str]:
    keys: list[str] = []
    for expiry in (expired_at, valid_until):
        store = SessionStore()
        store["x"] = 1
        store.create()
        Session.objects.filter(session_key=store.session_key).update(expire_date=expiry)
        assert store.session_key is not None
        keys.append(store.session_key)
    return keys[0], keys[1]


@pytest.mark.django_db
def test_expired_sessions_are_purged_in_every_programme_and_in_public(world):
    # given expired and valid sessions in public, in A and in B (archived)
    _status(world.program_b, Program.Status.ARCHIVED)
    past, future = T0 - timedelta(minutes=1), T0 + timedelta(hours=1)
    keys = {}
    for program in (None, world.program_a, world.program_b):
        if program is None:
            connection.set_schema_to_public()
            keys["public"] = _sessions(past, future)
        else:
            with tenant_context(program):
                keys[program.schema_name] = _sessions(past, future)
    # when
    with time_machine.travel(T0):
        _run_daily_job()
        _run_daily_job()
    # then only the valid ones remain, everywhere
    for place, (expired, valid) in keys.items():
        if place == "public":
            connection.set_schema_to_public()
            remaining = set(Session.objects.values_list("session_key", flat=True))
        else:
            with tenant_context(Program.objects.get(schema_name=place)):
                remaining = set(Session.objects.values_list("session_key", flat=True))
        assert expired not in remaining, place
        assert valid in remaining, place


@pytest.mark.django_db
def test_manager_sets_the_new_periods_and_a_bad_one_is_refused(world):
    from conftest import host_client, http_login

    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    # when the manager sets the periods
    ok = manager.post(
        "/gestion/parametres/",
        {
            **SETTINGS,
            "retention_invited_days": "15",
            "retention_deactivated_months": "3",
            "retention_outbox_days": "45",
        },
    )
    # then they are kept
    assert ok.status_code == 302
    with tenant_context(world.program_a):
        config = ProgramSettings.objects.get(id=1)
        assert (
            config.retention_invited_days,
            config.retention_deactivated_months,
            config.retention_outbox_days,
        ) == (15, 3, 45)
    connection.set_schema_to_public()
    # when a period is too short: refused, nothing changed
    page = manager.post(
        "/gestion/parametres/", {**SETTINGS, "retention_outbox_days": "3"}
    ).content.decode()
    assert "De 7 à 365 jours." in page
    with tenant_context(world.program_a):
        assert ProgramSettings.objects.get(id=1).retention_outbox_days == 45
    connection.set_schema_to_public()
    # and the dry run shows the new rules
    page = manager.get("/gestion/conservation/").content.decode()
    assert "Invitations jamais acceptées à effacer" in page
    assert "Personnes désactivées à effacer" in page


@pytest.mark.django_db
def test_an_archived_programme_without_an_end_date_ended_when_it_was_archived(world):
    # given programme B archived on T0 with no end date set
    Program.objects.filter(pk=world.program_b.pk).update(
        status=Program.Status.ARCHIVED, status_changed_at=T0
    )
    # when the job runs just before, then just after, 12 months past the archive
    with time_machine.travel(T0 + months(12) - timedelta(days=1)):
        _run_daily_job()
    assert not _is_erased(world.program_b, world.mentee_b.email)
    with time_machine.travel(T0 + months(12) + timedelta(days=2)):
        _run_daily_job()
    # then B's people are erased
    assert _is_erased(world.program_b, world.mentee_b.email)
    assert_identity_erased(world.mentee_b.pk, email=world.mentee_b.email)


@pytest.mark.django_db
def test_no_warning_to_log_in_where_nobody_can(world):
    # given programme A paused, and a person inactive for 22 months and a day
    with tenant_context(world.program_a):
        Participant.objects.filter(user=world.mentee_a).update(last_active_at=T0 - months(22))
    _status(world.program_a, Program.Status.PAUSED)
    # when
    with time_machine.travel(T0 + timedelta(days=1)):
        _run_daily_job()
    # then nobody is told to log in to a programme that refuses every page
    with tenant_context(world.program_a):
        assert Participant.objects.get(user=world.mentee_a).retention_warned_at is None
        assert not Email.objects.filter(template="retention_warning").exists()
