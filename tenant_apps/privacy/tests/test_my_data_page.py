"""“Mes données”: the person's data in plain French, by section, with labels instead of codes;
the JSON download stays complete for portability."""

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from tenant_apps.privacy.hooks import export_sources
from tenant_apps.privacy.services.export import SECTIONS

# Words of the database that must not reach the French page.
DATABASE_WORDS = [
    "participants.Answer",
    "matching.Match",
    "meetings.Meeting",
    "notifications.Email",
    "audit.AuditEvent",
    "created_at",
    "first_name",
    "date_joined",
    "two_factor",
    "joined_via",
    "is_available",
    "expires_at",
    "mentee_id",
    "proposed_by",
    "privacy.exported",
    "participant.invited",
]


def test_every_exported_model_says_how_it_reads_in_words():
    for label, source in export_sources().items():
        if source.rows is None:
            continue
        assert source.present is not None, f"{label}: add present= to its Source"
        assert source.section in SECTIONS, f"{label}: unknown section {source.section!r}"


@pytest.fixture
def mentee_with_history(world, django_capture_on_commit_callbacks):
    """Mentee A: a first name, answers with codes, a mentor, a meeting, an email, a note."""
    from shared_apps.accounts.models import User
    from tenant_apps.matching.services import match_create_manual
    from tenant_apps.meetings.services import meeting_accept, meeting_propose
    from tenant_apps.participants.models import Answer, Participant
    from tenant_apps.participants.services import participant_add
    from tenant_apps.programs.models import Question

    with tenant_context(world.program_a):
        mentee = Participant.objects.get(user=world.mentee_a)
        User.objects.filter(pk=world.mentee_a.pk).update(first_name="Alice", last_name="Martin")
        mentor_user = User.objects.create_user(
            email="hugo@a.example", password=PASSWORD, first_name="Hugo", last_name="Bernard"
        )
        mentor = participant_add(user=mentor_user, role=Participant.Role.MENTOR)
        job = Question.objects.create(
            key="metier",
            label="Votre métier",
            kind="single",
            choices=[{"value": "it", "label": "Informatique"}, {"value": "rh", "label": "RH"}],
        )
        topics = Question.objects.create(
            key="themes",
            label="Thèmes souhaités",
            kind="multiple",
            choices=[
                {"value": "carriere", "label": "Carrière"},
                {"value": "management", "label": "Management"},
            ],
        )
        city = Question.objects.create(key="ville", label="Ville", kind="text")
        remote = Question.objects.create(key="distance", label="À distance ?", kind="yes_no")
        Answer.objects.create(participant=mentee, question=job, value="it")
        Answer.objects.create(participant=mentee, question=topics, value=["carriere", "management"])
        Answer.objects.create(participant=mentee, question=city, value="Lyon")
        Answer.objects.create(participant=mentee, question=remote, value=True)
        match = match_create_manual(mentee=mentee, mentor=mentor)
        start = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
        meeting = meeting_propose(
            match=match, by=mentee, slots=[(start, start + timedelta(hours=1))]
        )
        meeting_accept(meeting=meeting, by=mentor, slot_id=meeting.slots.get().pk)
    connection.set_schema_to_public()
    return world.mentee_a


@pytest.mark.django_db
def test_my_data_reads_in_french_by_section_with_labels(world, mentee_with_history):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, PASSWORD)
    # when Alice opens "Mes données"
    page = client.get("/espace/mes-donnees/").content.decode()
    # then every section is there, titled in French
    for title in (
        "Votre compte",
        "Votre profil et vos réponses",
        "Vos binômes",
        "Vos rendez-vous",
        "Messages envoyés",
        "Journal",
    ):
        assert f">{title}</h2>" in page, title
    # answers are shown with the question's label and the options' labels, not their codes
    assert "Votre métier" in page and "Informatique" in page
    assert "Carrière, Management" in page
    assert "Lyon" in page and "À distance ?" in page
    assert re.search(r"<dd>\s*it\s*</dd>", page) is None
    assert "carriere" not in page
    # the pair and the meeting name the other person and say what happened, in words
    assert "Hugo Bernard" in page
    assert "Mentoré(e)" in page and "Confirmé" in page
    # the journal says what happened, in words
    assert "Consultation de vos données" in page
    # no database words anywhere in the French page
    found = [word for word in DATABASE_WORDS if word in page]
    assert found == []


@pytest.mark.django_db
def test_the_json_download_stays_complete(world, mentee_with_history):
    from tenant_apps.participants.models import Participant

    # given a manager looked at Alice's profile
    with tenant_context(world.program_a):
        alice = Participant.objects.get(user=world.mentee_a)
    connection.set_schema_to_public()
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    assert manager.get(f"/gestion/participants/{alice.pk}/").status_code == 200
    # when Alice downloads her data
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, PASSWORD)
    export = json.loads(client.get("/espace/mes-donnees/?format=json").content)
    data = export["data"]
    assert {row["value"] for row in data["participants.Answer"] if row["value"] == "it"} == {"it"}
    assert len(data["matching.Match"]) == 1
    assert len(data["meetings.Meeting"]) == 1
    assert len(data["meetings.MeetingSlot"]) == 1
    assert data["notifications.Email"]  # the meeting emails
    assert export["account"]["first_name"] == "Alice"
    # the journal holds what she did and what was done about her (the manager's view)
    actions = {row["action"] for row in data["audit.AuditEvent"]}
    assert {"auth.login", "privacy.exported", "participant.profile_viewed"} <= actions
    # and the page says it in words
    page = client.get("/espace/mes-donnees/").content.decode()
    assert "Votre profil a été consulté par un·e responsable" in page
