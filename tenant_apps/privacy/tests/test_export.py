"""Right of access: the export covers every model that refers to a person."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from tenant_apps.participants.models import Participant
from tenant_apps.privacy.export import SOURCES


def models_referring_to_a_person() -> set[str]:
    """Every model with a relation to a participant or a user, from the registry."""
    person_models = {Participant, apps.get_model(settings.AUTH_USER_MODEL)}
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model in person_models:
                found.add(model._meta.label)
    return found | {settings.AUTH_USER_MODEL}


def test_every_model_referring_to_a_person_says_how_it_is_exported():
    missing = models_referring_to_a_person() - set(SOURCES)
    assert missing == set(), f"add these to tenant_apps/privacy/export.py SOURCES: {missing}"


@pytest.mark.django_db
def test_participant_downloads_their_data_and_nothing_secret(
    world, django_capture_on_commit_callbacks
):
    from tenant_apps.matching.services import match_create_manual
    from tenant_apps.meetings.models import Meeting
    from tenant_apps.participants.models import Answer
    from tenant_apps.programs.models import Question

    with tenant_context(world.program_a):
        mentee = Participant.objects.get(user=world.mentee_a)
        mentor = Participant.objects.get(user=world.both)
        question = Question.objects.create(key="ville", label="Ville", kind="text")
        Answer.objects.create(participant=mentee, question=question, value="Lyon")
        match = match_create_manual(mentee=mentee, mentor=mentor)
        start = timezone.now() + timedelta(days=3)
        Meeting.objects.create(
            match=match,
            proposed_by=mentee,
            status="confirmed",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            video_room_url="https://binome.whereby.com/secret-room",
        )
    connection.set_schema_to_public()
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, PASSWORD)
    page = client.get("/espace/mes-donnees/")
    assert page.status_code == 200 and "Lyon" in page.content.decode()
    response = client.get("/espace/mes-donnees/?format=json")
    export = json.loads(response.content)
    text = response.content.decode()
    assert export["account"]["email"] == world.mentee_a.email
    assert export["data"]["participants.Answer"][0]["value"] == "Lyon"
    assert len(export["data"]["matching.Match"]) == 1
    assert len(export["data"]["meetings.Meeting"]) == 1
    assert "secret-room" not in text and "password" not in text and "token_hash" not in text
    # programme B is not mentioned: the per-programme export reveals no other membership
    assert world.program_b.schema_name not in text and "Programme B" not in text
    with tenant_context(world.program_a):
        from audit.models import AuditEvent

        assert AuditEvent.objects.filter(action="privacy.exported").count() == 2
