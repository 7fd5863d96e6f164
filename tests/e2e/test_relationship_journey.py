"""Issue 13's "done when", in a real browser at 390 px and 1280 px: a pair from matching to the
end-of-relationship survey. The manager pairs two people; they write to each other (each
"a message is waiting" email is an outbox row without the message), set two goals, hold a
meeting and both give their feedback (1–5) from the guide, answer a check-in; the manager ends
the pair, both answer the NPS survey; the manager sees counts, never what was written.
Every page passes axe-core and fits the screen."""

from datetime import timedelta

import pytest

from tests.e2e.test_journey import assert_accessible
from tests.e2e.test_phone_layout import DESKTOP, PHONE, _check_layout, _in_thread

PASSWORD = "une phrase de passe vraiment solide"
MANAGER = "parcours.manager@e2e.example"
SECRET = "Mon numéro perso est le 0612"
REPLY = "Merci, je garde ça pour nous"
GOAL_COMMENT = "Commentaire très privé sur la fin"

pytestmark = pytest.mark.e2e


def _people(viewport_id: str) -> tuple[str, str]:
    return (
        f"parcours.mentee.{viewport_id}@e2e.example",
        f"parcours.mentor.{viewport_id}@e2e.example",
    )


@pytest.fixture(scope="module")
def journey(live_site, django_db_blocker):
    def work(made: dict) -> None:
        from django_tenants.utils import tenant_context

        from shared_apps.accounts.models import User
        from shared_apps.accounts.otp import recovery_codes_generate
        from tenant_apps.participants.services import participant_add

        with django_db_blocker.unblock():
            manager = User.objects.create_user(email=MANAGER, password=PASSWORD)
            made["codes"] = recovery_codes_generate(user=manager)
            with tenant_context(live_site.program):
                participant_add(user=manager, role="manager")
                for viewport_id, (first, last) in {
                    "390px": ("Inès", "Moreau"),
                    "1280px": ("Yanis", "Lefèvre-Castagné"),
                }.items():
                    mentee_email, mentor_email = _people(viewport_id)
                    mentee = participant_add(
                        user=User.objects.create_user(
                            email=mentee_email, password=PASSWORD, first_name=first, last_name=last
                        ),
                        role="mentee",
                    )
                    mentor = participant_add(
                        user=User.objects.create_user(
                            email=mentor_email,
                            password=PASSWORD,
                            first_name="Sophie",
                            last_name=f"Garnier {viewport_id}",
                        ),
                        role="mentor",
                    )
                    made[viewport_id] = {"mentee": mentee.pk, "mentor": mentor.pk}

    made = _in_thread(work)
    from django.core.cache import caches

    caches["default"].clear()
    return made


def _log_in(page, url: str, email: str, code: str | None = None) -> None:
    page.goto(url)
    page.get_by_label("Adresse email").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if code is not None:
        page.wait_for_url("**/compte/verification/**")
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()


def _in_programme(site, work) -> dict:
    """Run `work(made)` in the programme's schema, committed (the live server reads it)."""

    def run(made: dict) -> None:
        from django_tenants.utils import tenant_context

        with tenant_context(site.program):
            work(made)

    return _in_thread(run)


def _participant(browser, site, viewport, email: str):
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    _log_in(page, site.url("/connexion/"), email)
    return context, page


def _visit(page, site, path: str, viewport: dict, axe, visited: list[str]) -> None:
    page.goto(site.url(path))
    assert page.url.endswith(path), f"{path} led to {page.url}"
    _check_layout(page, path, viewport)
    assert_accessible(page, axe, visited)


def _answer(page, site, invitation: int, choices: dict[str, str], viewport, axe, visited) -> None:
    """Open a survey's page, tick one value per question, send."""
    _visit(page, site, f"/retours/{invitation}/", viewport, axe, visited)
    for key, value in choices.items():
        field = page.locator(f'[name="q_{key}"]')
        if field.first.get_attribute("type") == "radio":
            page.locator(f'[name="q_{key}"][value="{value}"]').check()
        else:
            field.fill(value)
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.wait_for_load_state()


def _outbox(site, template: str, to: str) -> list[dict]:
    def read(made: dict) -> None:
        from tenant_apps.notifications.models import Email

        made["rows"] = list(
            Email.objects.filter(template=template, to=to).values(
                "subject", "body_text", "body_html"
            )
        )

    return _in_programme(site, read)["rows"]


def _choose_by_typing(page, role: str, email: str, pk: int) -> None:
    """The manual pairing form: the manager types the start of the address, the results come
    as she types (debounced), the live region counts them, the down arrow moves to them and
    the space bar chooses."""
    label = {
        "mentee": "Mentoré(e) : nom ou adresse email",
        "mentor": "Mentor : nom ou adresse email",
    }
    field = page.get_by_label(label[role])
    field.press_sequentially(email.split("@")[0], delay=40)
    status = page.locator(f"#pair-{role}-status")
    status.get_by_text("1 résultat", exact=True).wait_for()
    assert status.get_attribute("role") == "status"
    field.press("ArrowDown")
    radio = page.locator(f"#pair-{role}-choices input[type=radio]")
    assert radio.count() == 1 and radio.get_attribute("value") == str(pk)
    assert radio.evaluate("element => element === document.activeElement")
    radio.press("Space")
    assert radio.is_checked()


