"""The manager edits the questionnaire; participants answer it in their profile."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.programs.models import Question


def _question_form(**extra):
    return {
        "label": "Votre métier",
        "mentor_label": "",
        "help_text": "",
        "kind": "single",
        "choices_text": "Ressources humaines\nInformatique\nComptabilité",
        "audience": "both",
        "criterion": "same",
        "weight": "3",
        "hard_rule": "",
        **extra,
    }


@pytest.mark.django_db
def test_manager_builds_reorders_and_archives_questions_and_answers_survive(world, manager_client):
    assert (
        manager_client.post("/gestion/questionnaire/nouvelle/", _question_form()).status_code == 302
    )
    manager_client.post(
        "/gestion/questionnaire/nouvelle/",
        _question_form(label="Ville", kind="text", criterion="", choices_text=""),
    )
    with tenant_context(world.program_a):
        metier, ville = Question.objects.order_by("position")
        assert metier.key == "votre-metier"
        assert [c["label"] for c in metier.choices] == [
            "Ressources humaines",
            "Informatique",
            "Comptabilité",
        ]
        mentee = Participant.objects.get(user=world.mentee_a)
        Answer.objects.create(participant=mentee, question=metier, value="informatique")
    connection.set_schema_to_public()
    # move Ville up, archive Métier: the answer stays
    manager_client.post(f"/gestion/questionnaire/{ville.pk}/monter/")
    manager_client.post(f"/gestion/questionnaire/{metier.pk}/archiver/")
    # reword a choice: the answers given keep their value
    manager_client.post(
        f"/gestion/questionnaire/{metier.pk}/",
        _question_form(choices_text="Ressources humaines\nInformatique"),
    )
    with tenant_context(world.program_a):
        assert list(Question.objects.filter(is_archived=False)) == [ville]
        assert Answer.objects.get(question=metier).value == "informatique"
        assert Question.objects.get(pk=metier.pk).key == "votre-metier"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"choices_text": "Une seule"}, "Donnez au moins deux choix"),
        ({"kind": "text", "choices_text": ""}, "Ce critère ne convient pas"),
        ({"criterion": "", "hard_rule": "must_differ"}, "Une règle impérative demande un critère"),
        ({"audience": "mentee"}, "doit être posée aux mentorés et aux mentors"),
        ({"weight": "12"}, "Donnez un poids de 0 à 10."),
    ],
)
def test_inconsistent_questions_are_refused(world, manager_client, changes, message):
    response = manager_client.post("/gestion/questionnaire/nouvelle/", _question_form(**changes))
    assert message in response.content.decode()
    with tenant_context(world.program_a):
        assert not Question.objects.exists()


@pytest.mark.django_db
def test_participant_answers_in_their_profile(world):
    with tenant_context(world.program_a):
        Question.objects.create(
            key="metier",
            label="Métier",
            kind="single",
            audience="both",
            is_required=True,
            choices=[{"value": "rh", "label": "RH"}, {"value": "it", "label": "IT"}],
        )
        Question.objects.create(
            key="annees", label="Années d’expérience", kind="number", audience="mentor"
        )
    connection.set_schema_to_public()
    mentee = host_client(world.program_a)
    http_login(mentee, world.mentee_a.email, PASSWORD)
    page = mentee.get("/profil/").content.decode()
    assert "Métier" in page and "Années" not in page  # the mentor-only question is not asked
    missing = mentee.post("/profil/", {"is_available": "on"})
    assert "Cette question demande une réponse." in missing.content.decode()
    assert mentee.post("/profil/", {"q_metier": "it"}).status_code == 302
    mentor = host_client(world.program_a)
    http_login(mentor, world.both.email, PASSWORD)
    bad = mentor.post("/profil/", {"q_metier": "rh", "q_annees": "12", "capacity": "11"})
    assert bad.status_code == 200
    assert (
        mentor.post(
            "/profil/",
            {"q_metier": "rh", "q_annees": "12,5", "capacity": "3", "is_available": "on"},
        ).status_code
        == 302
    )
    with tenant_context(world.program_a):
        both = Participant.objects.get(user=world.both)
        mine = Participant.objects.get(user=world.mentee_a)
        assert Answer.objects.get(participant=mine).value == "it"
        assert Answer.objects.get(participant=both, question__key="annees").value == 12.5
        assert (both.capacity, both.is_available) == (3, True)
        assert mine.is_available is False  # unticked: paused


@pytest.mark.django_db
def test_newcomers_land_on_the_questionnaire(world, django_capture_on_commit_callbacks):
    import re

    from django.core import mail

    from tenant_apps.participants.services import participant_invite

    with tenant_context(world.program_a):
        Question.objects.create(key="metier", label="Métier", kind="text", audience="both")
        with django_capture_on_commit_callbacks(execute=True):
            participant_invite(email="new@a.example", role="mentee")
    connection.set_schema_to_public()
    path = re.search(r"(/acces/[^\s/]+/)", mail.outbox[-1].body).group(1)
    client = host_client(world.program_a)
    password = "une phrase de passe assez longue"
    response = client.post(path, {"password": password, "password_confirm": password})
    assert response["Location"] == "/profil/"
