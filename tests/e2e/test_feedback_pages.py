"""Feedback and announcements in the browser, at 390 px and 1280 px: a mentee answers the
meeting question from the email's link (the score clicked is pre-selected, the page stores it
on confirmation), the feedback page and the answer page; the manager's surveys, results,
settings, the survey's questions in the questionnaire editor, announcements with their
preview and the dashboard with a score distribution's chart. axe-core finds nothing on any of
them, nothing scrolls sideways."""

from datetime import timedelta

import pytest

from tests.e2e.test_journey import assert_accessible
from tests.e2e.test_phone_layout import DESKTOP, PHONE, _check_layout, _in_thread, _log_in

pytestmark = pytest.mark.e2e

PASSWORD = "une phrase de passe vraiment solide"
MANAGER = "retours.manager@e2e.example"
MENTEE = "retours.mentoree@e2e.example"
MENTOR = "retours.mentor@e2e.example"


@pytest.fixture(scope="module")
def feedback(live_site, django_db_blocker):
    def work(made: dict) -> None:
        from django.utils import timezone
        from django_tenants.utils import tenant_context

        from shared_apps.accounts.models import User
        from shared_apps.accounts.otp import recovery_codes_generate
        from tenant_apps.matching.services import match_create_manual
        from tenant_apps.meetings.models import Meeting
        from tenant_apps.notifications.models import Email
        from tenant_apps.participants.services import participant_add
        from tenant_apps.surveys.models import Survey, SurveyInvitation
        from tenant_apps.surveys.services import (
            announcement_send,
            answer_token,
            survey_answer,
            surveys_due_process,
        )
        from tenant_apps.surveys.tests.factories import invite

        with django_db_blocker.unblock():
            manager_user = User.objects.create_user(email=MANAGER, password=PASSWORD)
            made["codes"] = recovery_codes_generate(user=manager_user)
            with tenant_context(live_site.program):
                manager = participant_add(user=manager_user, role="manager")
                mentee = participant_add(
                    user=User.objects.create_user(
                        email=MENTEE, password=PASSWORD, first_name="Éloïse", last_name="Rakoto"
                    ),
                    role="mentee",
                )
                mentor = participant_add(
                    user=User.objects.create_user(
                        email=MENTOR, password=PASSWORD, first_name="Jean", last_name="Durand"
                    ),
                    role="mentor",
                )
                match = match_create_manual(mentee=mentee, mentor=mentor)
                start = timezone.now() - timedelta(days=1, hours=2)
                Meeting.objects.create(
                    match=match,
                    proposed_by=mentee,
                    status=Meeting.Status.HELD,
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                )
                surveys_due_process()
                # the email's own link (its body is emptied once sent: rebuilt from the token)
                asked = SurveyInvitation.objects.get(participant=mentee, survey__kind="meeting")
                assert Email.objects.filter(template="meeting_feedback", to=MENTEE).exists()
                made["link"] = f"/retours/lien/{answer_token(invitation=asked)}/"
                checkin = Survey.objects.get(kind="checkin")
                made["checkin"] = invite(checkin, mentee, "checkin:e2e:1").pk
                survey_answer(
                    invitation=invite(checkin, mentor, "checkin:e2e:1"),
                    raw_answers={"retour-point-note": "4", "retour-point-aide": "Du temps"},
                )
                # five more ratings of meetings: the dashboard draws their distribution
                meeting_survey = Survey.objects.get(kind="meeting")
                for index, score in enumerate([5, 4, 4, 2, 5]):
                    survey_answer(
                        invitation=invite(meeting_survey, mentor, f"meeting:e2e:{index}"),
                        raw_answers={"retour-rdv-utile": str(score)},
                    )
                announcement_send(
                    author=manager,
                    title="Atelier collectif",
                    body="Le premier atelier a lieu jeudi.",
                    audience="both",
                )
                made["surveys"] = dict(Survey.objects.values_list("kind", "pk"))
                made["sets"] = dict(Survey.objects.values_list("kind", "question_set_id"))
                made["pending"] = SurveyInvitation.objects.filter(participant=mentee).count()

    return _in_thread(work)


def _participant_log_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Adresse email").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


@pytest.mark.django_db
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_participant_feedback_pages(live_site, feedback, browser, viewport):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    visited: list[str] = []

    # the email's link, not logged in: the score clicked is selected, nothing stored yet
    page.goto(live_site.url(f"{feedback['link']}?note=4"))
    assert page.locator('input[type="radio"][value="4"]').first.is_checked()
    _check_layout(page, feedback["link"], viewport)
    assert_accessible(page, Axe(), visited)

    _participant_log_in(page, live_site.url("/connexion/"), MENTEE)
    for path in ("/retours/", f"/retours/{feedback['checkin']}/"):
        page.goto(live_site.url(path))
        assert page.url.endswith(path), f"{path} led to {page.url}"
        _check_layout(page, path, viewport)
        assert_accessible(page, Axe(), visited)
    assert "Atelier collectif" in page.goto(live_site.url("/retours/")).text()
    context.close()


@pytest.mark.django_db
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_manager_feedback_pages(live_site, feedback, browser, viewport):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    _log_in(page, live_site.url("/connexion/"), MANAGER, feedback["codes"].pop())
    visited: list[str] = []
    checkin, questions = feedback["surveys"]["checkin"], feedback["sets"]["checkin"]
    for path in (
        "/gestion/retours/",
        f"/gestion/retours/{checkin}/",
        f"/gestion/retours/{checkin}/resultats/",
        "/gestion/retours/reglages/",
        f"/gestion/questionnaire/ensemble/{questions}/",
        f"/gestion/questionnaire/ensemble/{questions}/nouvelle/",
        "/gestion/annonces/",
        "/espace/?days=30",  # the dashboard with a score distribution's chart and table
    ):
        page.goto(live_site.url(path))
        assert page.url.endswith(path), f"{path} led to {page.url}"
        _check_layout(page, path, viewport)
        assert_accessible(page, Axe(), visited)
    page.goto(live_site.url("/espace/?days=30"))
    assert page.locator("svg#score-usefulness, svg[aria-labelledby^='score-usefulness']").count()
    page.goto(live_site.url("/gestion/annonces/"))
    # the announcement's preview step
    page.get_by_label("Titre").fill("Rappel")
    page.get_by_label("Message").fill("Pensez à votre prochain rendez-vous.")
    page.get_by_role("button", name="Aperçu").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Envoyer l’annonce").is_visible()
    assert_accessible(page, Axe(), visited)
    context.close()
