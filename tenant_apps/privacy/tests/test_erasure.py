"""Right to erasure: nothing of the person is left in the programme's schema; statistics stay;
refusals change nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.core.errors import NotAllowed
from shared_apps.accounts.models import User
from tenant_apps.matching.models import Match, MatchRequest
from tenant_apps.meetings.models import Meeting, MeetingNote
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.privacy.erasure import ERASE, participant_erase
from tenant_apps.privacy.export import SOURCES
from tenant_apps.privacy.tests.test_export import models_referring_to_a_person

FREE_TEXT = "Je voudrais progresser en négociation avec Xavière"


def test_every_model_referring_to_a_person_says_how_it_is_erased():
    assert models_referring_to_a_person() - set(ERASE) == set()
    assert set(SOURCES) == set(ERASE)


def _text_columns(schema: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = %s AND data_type IN ('text', 'character varying', 'jsonb')""",
            [schema],
        )
        return cursor.fetchall()


def _traces(schema: str, needles: list[str]) -> list[str]:
    """Every text column of every table of `schema` that contains one of `needles`."""
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns(schema):
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}"::text ILIKE %s',
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column} contains {needle!r}")
    return found


@pytest.fixture
def rich_mentee(world):
    """mentee_a with answers, a pair, a meeting with notes and next steps, a request, emails."""
    from tenant_apps.programs.models import Question

    User.objects.filter(pk=world.mentee_a.pk).update(first_name="Xavière", last_name="Quenouille")
    with tenant_context(world.program_a):
        mentee = Participant.objects.get(user=world.mentee_a)
        mentor = Participant.objects.get(user=world.both)
        question = Question.objects.create(key="objectif", label="Objectif", kind="text")
        Answer.objects.create(participant=mentee, question=question, value=FREE_TEXT)
        match = Match.objects.create(
            mentee=mentee, mentor=mentor, status="active", end_reason=FREE_TEXT
        )
        start = timezone.now() + timedelta(days=2)
        meeting = Meeting.objects.create(
            match=match,
            proposed_by=mentee,
            status="confirmed",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            next_steps=FREE_TEXT,
        )
        MeetingNote.objects.create(meeting=meeting, author=mentee, text=FREE_TEXT)
        other_mentor = Participant.objects.get(user=world.manager_a)
        MatchRequest.objects.create(
            mentee=mentee,
            mentor=other_mentor,
            message=FREE_TEXT,
            expires_at=timezone.now() + timedelta(days=1),
        )
        from tenant_apps.notifications.models import Email

        Email.objects.create(
            to=world.mentee_a.email, subject="x", body_text=FREE_TEXT, template="t"
        )
    connection.set_schema_to_public()
    return mentee


@pytest.mark.django_db
def test_self_erasure_leaves_no_trace_and_keeps_the_statistics(world, rich_mentee):
    schema = world.program_a.schema_name
    needles = [world.mentee_a.email, "Xavière", "Quenouille", FREE_TEXT[:30]]
    assert _traces(schema, needles)  # the scan finds the person before
    with tenant_context(world.program_a):
        counts = (Match.objects.count(), Meeting.objects.count(), Participant.objects.count())
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, PASSWORD)
    refused = client.post("/espace/mes-donnees/effacer/", {"password": PASSWORD, "confirm": "non"})
    assert refused.status_code == 200
    response = client.post(
        "/espace/mes-donnees/effacer/", {"password": PASSWORD, "confirm": "effacer"}
    )
    assert response.status_code == 302 and response["Location"] == "/donnees-effacees/"
    # then nothing of the person is left in the programme's schema, nor in public
    assert _traces(schema, needles) == []
    assert _traces("public", [world.mentee_a.email, "Quenouille"]) == []
    assert not User.objects.filter(pk=world.mentee_a.pk).exists()  # no membership left
    # the statistics stay right
    with tenant_context(world.program_a):
        assert (
            Match.objects.count(),
            Meeting.objects.count(),
            Participant.objects.count(),
        ) == counts
        erased = Participant.objects.get(pk=rich_mentee.pk)
        assert erased.user.email.endswith("@erased.invalid") and not erased.user.is_active
        assert Meeting.objects.get().status == "cancelled"
        from tenant_apps.privacy.models import AuditEvent

        event = AuditEvent.objects.get(action="privacy.erased")
        assert "Xavière" not in str(event.details) and world.mentee_a.email not in str(
            event.details
        )
    # and the person cannot log in any more
    assert client.get("/espace/").status_code == 302


@pytest.mark.django_db
def test_erasure_in_one_programme_keeps_the_identity_used_elsewhere(world, password):
    with tenant_context(world.program_a):
        participant_erase(participant=Participant.objects.get(user=world.both), by=None)
    connection.set_schema_to_public()
    assert User.objects.filter(pk=world.both.pk).exists()
    http_login(host_client(world.program_b), world.both.email, password)


@pytest.mark.django_db
def test_refused_erasures_change_nothing(world, rich_mentee, password):
    with tenant_context(world.program_a):
        someone_else = Participant.objects.get(user=world.both)
        before = Answer.objects.count(), MeetingNote.objects.count()
        with pytest.raises(NotAllowed):
            participant_erase(participant=rich_mentee, by=someone_else)
        assert (Answer.objects.count(), MeetingNote.objects.count()) == before
    connection.set_schema_to_public()
    # a participant of programme B, session replayed on A, erases nothing
    outsider = host_client(world.program_b)
    http_login(outsider, world.mentee_b.email, password)
    outsider.defaults["HTTP_HOST"] = world.program_a.host
    outsider.post("/espace/mes-donnees/effacer/", {"password": password, "confirm": "EFFACER"})
    with tenant_context(world.program_a):
        assert Participant.objects.get(pk=rich_mentee.pk).user_id == world.mentee_a.pk
    connection.set_schema_to_public()
    assert User.objects.filter(pk=world.mentee_b.pk).exists()


@pytest.mark.django_db
def test_manager_erases_a_participant_with_confirmation(world, rich_mentee):
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    url = f"/gestion/participants/{rich_mentee.pk}/effacer/"
    manager.post(url, {"confirm": ""})
    assert User.objects.filter(pk=world.mentee_a.pk).exists()
    manager.post(url, {"confirm": "EFFACER"})
    assert not User.objects.filter(pk=world.mentee_a.pk).exists()
