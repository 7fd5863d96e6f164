"""Erasing the last programme of a person anonymises their shared identity in place (a
tombstone) instead of deleting the row: deleting it would make PostgreSQL check and lock the
participants table of every programme schema (the FK tenant -> public user, DESIGN §8). Through
the real entry points: a manager's erasure, the console's erasure everywhere."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import participant_counts, user_by_email
from shared_apps.accounts.tests.tombstone import assert_identity_erased
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import ProgramSettings


def _schemas_locked() -> set[str]:
    """The schemas of every relation this transaction holds a lock on."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT n.nspname FROM pg_locks l
               JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'"""
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_a_managers_erasure_leaves_a_tombstone_and_locks_no_other_programme(world):
    with tenant_context(world.program_a):
        participant = Participant.objects.get(user=world.mentee_a)
    connection.set_schema_to_public()
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    assert world.program_b.schema_name not in _schemas_locked()
    # Django's foreign keys are checked at commit, which a test never reaches: check them now
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with CaptureQueriesContext(connection) as queries:
        response = manager.post(
            f"/gestion/participants/{participant.pk}/effacer/", {"confirm": "EFFACER"}
        )
    assert response.status_code == 302
    sql = [query["sql"] for query in queries.captured_queries]
    assert any('UPDATE "accounts_user"' in q for q in sql)  # the erasure did run
    assert not [q for q in sql if q.startswith('DELETE FROM "accounts_user"')]
    assert not [q for q in sql if world.program_b.schema_name in q]
    # no foreign-key check reached programme B's tables (the test's one transaction)
    assert world.program_b.schema_name not in _schemas_locked()
    connection.set_schema_to_public()
    assert_identity_erased(world.mentee_a.pk, email=world.mentee_a.email)
    # the person cannot sign in any more, with either address
    for email in (world.mentee_a.email, User.objects.get(pk=world.mentee_a.pk).email):
        response = host_client(world.program_a).post(
            "/connexion/", {"username": email, "password": PASSWORD}
        )
        assert response.status_code == 200


@pytest.mark.django_db
def test_console_erasure_everywhere_then_the_same_address_registers_afresh(
    world, django_capture_on_commit_callbacks
):
    programmes = [world.program_a.pk, world.program_b.pk]
    before = participant_counts(program_ids=programmes)
    users_before = User.objects.count()
    console = host_client(None)
    http_login(console, world.staff.email, PASSWORD, second_factor=True)
    console.post("/console/personnes/", {"email": world.both.email, "confirm": "EFFACER"})
    assert_identity_erased(world.both.pk, email=world.both.email)
    # the tombstone counts nowhere: each programme lost exactly this one person
    after = participant_counts(program_ids=programmes)
    assert after == {pk: before[pk] - 1 for pk in programmes}
    assert User.objects.count() == users_before + 2  # a placeholder per programme, no new row
    # the console finds nobody under the address any more (nothing to export)
    page = console.get("/console/personnes/", {"email": world.both.email})
    assert world.both.email in page.content.decode()
    assert page.context["person"] is None
    # the same address, registering later, gets a fresh account
    with tenant_context(world.program_a):
        ProgramSettings.objects.filter(id=1).update(
            is_registration_open=True,
            allowed_email_domains=["ab.example"],
            allow_email_subdomains=False,
            registration_roles="both",
        )
    connection.set_schema_to_public()
    form = {
        "first_name": "Nouvelle",
        "last_name": "Personne",
        "email": world.both.email,
        "role": "mentee",
        "consent": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = host_client(world.program_a).post("/inscription/", form)
    assert response.status_code == 302
    fresh = user_by_email(email=world.both.email)
    assert fresh is not None and fresh.pk != world.both.pk and not fresh.is_erased
    with tenant_context(world.program_a):
        assert Participant.objects.get(user=fresh).status == Participant.Status.INVITED
    connection.set_schema_to_public()
    assert User.objects.get(pk=world.both.pk).is_erased  # the tombstone stays a tombstone
