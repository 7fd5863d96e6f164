"""Retention rules, time-travelled: registrations never confirmed, inactive accounts, the end
of the programme; the job running twice does the work once; the manager's dry run."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from shared_apps.accounts.models import User
from shared_apps.accounts.tests.tombstone import assert_identity_erased
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_add
from tenant_apps.privacy.services.retention import months, retention_apply
from tenant_apps.programs.models import ProgramSettings


def _person(email: str, *, status="active", joined_via="invitation", **dates) -> Participant:
    user = User.objects.create_user(email=email, password=PASSWORD)
    participant = participant_add(user=user, role="mentee")
    Participant.objects.filter(pk=participant.pk).update(
        status=status, joined_via=joined_via, **dates
    )
    return Participant.objects.get(pk=participant.pk)


@pytest.mark.django_db
def test_registrations_never_confirmed_go_after_seven_days(
    world, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with tenant_context(world.program_a):
        old = _person("old@a.example", status="invited", joined_via="registration")
        fresh = _person("fresh@a.example", status="invited", joined_via="registration")
        Participant.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=8))
        with django_capture_on_commit_callbacks(execute=True):
            assert retention_apply(now=now)["unverified_deleted"] == 1
            assert retention_apply(now=now)["unverified_deleted"] == 0  # twice: once
        assert Participant.objects.get(pk=fresh.pk).user.email == "fresh@a.example"
    connection.set_schema_to_public()
    assert not User.objects.filter(email="old@a.example").exists()


@pytest.mark.django_db
def test_inactive_accounts_are_warned_once_then_erased(world, django_capture_on_commit_callbacks):
    start = timezone.now()
    with tenant_context(world.program_a):
        sleepy = _person("sleepy@a.example", last_active_at=start)
        mail.outbox.clear()
        # 22 months later: warned, once, even if the job runs twice
        with (
            time_machine.travel(start + months(22) + timedelta(days=1)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert retention_apply()["inactive_warned"] >= 1
            assert retention_apply()["inactive_warned"] == 0
        assert [m.to for m in mail.outbox if m.to == ["sleepy@a.example"]] == [["sleepy@a.example"]]
        assert Participant.objects.get(pk=sleepy.pk).retention_warned_at is not None
        # 24 months: erased
        with time_machine.travel(start + months(24) + timedelta(days=1)):
            retention_apply()
        assert Participant.objects.get(pk=sleepy.pk).user.email.endswith("@erased.invalid")
    connection.set_schema_to_public()
    assert_identity_erased(sleepy.user_id, email="sleepy@a.example")


@pytest.mark.django_db
def test_logging_in_resets_the_clock(world):
    start = timezone.now()
    with tenant_context(world.program_a):
        Participant.objects.filter(user=world.mentee_a).update(
            last_active_at=start - months(23), retention_warned_at=start
        )
    connection.set_schema_to_public()
    http_login(host_client(world.program_a), world.mentee_a.email, PASSWORD)
    with tenant_context(world.program_a):
        participant = Participant.objects.get(user=world.mentee_a)
        assert participant.retention_warned_at is None
        assert participant.last_active_at > start - timedelta(minutes=1)


@pytest.mark.django_db
def test_programme_data_is_anonymised_twelve_months_after_the_end(world):
    with tenant_context(world.program_b):
        ProgramSettings.objects.filter(id=1).update(ends_on=date(2025, 1, 31))
        with time_machine.travel(timezone.now().replace(year=2026, month=2, day=2)):
            counts = retention_apply()
        assert counts["erased"] == Participant.objects.count()
        assert not Participant.objects.exclude(user__email__endswith="@erased.invalid").exists()
    connection.set_schema_to_public()
    assert User.objects.filter(pk=world.both.pk).exists()  # still in programme A
    assert_identity_erased(world.mentee_b.pk, email=world.mentee_b.email)


@pytest.mark.django_db
def test_manager_sees_a_dry_run_that_changes_nothing(world):
    with tenant_context(world.program_a):
        _person("late@a.example", status="invited", joined_via="registration")
        Participant.objects.filter(user__email="late@a.example").update(
            created_at=timezone.now() - timedelta(days=30)
        )
    connection.set_schema_to_public()
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    page = manager.get("/gestion/conservation/").content.decode()
    assert "Inscriptions jamais confirmées à supprimer" in page
    assert User.objects.filter(email="late@a.example").exists()
