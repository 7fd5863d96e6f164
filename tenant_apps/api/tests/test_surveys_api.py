"""The surveys' aggregated results through the REST API: counts, means and NPS per question,
never one person's answer, never a free text, no figure below 5 answers (the dashboard's
"< 5" rule) — also for a survey whose managers see names."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from shared_apps.accounts.models import User
from tenant_apps.api.tests.helpers import api_client, make_key
from tenant_apps.outcomes import selectors as outcomes
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_add
from tenant_apps.surveys import selectors as surveys
from tenant_apps.surveys.models import Survey
from tenant_apps.surveys.services import survey_answer, survey_update
from tenant_apps.surveys.tests.factories import invite

pytestmark = pytest.mark.django_db
COMMENT = "Ma mentore m'a beaucoup aidée"


def _answers(program, kind, answers, *, role="mentee", anonymous=True):
    """`answers` given to the `kind` survey by as many new people of `role`, through the
    service a participant's answer page calls. Returns the survey's id and the people's ids."""
    with tenant_context(program):
        survey = Survey.objects.get(kind=kind)
        if survey.is_anonymous != anonymous:
            survey_update(survey=survey, data={"is_anonymous": anonymous})
        people = []
        for index, raw in enumerate(answers):
            number = Participant.objects.count()
            user = User.objects.create_user(email=f"{kind}-{role}-{number}-{index}@a.example")
            person = participant_add(user=user, role=role)
            survey_answer(invitation=invite(survey, person, f"test:{number}"), raw_answers=raw)
            people.append(person.pk)
    connection.set_schema_to_public()
    return survey.pk, people


def _nps(score, **extra):
    return {"retour-fin-recommandation": str(score), **extra}


def test_a_key_lists_the_surveys_of_its_programme(world):
    _key, raw = make_key(world.program_a, scope="read")
    response = api_client(world.program_a, raw).get("/api/v1/surveys/", {"limit": 2})
    assert response.status_code == 200
    page = response.json()
    assert [row["kind"] for row in page["results"]] == ["meeting", "checkin"]
    assert set(page["results"][0]) == {
        "id", "kind", "title", "audience", "is_anonymous", "is_active", "created_at",
        "updated_at",
    }  # fmt: skip
    rest = api_client(world.program_a, raw).get(page["next"]).json()
    assert [row["kind"] for row in rest["results"]] == ["pair_end", "programme_end"]
    assert rest["next"] is None


def test_results_aggregate_per_question_and_hide_small_groups(world):
    # given 6 mentees and 2 mentors answered the (aggregated-only) end-of-pair survey
    mentees = [
        _nps(10, **{"retour-fin-objectifs": "oui", "retour-fin-commentaire": COMMENT}),
        _nps(9, **{"retour-fin-objectifs": "oui"}),
        _nps(9, **{"retour-fin-objectifs": "en-partie"}),
        _nps(8, **{"retour-fin-objectifs": "oui"}),
        _nps(6, **{"retour-fin-objectifs": "non"}),
        _nps(3),
    ]
    survey_id, _people = _answers(world.program_a, "pair_end", mentees)
    _answers(world.program_a, "pair_end", [_nps(10), _nps(7)], role="mentor")
    _key, raw = make_key(world.program_a, scope="read")
    # when the HR system reads the results
    response = api_client(world.program_a, raw).get(f"/api/v1/surveys/{survey_id}/results/")
    # then the figures per question, 8 answers in all
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["responses"], body["answered"], body["invited"]) == (
        "pair_end", 8, 8, 8,
    )  # fmt: skip
    assert (body["suppressed"], body["min_group"]) == (False, 5)
    questions = {q["key"]: q for q in body["questions"]}
    nps = questions["retour-fin-recommandation"]
    # promoters 10, 9, 9, 10 (4), detractors 6, 3 (2), of 8: (4 - 2) / 8 = 25
    assert (nps["responses"], nps["nps"], nps["mean"], nps["suppressed"]) == (8, 25, 7.8, False)
    assert [(d["value"], d["count"]) for d in nps["distribution"]] == [
        ("detractors", 2), ("passives", 2), ("promoters", 4),
    ]  # fmt: skip
    # the 2 mentors are a group below 5: no figure for them
    assert nps["by_role"] == [
        {"role": "mentee", "suppressed": False, "responses": 6, "mean": 7.5},
        {"role": "mentor", "suppressed": True, "responses": None, "mean": None},
    ]
    goals = questions["retour-fin-objectifs"]
    assert goals["responses"] == 5 and goals["mean"] is None
    assert [(d["value"], d["count"]) for d in goals["distribution"]] == [
        ("oui", 3), ("en-partie", 1), ("non", 1),
    ]  # fmt: skip
    assert [d["label"] for d in goals["distribution"]] == ["Oui", "En partie", "Non"]
    # one comment, and a free text is never given anyway; 0 answers to the reason
    for key in ("retour-fin-commentaire", "retour-fin-raison"):
        assert questions[key]["suppressed"] is True
        assert questions[key]["responses"] is None and questions[key]["distribution"] == []
    assert COMMENT not in response.content.decode()


