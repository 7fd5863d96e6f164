"""Right to erasure: nothing of the person is left in the programme's schema; statistics stay;
refusals change nothing."""

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.core.errors import NotAllowed
from shared_apps.accounts.models import User
from shared_apps.accounts.tests.tombstone import assert_identity_erased
from tenant_apps.matching.models import Match, MatchRequest
from tenant_apps.meetings.models import Meeting, MeetingAttendance, MeetingNote
from tenant_apps.meetings.tests.test_attendance import deliver
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.privacy.hooks import erase_rules, export_sources
from tenant_apps.privacy.services.erasure import participant_erase
from tenant_apps.privacy.tests.test_export import models_referring_to_a_person
from tenant_apps.video.models import WebhookEvent
from tenant_apps.video.tests.fixtures import whereby_fake

__all__ = ["whereby_fake"]

FREE_TEXT = "Je voudrais progresser en négociation avec Xavière"


def test_every_model_referring_to_a_person_says_how_it_is_erased():
    assert models_referring_to_a_person() - set(erase_rules()) == set()
    assert set(export_sources()) == set(erase_rules())


# Every column type that can hold text: strings, JSON, bytes and arrays of them.
SCANNED_TYPES = ("text", "character varying", "character", "json", "jsonb", "bytea", "ARRAY")


