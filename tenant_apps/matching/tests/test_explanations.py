"""What the manager and the mentees read about a matching: answer labels in proper French
sentences, no empty lines, and a run that says what it did and who was left out, and why."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from tenant_apps.matching.models import Match, MatchBan
from tenant_apps.matching.tests.test_flows import _answer, _person
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import ProgramSettings, Question


@pytest.fixture
def labelled(world):
    """Programme A, manager mode: a job question whose options have labels unlike their codes,
    a topics question, and a hard rule (never two people of the same service)."""
    with tenant_context(world.program_a):
        Question.objects.create(
            key="metier",
            label="Votre métier",
            kind="single",
            criterion="same",
            weight=2,
            choices=[
                {"value": "it", "label": "Informatique"},
                {"value": "rh", "label": "Ressources humaines"},
            ],
        )
        Question.objects.create(
            key="themes",
            label="Thèmes souhaités",
            kind="multiple",
            criterion="overlap",
            weight=1,
            choices=[
                {"value": "carriere", "label": "Carrière"},
                {"value": "management", "label": "Management"},
            ],
        )
        Question.objects.create(
            key="langue",
            label="Langue",
            kind="single",
            criterion="same",
            weight=1,
            choices=[{"value": "fr", "label": "Français"}, {"value": "en", "label": "Anglais"}],
        )
        Question.objects.create(
            key="service",
            label="Service",
            kind="single",
            criterion="same",
            weight=0,
            hard_rule="must_differ",
            choices=[{"value": "nord", "label": "Nord"}, {"value": "sud", "label": "Sud"}],
        )
        people = {
            "lea": _person("lea@a.example", "mentee"),
            "noe": _person("noe@a.example", "mentee"),
            "zoe": _person("zoe@a.example", "mentee"),
            "ivy": _person("ivy@a.example", "mentee", status="invited"),
            "amy": _person("amy@a.example", "mentee"),
            "rita": _person("rita@a.example", "mentor", capacity=1),
            "ugo": _person("ugo@a.example", "mentor", capacity=1),
            "tom": _person("tom@a.example", "mentor", capacity=1),
            "wes": _person("wes@a.example", "mentor", status="invited"),
        }
        answers = {
            "lea": ("it", ["carriere", "management"], "en", "nord"),
            "noe": ("rh", ["carriere"], "fr", "nord"),
            "zoe": ("it", ["management"], "fr", "nord"),
            "rita": ("it", ["carriere"], "fr", "sud"),
            "ugo": ("rh", ["management"], "fr", "nord"),
            "tom": ("rh", ["carriere"], "fr", "nord"),
        }
        for name, (metier, themes, langue, service) in answers.items():
            _answer(people[name], "metier", metier)
            _answer(people[name], "themes", themes)
            _answer(people[name], "langue", langue)
            _answer(people[name], "service", service)
        # tom is full (one place, taken by amy); zoe was refused with rita by the manager
        Match.objects.create(mentee=people["amy"], mentor=people["tom"], status="active")
        MatchBan.objects.create(mentee=people["zoe"], mentor=people["rita"])
        # the people every test shares stay out of this cohort
        Participant.objects.filter(user__in=[world.mentee_a, world.both]).update(is_available=False)
    connection.set_schema_to_public()
    return people


@pytest.fixture
def manager(world):
    client = host_client(world.program_a)
    http_login(client, world.manager_a.email, PASSWORD, second_factor=True)
    return client


@pytest.mark.django_db
def test_a_run_says_how_many_proposals_and_who_was_left_out_and_why(world, labelled, manager):
    # when the manager runs the matching
    page = manager.post("/gestion/binomes/lancer/", follow=True).content.decode()
    # then lea is proposed to rita (same job, a topic in common); noe and zoe are left out:
    # zoe's other mentors are of her own service (hard rule) and rita was refused for her;
    # noe's only compatible mentor (rita) has no place left once lea has her
    with tenant_context(world.program_a):
        proposed = list(Match.objects.filter(status="proposed").values_list("mentee", "mentor"))
    connection.set_schema_to_public()
    assert proposed == [(labelled["lea"].pk, labelled["rita"].pk)]
    assert "1 nouvelle proposition est prête à être relue." in page
    assert (
        "1 mentoré·e sans mentor compatible (règle obligatoire, ou binôme déjà formé ou refusé)."
        in page
    )
    assert "1 mentoré·e dont les mentors compatibles n’ont plus de place." in page
    assert "1 mentoré·e n’a pas encore activé son compte." in page
    assert "1 mentor n’a plus de place." in page
    assert "1 mentor n’a pas encore activé son compte." in page


@pytest.mark.django_db
def test_a_run_that_proposes_nobody_does_not_say_proposals_are_ready(world, labelled, manager):
    # given no mentor is available any more
    with tenant_context(world.program_a):
        Participant.objects.filter(role="mentor").update(is_available=False)
    connection.set_schema_to_public()
    # when the manager runs the matching
    page = manager.post("/gestion/binomes/lancer/", follow=True).content.decode()
    # then the page says nothing was proposed, and why
    assert "Aucune nouvelle proposition." in page
    assert "nouvelles propositions sont prêtes" not in page.lower()
    assert "3 mentoré·es en attente, mais aucun mentor n’est disponible." in page


@pytest.mark.django_db
def test_explanations_use_answer_labels_in_sentences_without_empty_lines(world, labelled, manager):
    manager.post("/gestion/binomes/lancer/")
    page = manager.get("/gestion/binomes/").content.decode()
    # lea–rita: same job, one topic in common, different languages (0 points)
    assert "même réponse à « Votre métier » : Informatique" in page
    assert "en commun pour « Thèmes souhaités » : Carrière" in page
    assert "(it)" not in page and "carriere" not in page
    assert " 0 points" not in page and "Langue" not in page


@pytest.mark.django_db
def test_mentees_read_the_same_sentences_in_their_suggestions(world, labelled):
    with tenant_context(world.program_a):
        ProgramSettings.objects.filter(id=1).update(matching_mode="choice")
    connection.set_schema_to_public()
    client = host_client(world.program_a)
    http_login(client, "lea@a.example", PASSWORD)
    page = client.get("/binome/").content.decode()
    assert "même réponse à « Votre métier » : Informatique" in page
    assert "(it)" not in page and " 0 points" not in page


@pytest.mark.django_db
def test_publishing_says_how_many_pairs_were_published(world, labelled, manager):
    publish = {"confirmed": "1"}  # from the confirmation page
    nothing = manager.post("/gestion/binomes/publier/", publish, follow=True).content.decode()
    assert "Aucune proposition à publier." in nothing
    assert "tout le monde a été prévenu" not in nothing.lower()
    manager.post("/gestion/binomes/lancer/")
    page = manager.post("/gestion/binomes/publier/", publish, follow=True).content.decode()
    assert "1 binôme publié : les deux personnes ont été prévenues par email." in page
