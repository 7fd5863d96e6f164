"""`manage.py restore_reconcile`: after a programme's schema is restored from a backup, nobody
erased in production since the backup comes back, and the public membership index matches the
restored participants. (The whole procedure, pg_dump to pg_restore, is tests/test_restore_drill.py.)

A restored schema is simulated here by its consequences: production's copy of the programme's
participants is a table in a schema set aside (as step 6 of the procedure renames it), where
someone has been erased since; identities erased everywhere are tombstones in `public`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from saas.core.tenancy import connection
from shared_apps.accounts.models import ProgramMembership, User
from shared_apps.accounts.services import user_tombstone
from tenant_apps.participants.models import Participant

PRODUCTION = "p_restore_test_damaged"


def _production_copy(program, *, erased: list[str]) -> None:
    """The programme's participants as production has them: those of `erased` erased there."""
    quoted = connection.ops.quote_name(program.schema_name)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {PRODUCTION}")
        cursor.execute(
            f"CREATE TABLE {PRODUCTION}.participants_participant AS "
            f"SELECT * FROM {quoted}.participants_participant"
        )
        with tenant_context(program):
            ids = list(
                Participant.objects.filter(user__email__in=erased).values_list("pk", flat=True)
            )
        cursor.execute(
            f"UPDATE {PRODUCTION}.participants_participant SET status = 'erased' "
            "WHERE id = ANY(%s)",
            [ids],
        )


def _reconcile(*args: str) -> str:
    out = StringIO()
    call_command("restore_reconcile", *args, stdout=out)
    connection.set_schema_to_public()
    return out.getvalue()


def _status(program, user) -> str:
    with tenant_context(program):
        return Participant.objects.get(pk=_participant_id(program, user)).status


def _participant_id(program, user) -> int:
    with tenant_context(program):
        return Participant.objects.get(user=user).pk


@pytest.mark.django_db
def test_someone_erased_in_production_since_the_backup_is_erased_again(world):
    # given programme A restored from a backup taken before `both` was erased from it in
    # production (their identity stays: they are still in programme B)
    both_in_a = _participant_id(world.program_a, world.both)
    _production_copy(world.program_a, erased=[world.both.email])
    # when the operator reconciles the restored programme with the schema set aside
    output = _reconcile("--program", world.program_a.slug, "--production-schema", PRODUCTION)
    # then they are erased again in A, and only in A
    with tenant_context(world.program_a):
        erased = Participant.objects.get(pk=both_in_a)
        assert erased.status == Participant.Status.ERASED
        assert erased.user.email != world.both.email
        assert not Participant.objects.filter(user=world.both).exists()
        assert AuditEvent.objects.filter(action="privacy.erased").count() == 1
        event = AuditEvent.objects.get(action="privacy.restore_reconciled")
        assert event.details["erased"] == 1 and event.details["from_production_schema"]
    assert _status(world.program_b, world.both) == Participant.Status.ACTIVE
    both = User.objects.get(pk=world.both.pk)
    assert both.is_active and not both.is_erased
    assert not ProgramMembership.objects.filter(user=world.both, program=world.program_a).exists()
    assert ProgramMembership.objects.filter(user=world.both, program=world.program_b).exists()
    assert f"1 erased: [{both_in_a}]" in output
    # and a second run finds nothing to do
    again = _reconcile("--program", world.program_a.slug, "--production-schema", PRODUCTION)
    assert "0 erased: []" in again and "0 added, 0 changed, 0 made inactive" in again


@pytest.mark.django_db
def test_someone_whose_identity_was_erased_since_the_backup_is_erased_again(world):
    # given mentee A's identity erased in production after the backup (a tombstone now), and
    # no schema set aside (lost)
    mentee = _participant_id(world.program_a, world.mentee_a)
    user_tombstone(user=User.objects.get(pk=world.mentee_a.pk))  # the fixture's stays whole
    assert _status(world.program_a, world.mentee_a) == Participant.Status.ACTIVE  # restored
    # when the operator reconciles without it
    output = _reconcile("--program", world.program_a.schema_name)
    # then the restored participant is erased too, and the operator is told what was not checked
    with tenant_context(world.program_a):
        assert Participant.objects.get(pk=mentee).status == Participant.Status.ERASED
    assert f"1 erased: [{mentee}]" in output
    assert "no --production-schema" in output


@pytest.mark.django_db
def test_the_membership_index_follows_the_restored_participants(world):
    # given an index that drifted from the restored schema: a member missing, one marked
    # inactive though active here, one who joined after the backup (no participant here)
    ProgramMembership.objects.filter(user=world.mentee_a, program=world.program_a).delete()
    ProgramMembership.objects.filter(user=world.both, program=world.program_a).update(
        is_active=False
    )
    late = User.objects.create_user(email="late@prog-a.example")
    ProgramMembership.objects.create(user=late, program=world.program_a, is_active=True)
    # when reconciled
    output = _reconcile("--program", world.program_a.slug)
    # then it matches the participants again; programme B's index is untouched
    memberships = dict(
        ProgramMembership.objects.filter(program=world.program_a).values_list(
            "user__email", "is_active"
        )
    )
    assert memberships[world.mentee_a.email] is True
    assert memberships[world.both.email] is True
    assert memberships[late.email] is False
    assert "1 added, 1 changed, 1 made inactive" in output


@pytest.mark.django_db
def test_a_dry_run_reports_and_changes_nothing(world):
    _production_copy(world.program_a, erased=[world.both.email])
    output = _reconcile(
        "--program", world.program_a.slug, "--production-schema", PRODUCTION, "--dry-run"
    )
    assert "1 to erase" in output and "dry run" in output
    assert _status(world.program_a, world.both) == Participant.Status.ACTIVE
    with tenant_context(world.program_a):
        assert not AuditEvent.objects.filter(action__startswith="privacy.").exists()


@pytest.mark.django_db
def test_wrong_arguments_are_refused_and_change_nothing(world):
    with pytest.raises(CommandError, match="unknown programme"):
        _reconcile("--program", "nope")
    with pytest.raises(CommandError, match="p_missing"):
        _reconcile("--program", world.program_a.slug, "--production-schema", "p_missing")
    with pytest.raises(CommandError, match="mise de côté"):
        _reconcile(
            "--program", world.program_a.slug, "--production-schema", world.program_a.schema_name
        )
    connection.set_schema_to_public()
    assert _status(world.program_a, world.both) == Participant.Status.ACTIVE