def test_fewer_than_five_answers_give_no_figure_even_with_names(world):
    # given a survey that shows names to the managers, answered by 3 people
    survey_id, _people = _answers(
        world.program_a,
        "pair_end",
        [_nps(10, **{"retour-fin-commentaire": COMMENT}), _nps(2), _nps(9)],
        anonymous=False,
    )
    _key, raw = make_key(world.program_a, scope="read")
    # when its results are read through the API
    response = api_client(world.program_a, raw).get(f"/api/v1/surveys/{survey_id}/results/")
    # then nothing computed from 3 answers, no text, no participant id
    body = response.json()
    assert response.status_code == 200
    assert (body["is_anonymous"], body["suppressed"]) == (False, True)
    assert (body["responses"], body["answered"], body["invited"]) == (None, None, 3)
    for question in body["questions"]:
        assert question["suppressed"] is True
        assert [question[f] for f in ("responses", "mean", "nps")] == [None, None, None]
        assert question["distribution"] == question["by_role"] == []
    assert COMMENT not in response.content.decode()
    assert not {"participant", "participant_id", "answers"} & _keys(body)


def test_free_text_is_never_given_even_with_five_answers_and_names(world):
    texts = [f"{COMMENT} ({n})" for n in range(5)]
    survey_id, _people = _answers(
        world.program_a,
        "pair_end",
        [_nps(9, **{"retour-fin-commentaire": text}) for text in texts],
        anonymous=False,
    )
    _key, raw = make_key(world.program_a, scope="read")
    response = api_client(world.program_a, raw).get(f"/api/v1/surveys/{survey_id}/results/")
    comment = {q["key"]: q for q in response.json()["questions"]}["retour-fin-commentaire"]
    assert (comment["kind"], comment["responses"], comment["suppressed"]) == ("text", 5, False)
    assert comment["distribution"] == [] and COMMENT not in response.content.decode()


def test_results_speak_the_clients_language_and_carry_an_etag(world):
    survey_id, _people = _answers(world.program_a, "pair_end", [_nps(n) for n in (0, 5, 8, 9, 10)])
    _key, raw = make_key(world.program_a, scope="read")
    client = api_client(world.program_a, raw)
    url = f"/api/v1/surveys/{survey_id}/results/"
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").json()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    labels = [d["label"] for d in french["questions"][0]["distribution"]]
    assert labels == ["Détracteurs (0–6)", "Passifs (7–8)", "Promoteurs (9–10)"]
    assert english.json()["questions"][0]["distribution"][0]["label"] == "Detractors (0–6)"
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=english["ETag"])
    assert again.status_code == 304
    missing = client.get("/api/v1/surveys/999999/results/", HTTP_ACCEPT_LANGUAGE="fr")
    assert missing.status_code == 404 and set(missing.json()) == {"code", "message", "fields"}


def test_the_api_hides_groups_like_the_dashboard():
    """One rule across the product: below 5, "< 5" and no figure."""
    assert surveys.MIN_GROUP == outcomes.MIN_GROUP == 5
    assert outcomes.SUPPRESSED == "< 5"


def _keys(value):
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in _keys(item)}
    if isinstance(value, list):
        return {k for item in value for k in _keys(item)}
    return set()