def _text_columns(schema: str) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.table_name, c.column_name, c.data_type
               FROM information_schema.columns c JOIN information_schema.tables t
                 ON t.table_schema = c.table_schema AND t.table_name = c.table_name
               WHERE c.table_schema = %s AND t.table_type = 'BASE TABLE'
                 AND c.data_type = ANY(%s)""",
            [schema, list(SCANNED_TYPES)],
        )
        return cursor.fetchall()


def _contains(column: str, data_type: str) -> str:
    """SQL true when the column holds the needle (%s): bytes searched as UTF-8 bytes, text
    case-insensitively with calendar lines unfolded (RFC 5545 folds them at 75 octets, raw or
    JSON-escaped), so a folded address is still found."""
    if data_type == "bytea":
        return f"position(convert_to(%s, 'UTF8') in \"{column}\") > 0"
    unfolded = rf"""replace(replace("{column}"::text, E'\r\n ', ''), '\r\n ', '')"""
    return f"{unfolded} ILIKE '%%' || %s || '%%'"


def _traces(schema: str, needles: list[str]) -> list[str]:
    """Every text, JSON, bytes or array column of every table of `schema` that contains one of
    `needles` (also HTML-escaped, as in an email's HTML body)."""
    variants = sorted({v for n in needles for v in (n, html.escape(n), html.escape(n, False))})
    found = []
    with connection.cursor() as cursor:
        for table, column, data_type in _text_columns(schema):
            for needle in variants:
                cursor.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" '
                    f"WHERE {_contains(column, data_type)}",
                    [needle],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{schema}.{table}.{column} contains {needle!r}")
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


@pytest.fixture
def mentee_with_history(world, whereby_fake, django_capture_on_commit_callbacks):
    """mentee_a (Xavière Quenouille) after a real life in programme A, made with the services
    people's actions call: answers, a matching run and its publication (emails to her mentor
    that name her), a meeting held on video (Whereby webhooks recorded), an upcoming meeting
    with calendar invitations carrying her address and a proposed move still in the outbox,
    notes and next steps, a request to another mentor, emails to her."""
    from tenant_apps.matching.services import matching_run, proposals_publish
    from tenant_apps.meetings.services import (
        meeting_accept,
        meeting_move_propose,
        meeting_next_steps_save,
        meeting_note_save,
        meeting_propose,
    )
    from tenant_apps.meetings.tests.factories import slot
    from tenant_apps.notifications.models import Email
    from tenant_apps.programs.models import Question

    User.objects.filter(pk=world.mentee_a.pk).update(first_name="Xavière", last_name="Quenouille")
    with tenant_context(world.program_a):
        mentee = Participant.objects.select_related("user").get(user=world.mentee_a)
        mentor = Participant.objects.select_related("user").get(user=world.both)
        question = Question.objects.create(key="objectif", label="Objectif", kind="text")
        Answer.objects.create(participant=mentee, question=question, value=FREE_TEXT)
        with django_capture_on_commit_callbacks(execute=True):  # the emails go out
            matching_run()
            assert proposals_publish() == 1
            match = Match.objects.get(mentee=mentee, status="active")
            held = meeting_propose(match=match, by=mentee, slots=[slot(timedelta(minutes=5))])
            held = meeting_accept(meeting=held, by=mentor, slot_id=held.slots.get().pk)
            upcoming = meeting_propose(match=match, by=mentee, slots=[slot(timedelta(days=2))])
            upcoming = meeting_accept(meeting=upcoming, by=mentor, slot_id=upcoming.slots.get().pk)
        meeting_move_propose(meeting=upcoming, by=mentee, slots=[slot(timedelta(days=3))])
        meeting_note_save(meeting=upcoming, by=mentee, text=FREE_TEXT)
        meeting_next_steps_save(meeting=upcoming, by=mentee, text=FREE_TEXT)
        MatchRequest.objects.create(
            mentee=mentee,
            mentor=Participant.objects.get(user=world.manager_a),
            message=FREE_TEXT,
            expires_at=timezone.now() + timedelta(days=1),
        )
        Email.objects.create(
            to=world.mentee_a.email, subject="x", body_text=FREE_TEXT, template="t"
        )
        held = Meeting.objects.get(pk=held.pk)
        assert Email.objects.filter(to=world.both.email, status="sent").count() >= 3
    connection.set_schema_to_public()
    # both people join the video meeting: Whereby's webhooks are recorded (with her name in
    # the payload, as Whereby sends the display name)
    for person, role in ((mentee, "visitor"), (mentor, "host")):
        deliver(
            whereby_fake,
            held,
            "room.client.joined",
            externalId=f"p{person.pk}",
            roleName=role,
            displayName="Xavière Quenouille",
        )
    return mentee


@pytest.mark.django_db
def test_self_erasure_leaves_no_trace_and_keeps_the_statistics(world, mentee_with_history):
    schema = world.program_a.schema_name
    needles = [world.mentee_a.email, "Xavière", "Quenouille", FREE_TEXT[:30]]
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, PASSWORD)
    manager = host_client(world.program_a)  # a manager's look at her profile is audited
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    manager.get(f"/gestion/participants/{mentee_with_history.pk}/")
    before = _traces(schema, needles)
    # the scan finds her in the outbox rows sent to her mentor, subjects, HTML and calendars
    for column in ("email.subject", "email.body_text", "email.body_html", "email.attachments"):
        assert any(f".notifications_{column} contains " in found for found in before), column
    with tenant_context(world.program_a):
        counts = (Match.objects.count(), Meeting.objects.count(), Participant.objects.count())
        assert WebhookEvent.objects.count() == 2 and MeetingAttendance.objects.count() == 2
    refused = client.post("/espace/mes-donnees/effacer/", {"password": PASSWORD, "confirm": "non"})
    assert refused.status_code == 200
    response = client.post(
        "/espace/mes-donnees/effacer/", {"password": PASSWORD, "confirm": "effacer"}
    )
    assert response.status_code == 302 and response["Location"] == "/donnees-effacees/"
    # then nothing of the person is left in the programme's schema, nor in public
    assert _traces(schema, needles) == []
    assert _traces("public", needles) == []
    # no membership left: the identity is a tombstone
    assert_identity_erased(world.mentee_a.pk, email=world.mentee_a.email)
    # the statistics stay right
    with tenant_context(world.program_a):
        assert (
            Match.objects.count(),
            Meeting.objects.count(),
            Participant.objects.count(),
        ) == counts
        erased = Participant.objects.get(pk=mentee_with_history.pk)
        assert erased.status == "erased" and not erased.user.is_active
        assert sorted(Meeting.objects.values_list("status", flat=True)) == ["cancelled", "held"]
        assert MeetingAttendance.objects.count() == 2
        assert Match.objects.get().end_reason == "erasure"
        from audit.models import AuditEvent

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
    assert_identity_erased(world.mentee_a.pk, email=world.mentee_a.email)
