"""The person of every signed-in request (ParticipantBackend.get_user): one query compiled once
per process (saas/core/prepared.py), answering from the programme of the request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from shared_apps.accounts.models import User
from tenant_apps.participants.backends import ParticipantBackend
from tenant_apps.participants.models import Participant

pytestmark = pytest.mark.django_db


def _person(program, user_id):
    with tenant_context(program):
        return ParticipantBackend().get_user(user_id)


def test_each_programme_answers_with_its_own_participant(world):
    # one identity, two programmes, the same compiled statement: each schema's own row
    in_a, in_b = _person(world.program_a, world.both.pk), _person(world.program_b, world.both.pk)
    assert (in_a.pk, in_a.participant.role) == (world.both.pk, Participant.Role.MENTOR)
    assert (in_b.pk, in_b.participant.role) == (world.both.pk, Participant.Role.MENTEE)
    assert in_a.participant.user is in_a and in_a.email == world.both.email
    # a person of A only is nobody in B, and nobody on the public site
    assert _person(world.program_b, world.mentee_a.pk) is None
    connection.set_schema_to_public()
    assert ParticipantBackend().get_user(world.mentee_a.pk) is None
    with tenant_context(world.program_a), CaptureQueriesContext(connection) as queries:
        assert ParticipantBackend().get_user(world.mentee_a.pk).participant.role == "mentee"
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET ")]
    assert len(statements) == 1, statements


def test_an_inactive_participant_or_account_is_nobody(world):
    with tenant_context(world.program_a):
        Participant.objects.filter(user=world.mentee_a).update(status=Participant.Status.INVITED)
    assert _person(world.program_a, world.mentee_a.pk) is None
    with tenant_context(world.program_a):
        Participant.objects.filter(user=world.mentee_a).update(status=Participant.Status.ACTIVE)
    assert _person(world.program_a, world.mentee_a.pk) is not None
    User.objects.filter(pk=world.mentee_a.pk).update(is_active=False)
    assert _person(world.program_a, world.mentee_a.pk) is None


def test_the_compiled_sql_is_the_orms():
    from tenant_apps.participants import backends

    sql, params = backends._active_participant.sql()
    orm_sql, orm_params = backends._active_participant.queryset().query.sql_with_params()
    assert (sql, params) == (orm_sql, orm_params)
    assert "ORDER BY" not in sql and sql.endswith("LIMIT 1")
