"""Sign-in throttling across programmes (issue 10, finding 6) and where the account's security
records and emails go (finding 3): a delay per (account, address), an account-wide ceiling that
asks a new network for an emailed link instead of locking the owner out, at most 100 failures
an hour per account, and nothing about a person stored in a programme they are not in."""

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.signals import user_login_failed
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from conftest import host_client, http_login
from shared_apps.accounts import security
from shared_apps.accounts.models import AccountSecurityEvent, SignInLink
from tenant_apps.notifications.models import Email

NEEDS_LINK = "nécessite un lien envoyé par email"


def _from(program, ip: str):
    client = host_client(program)
    client.defaults["REMOTE_ADDR"] = ip
    return client


def _attempt(program, ip: str, email: str, password: str):
    return _from(program, ip).post("/connexion/", {"username": email, "password": password})


class _Clock:
    """time.time() as seen by the throttling code, moved forward by the test."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch):
    fake = _Clock()
    monkeypatch.setattr(security, "time", fake)
    return fake


@pytest.mark.django_db
def test_from_the_fifth_failure_one_address_waits_longer_each_time(world, password, clock):
    # given four wrong passwords from one address: no delay yet
    for index in range(4):
        response = _attempt(world.program_a, "10.1.1.1", world.both.email, f"wrong {index}")
        assert "Adresse email ou mot de passe incorrect." in response.content.decode()
    # when the fifth fails, the next attempt from that address must wait 2 seconds, whatever
    # the password (it is not even checked), with a message that says so
    _attempt(world.program_a, "10.1.1.1", world.both.email, "wrong 5")
    refused = _attempt(world.program_a, "10.1.1.1", world.both.email, password)
    assert refused.status_code == 200
    assert "Patientez 2 secondes avant de réessayer." in refused.content.decode()
    # then the owner on another network is not slowed down at all
    http_login(_from(world.program_b, "10.2.2.2"), world.both.email, password)
    # once the delay has passed, one more failure doubles it
    clock.offset = 3
    _attempt(world.program_a, "10.1.1.1", world.both.email, "wrong 6")
    refused = _attempt(world.program_a, "10.1.1.1", world.both.email, password)
    assert "Patientez 4 secondes avant de réessayer." in refused.content.decode()
    # and after it, the right password opens the session
    clock.offset = 8
    http_login(_from(world.program_a, "10.1.1.1"), world.both.email, password)


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_PER_ACCOUNT=6)
def test_attack_from_many_networks_does_not_lock_out_the_owner(
    world, password, django_capture_on_commit_callbacks
):
    # given the owner, in A and B, has signed in from their office network before
    http_login(_from(world.program_a, "192.0.2.10"), world.both.email, password)
    mail.outbox.clear()
    # when someone fails six times from six addresses, on both programmes
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(6):
            program = world.program_a if index % 2 else world.program_b
            _attempt(program, f"203.0.113.{index}", world.both.email, f"guess {index}")
    # then the owner still signs in from the office, on either programme
    http_login(_from(world.program_b, "192.0.2.10"), world.both.email, password)
    # and was warned once, by the platform (not by a programme's outbox)
    assert [m.to for m in mail.outbox] == [[world.both.email]]
    assert "connexions échouées" in mail.outbox[0].subject
    for program in (world.program_a, world.program_b):
        with tenant_context(program):
            assert not Email.objects.filter(to=world.both.email).exists()


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_PER_ACCOUNT=6)
def test_past_the_ceiling_a_new_network_needs_the_emailed_sign_in_link(
    world, password, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(6):
            _attempt(world.program_a, f"203.0.113.{index}", world.mentee_a.email, "nope nope")
    mail.outbox.clear()
    # when the owner tries from a network never used before, even with the right password
    owner = _from(world.program_a, "198.51.100.7")
    with django_capture_on_commit_callbacks(execute=True):
        refused = owner.post(
            "/connexion/", {"username": world.mentee_a.email, "password": password}
        )
        # an attacker asking again does not send another email
        _attempt(world.program_a, "203.0.113.99", world.mentee_a.email, "nope nope")
    # then no session, a clear message, and one email with a one-time link
    assert NEEDS_LINK in refused.content.decode()
    assert owner.get("/espace/").status_code == 302
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/\s]+(/compte/lien-de-connexion/[^\s/]+/)", mail.outbox[0].body)
    assert path is not None and mail.outbox[0].to == [world.mentee_a.email]
    # the same answer for an address that has no account (nothing to learn from it)
    with override_settings(LOGIN_FAILURES_PER_ACCOUNT=1):
        _attempt(world.program_a, "203.0.113.1", "nobody@a.example", "nope nope")
        unknown = _attempt(world.program_a, "203.0.113.2", "nobody@a.example", "nope nope")
    assert NEEDS_LINK in unknown.content.decode()
    # opening the link changes nothing (mail scanners); its button lets this browser sign in
    link = path.group(1)
    assert owner.get(link).status_code == 200
    assert owner.post(link).status_code == 302
    http_login(owner, world.mentee_a.email, password)
    # and the link works once
    assert _from(world.program_a, "198.51.100.8").post(link).status_code == 410
    assert SignInLink.objects.filter(user=world.mentee_a, used_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_at_most_100_failures_an_hour_per_account_across_programmes(world, password):
    # given an owner who signs in from the office's shared address, then someone guessing from
    # 150 new addresses alternating between A and B, then from that office address too
    office = "192.0.2.10"
    http_login(_from(world.program_a, office), world.both.email, password)
    checked = []

    def count(sender, **kwargs):
        checked.append(1)

    user_login_failed.connect(count)
    try:
        for index in range(150):
            program = world.program_a if index % 2 else world.program_b
            _attempt(program, f"10.{index // 250}.{index % 250}.9", world.both.email, "guess it")
        from_new_networks = len(checked)
        start = timezone.now()
        for index in range(30):  # 90 s apart: past each per-address delay, within the hour
            with time_machine.travel(start + timedelta(seconds=90 * index), tick=False):
                _attempt(world.program_b, office, world.both.email, "guess it")
    finally:
        user_login_failed.disconnect(count)
    # then new networks got 90 checks, the owner's network the 10 left, and no more: 100 an hour
    assert from_new_networks == 90
    assert len(checked) == 100
    assert (
        AccountSecurityEvent.objects.filter(
            user=world.both, kind=AccountSecurityEvent.Kind.LOGIN_FAILED
        ).count()
        == 100
    )
    # and the right password, from a new address or from the office, needs the emailed link
    with time_machine.travel(start + timedelta(seconds=90 * 30), tick=False):
        new_network = _attempt(world.program_a, "10.99.99.99", world.both.email, password)
        from_office = _attempt(world.program_a, office, world.both.email, password)
    for response in (new_network, from_office):
        page = response.content.decode()
        assert "lien envoyé par email" in page and "quel que soit le réseau" in page


@pytest.mark.django_db
def test_failures_about_a_non_member_stay_with_the_account_not_the_programme(
    world, django_capture_on_commit_callbacks
):
    # given mentee_b (in B only) whose password someone tries on A's site until the ceiling
    with (
        override_settings(LOGIN_FAILURES_PER_ACCOUNT=3),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for index in range(3):
            _attempt(world.program_a, f"203.0.113.{index}", world.mentee_b.email, "guess it")
    # then A stores nothing about her: no audit row, no email in its outbox
    with tenant_context(world.program_a):
        failed = AuditEvent.objects.filter(action="auth.login_failed")
        assert not [row for row in failed if row.details or not row.target_id]
        assert not Email.objects.filter(to=world.mentee_b.email).exists()
    connection.set_schema_to_public()
    # the account keeps them, and the owner was warned by the platform
    kinds = AccountSecurityEvent.objects.filter(user=world.mentee_b).values_list("kind", flat=True)
    assert list(kinds).count(AccountSecurityEvent.Kind.LOGIN_FAILED) == 3
    assert [m.to for m in mail.outbox] == [[world.mentee_b.email]]
    # and her failures in her own programme are logged there, naming her participant row
    _attempt(world.program_b, "203.0.113.50", world.mentee_b.email, "guess again")
    with tenant_context(world.program_b):
        row = AuditEvent.objects.filter(action="auth.login_failed").latest("id")
        assert row.target_type == "participants.participant" and not row.details


@pytest.mark.django_db
def test_erasure_everywhere_removes_the_account_security_records(world):
    from tenants.people import person_erase_everywhere

    _attempt(world.program_a, "203.0.113.1", world.mentee_b.email, "guess it")
    assert AccountSecurityEvent.objects.filter(user=world.mentee_b).exists()
    user_id = world.mentee_b.pk
    person_erase_everywhere(user=world.mentee_b)
    assert not AccountSecurityEvent.objects.filter(user_id=user_id).exists()
    assert not SignInLink.objects.filter(user_id=user_id).exists()


@pytest.mark.django_db
def test_daily_purge_removes_old_account_security_records(world, settings):
    from tenants.tasks import purge_audit_logs_everywhere_task

    old = AccountSecurityEvent.objects.create(
        user=world.mentee_a,
        kind=AccountSecurityEvent.Kind.LOGIN_FAILED,
        created_at=timezone.now() - timedelta(days=settings.ACCOUNT_SECURITY_RETENTION_DAYS + 1),
    )
    recent = AccountSecurityEvent.objects.create(
        user=world.mentee_a, kind=AccountSecurityEvent.Kind.LOGIN_FAILED
    )
    purge_audit_logs_everywhere_task.delay()
    connection.set_schema_to_public()
    assert not AccountSecurityEvent.objects.filter(pk=old.pk).exists()
    assert AccountSecurityEvent.objects.filter(pk=recent.pk).exists()


@pytest.mark.django_db
def test_the_person_export_shows_the_account_security_records_without_addresses(world):
    from tenant_apps.participants.models import Participant
    from tenant_apps.privacy.services.export import participant_export

    _attempt(world.program_a, "203.0.113.1", world.mentee_a.email, "guess it")
    with tenant_context(world.program_a):
        export = participant_export(participant=Participant.objects.get(user=world.mentee_a))
    events = export["account"]["security_events"]
    assert [event["kind"] for event in events] == ["login.failed"]
    assert "203.0.113.1" not in str(export) and "ip_hash" not in str(export)
