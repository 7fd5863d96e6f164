"""The audit log: written with the action, in the right schema, append-only, viewable."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.log import audit_purge
from audit.models import AuditEvent
from conftest import PASSWORD, host_client, http_login
from saas.core.tenancy import connection
from tenant_apps.participants.models import Participant


def _actions(program) -> list[str]:
    """What was logged during this test (the programmes' creation was logged before)."""
    with tenant_context(program):
        actions = list(
            AuditEvent.objects.filter(created_at__gte=STARTED[0])
            .order_by("id")
            .values_list("action", flat=True)
        )
    connection.set_schema_to_public()
    return actions


STARTED = [timezone.now()]


@pytest.fixture(autouse=True)
def _started():
    STARTED[0] = timezone.now()


@pytest.mark.django_db
def test_logins_are_logged_where_they_happen_without_the_address(world):
    client = host_client(world.program_a)
    client.post("/connexion/", {"username": world.mentee_a.email, "password": "wrong one!"})
    http_login(client, world.mentee_a.email, PASSWORD)
    assert _actions(world.program_a) == ["auth.login_failed", "auth.login"]
    assert _actions(world.program_b) == []
    # nothing of this sign-in in public (rows committed earlier by other tests' live servers,
    # e.g. a console sign-in, may be there: only what this test wrote counts)
    assert not AuditEvent.objects.filter(
        action__startswith="auth.", created_at__gte=STARTED[0]
    ).exists()
    with tenant_context(world.program_a):
        failed, login = AuditEvent.objects.filter(created_at__gte=STARTED[0]).order_by("id")
        assert world.mentee_a.email not in str(failed.details)
        # a member's failure names the member (the programme's own participant), no hash
        participant = Participant.objects.get(user=world.mentee_a)
        assert (failed.target_type, failed.target_id) == (
            "participants.participant",
            str(participant.pk),
        )
        assert (login.actor_user_id, login.ip) == (world.mentee_a.pk, "127.0.0.1")
        assert login.request_id


@pytest.mark.django_db
def test_manager_actions_are_logged_with_the_manager_as_actor(
    world, django_capture_on_commit_callbacks
):
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(
            "/gestion/participants/inviter/", {"email": "nouveau@a.example", "role": "mentor"}
        )
    with tenant_context(world.program_a):
        event = AuditEvent.objects.get(action="participant.invited", created_at__gte=STARTED[0])
        assert (event.actor_user_id, event.actor_role) == (world.manager_a.pk, "manager")
        assert event.details == {"role": "mentor", "via": "invitation"}
        assert "nouveau@a.example" not in str(event.details)


@pytest.mark.django_db
def test_console_actions_go_to_the_platform_log(world):
    console = host_client(None)
    http_login(console, world.staff.email, PASSWORD, second_factor=True)
    console.post(f"/console/programmes/{world.program_b.pk}/pause/")
    event = AuditEvent.objects.get(action="console.program_pause", program_id=world.program_b.pk)
    assert event.actor_user_id == world.staff.pk
    assert event.actor_role == "super-admin"
    assert _actions(world.program_b) == []


@pytest.mark.django_db
def test_the_log_is_append_only_for_the_application_and_the_database(world):
    with tenant_context(world.program_a):
        from audit.log import audit_record

        event = audit_record(action="test.event")
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).update(action="changed")
        for sql in (
            "UPDATE audit_auditevent SET action = 'changed'",
            "DELETE FROM audit_auditevent",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql)
        assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db
def test_retention_purge_removes_only_old_entries(world):
    with tenant_context(world.program_a):
        from audit.log import audit_record

        old, recent = audit_record(action="old"), audit_record(action="recent")
        with connection.cursor() as cursor:  # backdate one entry (test set-up only)
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only")
            cursor.execute(
                "UPDATE audit_auditevent SET created_at = %s WHERE id = %s",
                [timezone.now() - timedelta(days=400), old.pk],
            )
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_append_only")
        assert audit_purge(before=timezone.now() - timedelta(days=365)) == 1
        assert not AuditEvent.objects.filter(pk=old.pk).exists()
        assert AuditEvent.objects.filter(pk=recent.pk).exists()
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM audit_auditevent")  # the purge flag did not leak
        assert recent.pk


@pytest.mark.django_db
def test_manager_reads_and_downloads_the_log_participants_cannot(world):
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    page = manager.get("/gestion/journal/?action=auth")
    assert page.status_code == 200 and "s’est connecté·e" in page.content.decode()
    csv = manager.get("/gestion/journal/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[0].startswith("created_at;action;")
    assert "audit.exported" in _actions(world.program_a)
    mentee = host_client(world.program_a)
    http_login(mentee, world.mentee_a.email, PASSWORD)
    assert mentee.get("/gestion/journal/").status_code == 403


@pytest.mark.django_db
def test_daily_job_purges_every_programme_and_the_platform(world, settings):
    from tenants.tasks import purge_audit_logs_everywhere_task

    settings.AUDIT_RETENTION_DAYS = 0  # everything written before now is past retention
    with tenant_context(world.program_a):
        from audit.log import audit_record

        audit_record(action="old.enough")
    connection.set_schema_to_public()
    sent = purge_audit_logs_everywhere_task.delay().get()
    assert sent >= 2  # one task per open programme (A, B and any other ready one)
    assert _actions(world.program_a) == []
    assert _actions(world.program_b) == []
