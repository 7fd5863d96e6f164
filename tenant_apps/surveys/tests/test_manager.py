"""The manager's side: survey questions written with the questionnaire's editor, results that
never name the author of an aggregated-only answer (and show no figure below five answers),
announcements with a preview and an audit row; the feedback page and the home providers; a
fixed number of queries per page whatever the number of rows."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from conftest import PASSWORD, host_client, http_login
from saas.core.tenancy import connection
from tenant_apps.meetings.tests.factories import person
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import Question
from tenant_apps.surveys import home
from tenant_apps.surveys.models import Announcement, Survey, SurveyInvitation, SurveyResponse
from tenant_apps.surveys.services import announcement_send, survey_answer, survey_update
from tenant_apps.surveys.tests.factories import invite


def logged_in(program, email, **options):
    client = host_client(program)
    http_login(client, email, PASSWORD, **options)
    return client


def manager_client(world):
    return logged_in(world.program_a, world.manager_a.email, second_factor=True)


def people(count: int, role: str = "mentee", prefix: str = "p") -> list[Participant]:
    return [
        person(f"{prefix}{i}@a.example", role, f"Prénom{prefix}{i}", f"Nom{prefix}{i}")
        for i in range(count)
    ]


def answer_checkins(members: list[Participant], score: int = 4) -> None:
    survey = Survey.objects.get(kind="checkin")
    for index, member in enumerate(members):
        invitation = invite(survey, member, f"checkin:x:{index}")
        survey_answer(
            invitation=invitation,
            raw_answers={"retour-point-note": str(score), "retour-point-aide": f"Idée {index}"},
        )


# --- The editor ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_survey_questions_are_written_with_the_questionnaire_editor(world):
    with tenant_context(world.program_a):
        survey = Survey.objects.get(kind="checkin")
        before = list(Question.objects.values_list("key", flat=True))
    connection.set_schema_to_public()
    manager = manager_client(world)
    editor = f"/gestion/questionnaire/ensemble/{survey.question_set_id}/"

    # when the manager opens the survey's questions and adds a mentors-only score question
    page = manager.get(editor)
    created = manager.post(
        f"{editor}nouvelle/",
        {
            "label": "Votre mentoré progresse-t-il ?",
            "kind": "scale",
            "audience": "mentor",
            "choices_text": "",
        },
    )

    # then it belongs to the survey, not to the registration questionnaire
    assert page.status_code == 200 and "Comment se passe votre binôme ?" in page.content.decode()
    assert "matching" not in page.content.decode().lower()
    assert created.status_code == 302 and created["Location"] == editor
    with tenant_context(world.program_a):
        added = Question.all_forms.get(label="Votre mentoré progresse-t-il ?")
        assert added.question_set_id == survey.question_set_id and added.audience == "mentor"
        assert list(Question.objects.values_list("key", flat=True)) == before
        assert AuditEvent.objects.filter(action="programs.question_created").exists()
    connection.set_schema_to_public()
    # and the registration questionnaire refuses a survey-only kind; the profile never shows it
    refused = manager.post(
        "/gestion/questionnaire/nouvelle/",
        {"label": "Note", "kind": "scale", "audience": "both", "weight": "1"},
    )
    assert refused.status_code == 200
    assert (
        "Votre mentoré progresse-t-il ?"
        not in manager.get("/gestion/questionnaire/").content.decode()
    )
    mentor = logged_in(world.program_a, world.both.email)
    assert "Votre mentoré progresse-t-il ?" not in mentor.get("/profil/").content.decode()


# --- Results and anonymity ----------------------------------------------------------------------


@pytest.mark.django_db
def test_aggregated_only_answers_never_show_a_name_and_no_figure_below_five(world):
    with tenant_context(world.program_a):
        survey = Survey.objects.get(kind="checkin")
        mentees = people(5)
        mentor = people(1, "mentor", "m")
        answer_checkins(mentees[:4])
    connection.set_schema_to_public()
    manager = manager_client(world)
    results = f"/gestion/retours/{survey.pk}/resultats/"

    # when four people answered: nothing is shown
    page = manager.get(results).content.decode()
    assert "Idée 0" not in page and "4.0" not in page and "4,0" not in page

    # when five mentees and one mentor answered
    with tenant_context(world.program_a):
        answer_checkins(mentees[4:] + mentor, score=2)
    connection.set_schema_to_public()
    page = manager.get(results).content.decode()
    overview = manager.get("/gestion/retours/").content.decode()

    # then the figures show (mean 3,3 over six, mentees 3,6), the mentors' mean (one answer)
    # does not, and no page names anyone who answered
    assert "mean 3,3" in page or "moyenne 3,3" in page
    assert "3,6" in page and page.count("Idée 0") == 2
    assert page.count("Too few answers to show") + page.count("Trop peu de réponses") == 1
    for who in [*mentees, *mentor]:
        for text in (who.user.first_name, who.user.last_name, who.user.email):
            assert text not in page and text not in overview
    with tenant_context(world.program_a):
        assert not SurveyResponse.objects.filter(participant__isnull=False).exists()
        assert not AuditEvent.objects.filter(action="surveys.results_viewed").exists()
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_named_surveys_show_names_to_the_manager_and_record_the_reading(world):
    with tenant_context(world.program_a):
        survey = Survey.objects.get(kind="pair_end")
        survey_update(survey=survey, data={"is_anonymous": False})
        zoe = person("zoe.petit@a.example", "mentee", "Zoé", "Petit")
        survey_answer(
            invitation=invite(survey, zoe, "pair_end:1"),
            raw_answers={"retour-fin-recommandation": "10", "retour-fin-objectifs": "oui"},
        )
    connection.set_schema_to_public()
    manager = manager_client(world)

    page = manager.get(f"/gestion/retours/{survey.pk}/resultats/").content.decode()

    assert "Zoé Petit" in page
    with tenant_context(world.program_a):
        assert AuditEvent.objects.filter(action="surveys.results_viewed").count() == 1
        # turning it aggregated-only removes the name from the answer already given
        survey_update(survey=survey, data={"is_anonymous": True})
        assert SurveyResponse.objects.get().participant is None
    connection.set_schema_to_public()
    assert (
        "Zoé Petit" not in manager.get(f"/gestion/retours/{survey.pk}/resultats/").content.decode()
    )


@pytest.mark.django_db
def test_the_manager_edits_a_survey_and_participants_cannot(world):
    with tenant_context(world.program_a):
        survey = Survey.objects.get(kind="meeting")
    connection.set_schema_to_public()
    manager = manager_client(world)

    saved = manager.post(
        f"/gestion/retours/{survey.pk}/",
        {"title": "Après le rendez-vous", "intro": "", "audience": "mentee", "is_active": "on"},
    )

    assert saved.status_code == 302
    with tenant_context(world.program_a):
        changed = Survey.objects.get(pk=survey.pk)
        assert (changed.title, changed.audience, changed.is_anonymous) == (
            "Après le rendez-vous",
            "mentee",
            False,
        )
        event = AuditEvent.objects.get(action="surveys.survey_changed")
        assert event.details == {
            "kind": "meeting",
            "fields": ["title", "intro", "audience", "is_anonymous"],
        }
    connection.set_schema_to_public()
    mentee = logged_in(world.program_a, world.mentee_a.email)
    for url in ("/gestion/retours/", f"/gestion/retours/{survey.pk}/", "/gestion/annonces/"):
        assert mentee.get(url).status_code == 403


# --- Announcements --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_announcement_is_previewed_then_sent_to_its_audience_with_an_audit_row(world):
    manager = manager_client(world)
    data = {"audience": "mentor", "title": "Atelier <mentors>", "body": "Jeudi à 12 h."}
    with tenant_context(world.program_a):
        emails_before = Email.objects.count()
        mentors = Participant.objects.filter(role="mentor", status="active").count()
    connection.set_schema_to_public()

    # when the manager asks for the preview
    preview = manager.post("/gestion/annonces/", {**data, "step": "preview"})

    # then the preview shows it, nothing is sent
    assert preview.status_code == 200
    assert "Atelier &lt;mentors&gt;" in preview.content.decode()
    with tenant_context(world.program_a):
        assert Announcement.objects.count() == 0 and Email.objects.count() == emails_before
    connection.set_schema_to_public()

    # when they send it
    sent = manager.post("/gestion/annonces/", {**data, "step": "send"})

    # then each active mentor gets an email, the announcement is audited
    assert sent.status_code == 302
    with tenant_context(world.program_a):
        emails = Email.objects.filter(template="announcement")
        assert emails.count() == mentors >= 1
        assert world.both.email in emails.values_list("to", flat=True)
        assert emails.first().subject.endswith("Atelier <mentors>")
        event = AuditEvent.objects.get(action="surveys.announcement_sent")
        assert event.details == {"audience": "mentor", "recipients": mentors}
        assert event.actor_user_id == world.manager_a.pk
    connection.set_schema_to_public()
    # and a mentor sees it in their space, a mentee does not
    assert (
        "Jeudi à 12 h."
        in logged_in(world.program_a, world.both.email).get("/retours/").content.decode()
    )
    assert (
        "Jeudi à 12 h."
        not in logged_in(world.program_a, world.mentee_a.email).get("/retours/").content.decode()
    )


@pytest.mark.django_db
def test_an_empty_announcement_is_refused_and_nothing_is_sent(world):
    manager = manager_client(world)
    response = manager.post(
        "/gestion/annonces/", {"audience": "both", "title": " ", "body": "x", "step": "send"}
    )
    assert response.status_code == 200
    with tenant_context(world.program_a):
        assert Announcement.objects.count() == 0
        assert not Email.objects.filter(template="announcement").exists()
    connection.set_schema_to_public()


# --- Home providers ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_providers_give_the_pending_survey_and_the_latest_announcement(world):
    with tenant_context(world.program_a):
        mentee = Participant.objects.get(user=world.mentee_a)
        manager = Participant.objects.get(user=world.manager_a)
        now = timezone.now()
        assert home.pending_surveys(mentee, now) == []
        assert home.latest_announcement(mentee, now) == []
        invitation = invite(Survey.objects.get(kind="meeting"), mentee, "meeting:1")
        announcement_send(author=manager, title="Bienvenue", body="Bonjour à tous", audience="both")
        announcement_send(author=manager, title="Mentors", body="Pour eux", audience="mentor")

        pending = home.pending_surveys(mentee, now)
        news = home.latest_announcement(mentee, now)
    connection.set_schema_to_public()

    assert pending == [
        {
            "kind": "next_step",
            "priority": home.PENDING_PRIORITY,
            "title": pending[0]["title"],
            "body": pending[0]["body"],
            "url": f"/retours/{invitation.pk}/",
            "action_label": pending[0]["action_label"],
        }
    ]
    assert pending[0]["title"] and pending[0]["action_label"]
    assert [(n["kind"], n["title"], n["body"]) for n in news] == [
        ("info", "Bienvenue", "Bonjour à tous")
    ]
    assert news[0]["priority"] < pending[0]["priority"]
    assert set(news[0]) == set(pending[0])


# --- Query counts ---------------------------------------------------------------------------------


def _fill(world, count: int) -> None:
    with tenant_context(world.program_a):
        mentee = Participant.objects.get(user=world.mentee_a)
        manager = Participant.objects.get(user=world.manager_a)
        survey = Survey.objects.get(kind="meeting")
        checkin = Survey.objects.get(kind="pair_end")
        survey_update(survey=checkin, data={"is_anonymous": False})
        members = people(count, prefix=f"q{count}-")
        for index in range(count):
            invite(survey, mentee, f"meeting:{index}")
            announcement_send(author=manager, title=f"Annonce {index}", body="…", audience="both")
            survey_answer(
                invitation=invite(checkin, members[index], f"pair_end:{index}"),
                raw_answers={"retour-fin-recommandation": "8", "retour-fin-commentaire": "ok"},
            )
    connection.set_schema_to_public()


def _queries(client, url: str, django_assert_max_num_queries, limit: int) -> None:
    client.get(url)  # warm the per-host caches
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 20])
def test_pages_cost_the_same_queries_for_1_or_20_rows(world, count, django_assert_max_num_queries):
    _fill(world, count)
    with tenant_context(world.program_a):
        pair_end = Survey.objects.get(kind="pair_end").pk
        meeting = Survey.objects.get(kind="meeting").pk
        first = SurveyInvitation.objects.filter(participant__user=world.mentee_a).first().pk
    connection.set_schema_to_public()
    mentee = logged_in(world.program_a, world.mentee_a.email)
    manager = manager_client(world)

    _queries(mentee, "/retours/", django_assert_max_num_queries, 12)
    _queries(mentee, f"/retours/{first}/", django_assert_max_num_queries, 12)
    _queries(manager, "/gestion/retours/", django_assert_max_num_queries, 40)
    _queries(manager, f"/gestion/retours/{pair_end}/resultats/", django_assert_max_num_queries, 16)
    _queries(manager, f"/gestion/retours/{meeting}/", django_assert_max_num_queries, 12)
    _queries(manager, "/gestion/annonces/", django_assert_max_num_queries, 12)
    _queries(manager, "/gestion/retours/reglages/", django_assert_max_num_queries, 12)


# --- Erasure and export -------------------------------------------------------------------------


@pytest.mark.django_db
def test_erasure_keeps_named_scores_as_anonymous_statistics_without_comments(world):
    from tenant_apps.privacy.services.erasure import participant_erase
    from tenant_apps.privacy.services.export import participant_export

    with tenant_context(world.program_a):
        survey = Survey.objects.get(kind="pair_end")
        survey_update(survey=survey, data={"is_anonymous": False})
        zoe = person("zoe.petit@a.example", "mentee", "Zoé", "Petit")
        survey_answer(
            invitation=invite(survey, zoe, "pair_end:1"),
            raw_answers={"retour-fin-recommandation": "3", "retour-fin-commentaire": "Déçue"},
        )
        invite(Survey.objects.get(kind="meeting"), zoe, "meeting:1")
        exported = participant_export(participant=zoe)["data"]
        assert [r["answers"] for r in exported["surveys.SurveyResponse"]] == [
            {"retour-fin-recommandation": 3, "retour-fin-commentaire": "Déçue"}
        ]
        assert len(exported["surveys.SurveyInvitation"]) == 2

        participant_erase(participant=zoe, by=None)

        kept = SurveyResponse.objects.get()
        assert kept.participant is None and kept.submitted_at is None
        assert kept.answers == {"retour-fin-recommandation": 3}
        assert not SurveyInvitation.objects.filter(participant=zoe).exists()
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_retention_deletes_old_answers_and_announcements(world):
    from tenant_apps.privacy.services.retention import retention_apply, retention_rules
    from tenant_apps.programs.selectors import program_settings

    with tenant_context(world.program_a):
        manager = Participant.objects.get(user=world.manager_a)
        announcement_send(author=manager, title="Ancienne", body="…", audience="both")
        answer_checkins(people(1))
        later = timezone.now() + timedelta(days=25 * 31)
        counts = retention_apply(now=later)
        assert counts["surveys_deleted"] >= 2  # the person's invitation went with them
        assert not Announcement.objects.exists() and not SurveyResponse.objects.exists()
        rules = [rule["data"] for rule in retention_rules(program_settings())]
        assert any("nnonce" in str(rule) or "nnounce" in str(rule) for rule in rules)
    connection.set_schema_to_public()