@pytest.mark.django_db
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_pair_from_matching_to_the_end_of_relationship_survey(
    live_site, journey, browser, viewport
):
    from axe_playwright_python.sync_playwright import Axe

    site, axe, visited = live_site, Axe(), []
    viewport_id = "390px" if viewport is PHONE else "1280px"
    ids = journey[viewport_id]
    mentee_email, mentor_email = _people(viewport_id)

    # matching: the manager pairs the two people herself, active at once
    manager_context = browser.new_context(viewport=viewport, locale="fr-FR")
    manager = manager_context.new_page()
    _log_in(manager, site.url("/connexion/"), MANAGER, journey["codes"].pop())
    _visit(manager, site, "/gestion/binomes/", viewport, axe, visited)
    requested: list[str] = []

    def record(request) -> None:
        requested.append(request.url)

    manager.on("request", record)
    _choose_by_typing(manager, "mentee", mentee_email, ids["mentee"])
    _choose_by_typing(manager, "mentor", mentor_email, ids["mentor"])
    assert manager.url.endswith("/gestion/binomes/")  # no page load: htmx brought the results
    manager.remove_listener("request", record)
    searches = [url for url in requested if "/gestion/binomes/chercher/" in url]
    assert searches and all("csrfmiddlewaretoken" not in url for url in requested)
    assert len(searches) < len(mentee_email) + len(mentor_email)  # debounced, not per key
    assert_accessible(manager, axe, visited)  # the results, their count, the chosen radios
    manager.get_by_label("Activer tout de suite (sinon : une proposition verrouillée)").check()
    manager.get_by_role("button", name="Former le binôme").click()
    manager.wait_for_load_state()

    def pair_of(made: dict) -> None:
        from tenant_apps.matching.models import Match

        made["match"] = Match.objects.get(
            mentee_id=ids["mentee"], mentor_id=ids["mentor"], status="active"
        ).pk

    match = _in_programme(site, pair_of)["match"]

    # the mentee: the guide tells her to make contact; she writes first
    context, page = _participant(browser, site, viewport, mentee_email)
    _visit(page, site, "/espace/", viewport, axe, visited)
    assert "Votre prochaine étape" in page.content()
    _visit(page, site, f"/binome/{match}/", viewport, axe, visited)
    _visit(page, site, f"/binome/{match}/messages/", viewport, axe, visited)
    page.get_by_label("Votre message").fill(SECRET)
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_load_state()
    assert SECRET in page.content()

    # two goals, set from the pair page
    for title in ("Préparer ma prise de poste", "Élargir mon réseau"):
        page.goto(site.url(f"/binome/{match}/"))
        page.locator("details.add-goal summary").click()
        page.locator("details.add-goal input[name$=title]").fill(title)
        page.get_by_role("button", name="Ajouter l’objectif").click()
        page.wait_for_load_state()
        assert title in page.content()
    assert_accessible(page, axe, visited)
    context.close()

    # the beat job: the mentor is told a message is waiting — an outbox row without it
    def notify(made: dict) -> None:
        from django.utils import timezone

        from tenant_apps.mentoring.services import message_emails_send

        made["sent"] = message_emails_send(now=timezone.now())

    assert _in_programme(site, notify)["sent"] == 1
    (row,) = _outbox(site, "message_waiting", mentor_email)
    assert f"/binome/{match}/messages/" in row["body_text"]
    for text in (row["subject"], row["body_text"], row["body_html"]):
        assert SECRET not in text and "0612" not in text

    # the mentor reads and answers; the mentee is told in turn (without the answer)
    context, page = _participant(browser, site, viewport, mentor_email)
    page.goto(site.url(f"/binome/{match}/messages/"))
    assert SECRET in page.content()
    page.get_by_label("Votre message").fill(REPLY)
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_load_state()
    assert REPLY in page.content()
    context.close()
    assert _in_programme(site, notify)["sent"] == 1
    (row,) = _outbox(site, "message_waiting", mentee_email)
    for text in (row["subject"], row["body_text"], row["body_html"]):
        assert REPLY not in text

    # a meeting held yesterday: the feedback job asks each of them one question
    def held(made: dict) -> None:
        from django.utils import timezone

        from tenant_apps.matching.models import Match
        from tenant_apps.meetings.models import Meeting
        from tenant_apps.surveys.models import SurveyInvitation
        from tenant_apps.surveys.services import surveys_due_process

        pair = Match.objects.get(pk=match)
        start = timezone.now() - timedelta(days=1, hours=2)
        Meeting.objects.create(
            match=pair,
            proposed_by=pair.mentee,
            status=Meeting.Status.HELD,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        surveys_due_process()
        made.update(
            SurveyInvitation.objects.filter(
                match=pair, survey__kind="meeting", answered_at__isnull=True
            ).values_list("participant_id", "pk")
        )

    asked = _in_programme(site, held)
    assert set(asked) == {ids["mentee"], ids["mentor"]}
    assert len(_outbox(site, "meeting_feedback", mentee_email)) == 1

    # each gives their feedback from the guide card (1–5): the mentee 4, the mentor 5
    for email, score in ((mentee_email, "4"), (mentor_email, "5")):
        context, page = _participant(browser, site, viewport, email)
        _visit(page, site, "/espace/", viewport, axe, visited)
        card = page.locator("section.guide")
        assert "Votre rendez-vous vous a-t-il été utile ?" in card.inner_text()
        card.get_by_role("link", name="Répondre").click()
        page.wait_for_load_state()
        page.locator(f'[name="q_retour-rdv-utile"][value="{score}"]').check()
        page.get_by_role("button", name="Envoyer ma réponse").click()
        page.wait_for_load_state()
        assert_accessible(page, axe, visited)
        page.goto(site.url("/espace/"))
        assert "Votre rendez-vous vous a-t-il été utile ?" not in page.content()
        context.close()

    # a month later, the check-in: both answer it
    def month_later(made: dict) -> None:
        from django.utils import timezone

        from tenant_apps.surveys.models import SurveyInvitation
        from tenant_apps.surveys.services import surveys_due_process

        surveys_due_process(now=timezone.now() + timedelta(days=31))
        made.update(
            SurveyInvitation.objects.filter(
                match_id=match, survey__kind="checkin", answered_at__isnull=True
            ).values_list("participant_id", "pk")
        )

    checkins = _in_programme(site, month_later)
    assert set(checkins) == {ids["mentee"], ids["mentor"]}
    for email, who in ((mentee_email, "mentee"), (mentor_email, "mentor")):
        context, page = _participant(browser, site, viewport, email)
        _answer(page, site, checkins[ids[who]], {"retour-point-note": "4"}, viewport, axe, visited)
        assert_accessible(page, axe, visited)
        context.close()

    # the manager's follow-up: counts of messages and goals, never their text
    _visit(manager, site, "/gestion/accompagnement/", viewport, axe, visited)
    row = manager.locator("tr", has_text=f"Garnier {viewport_id}").first.inner_text()
    assert "2" in row
    content = manager.content()
    assert SECRET not in content and REPLY not in content
    manager.goto(site.url(f"/binome/{match}/messages/"))
    assert SECRET not in manager.content() and REPLY not in manager.content()

    # the manager ends the pair: both are asked the end-of-relationship survey (NPS 0–10)
    _visit(manager, site, "/gestion/binomes/", viewport, axe, visited)
    card = manager.locator("article.card", has_text=f"Garnier {viewport_id}")
    card.get_by_label("Raison de la fin").fill("Objectifs atteints")
    card.get_by_role("button", name="Terminer ce binôme").click()
    manager.wait_for_load_state()

    def ended(made: dict) -> None:
        from tenant_apps.surveys.models import SurveyInvitation

        made.update(
            SurveyInvitation.objects.filter(
                match_id=match, survey__kind="pair_end", answered_at__isnull=True
            ).values_list("participant_id", "pk")
        )

    closing = _in_programme(site, ended)
    assert set(closing) == {ids["mentee"], ids["mentor"]}
    for email, who, nps in ((mentee_email, "mentee", "9"), (mentor_email, "mentor", "10")):
        context, page = _participant(browser, site, viewport, email)
        _answer(
            page,
            site,
            closing[ids[who]],
            {"retour-fin-recommandation": nps, "retour-fin-commentaire": GOAL_COMMENT},
            viewport,
            axe,
            visited,
        )
        context.close()

    def answers(made: dict) -> None:
        from tenant_apps.surveys.models import SurveyResponse

        made["scores"] = sorted(
            r.answers.get("retour-rdv-utile")
            for r in SurveyResponse.objects.filter(survey__kind="meeting")
            if r.answers.get("retour-rdv-utile") is not None
        )
        made["nps"] = SurveyResponse.objects.filter(
            survey__kind="pair_end", answers__has_key="retour-fin-recommandation"
        ).count()
        made["checkins"] = SurveyResponse.objects.filter(survey__kind="checkin").count()

    stored = _in_programme(site, answers)
    assert {4, 5} <= set(stored["scores"])  # both feedbacks (the two viewports share them)
    assert stored["nps"] >= 2 and stored["checkins"] >= 2

    # the manager's feedback pages: how many answered, never what one person wrote
    _visit(manager, site, "/gestion/retours/", viewport, axe, visited)
    assert GOAL_COMMENT not in manager.content()

    def pair_end_survey(made: dict) -> None:
        from tenant_apps.surveys.models import Survey

        made["survey"] = Survey.objects.get(kind="pair_end").pk

    survey = _in_programme(site, pair_end_survey)["survey"]
    _visit(manager, site, f"/gestion/retours/{survey}/resultats/", viewport, axe, visited)
    content = manager.content()
    assert GOAL_COMMENT not in content and SECRET not in content and REPLY not in content
    manager_context.close()
    assert len(visited) >= 15
