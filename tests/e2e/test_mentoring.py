"""The mentoring relationship in a real browser (issue 13), at 390 px and 1280 px: the guide on
the home, the presentation with a photo, the pair page, messages both ways with the
"a message is waiting" email (no content), goals updated from the pair page, the mentors a
mentee browses, and the manager's follow-up (counts, never content) and goal templates. Every
page passes axe-core and fits the screen."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from PIL import Image

from tests.e2e.test_journey import assert_accessible
from tests.e2e.test_phone_layout import DESKTOP, PHONE, _check_layout, _in_thread

pytestmark = pytest.mark.e2e

PASSWORD = "une phrase de passe vraiment solide"
MANAGER = "nadia.manager@e2e.example"
MENTEE = "lina.mentee@e2e.example"
MENTOR = "marc.mentor@e2e.example"
CHOOSER = "theo.choisit@e2e.example"
SECRET = "Mon code secret est 7781"


@pytest.fixture(scope="module")
def relationship(live_site, django_db_blocker):
    def work(made: dict) -> None:
        from django_tenants.utils import tenant_context

        from shared_apps.accounts.models import User
        from shared_apps.accounts.otp import recovery_codes_generate
        from tenant_apps.matching.services import match_create_manual
        from tenant_apps.mentoring.models import GoalTemplate, Profile
        from tenant_apps.mentoring.services import goal_create
        from tenant_apps.participants.services import participant_add
        from tenant_apps.programs.models import ProgramSettings

        with django_db_blocker.unblock():
            manager = User.objects.create_user(email=MANAGER, password=PASSWORD)
            made["codes"] = recovery_codes_generate(user=manager)
            people = {}
            with tenant_context(live_site.program):
                participant_add(user=manager, role="manager")
                for email, first, last, role in [
                    (MENTEE, "Lina", "Haddad", "mentee"),
                    (MENTOR, "Marc", "Dupuis-Lemaire", "mentor"),
                    (CHOOSER, "Théo", "Vasseur", "mentee"),
                    ("anne.mentor@e2e.example", "Anne", "Kowalski", "mentor"),
                ]:
                    user = User.objects.create_user(
                        email=email, password=PASSWORD, first_name=first, last_name=last
                    )
                    people[email] = participant_add(user=user, role=role)
                Profile.objects.create(
                    participant=people["anne.mentor@e2e.example"],
                    job_title="Directrice adjointe",
                    entity="Caisse de Rennes",
                    languages=["fr", "en"],
                    bio="J'accompagne les jeunes managers.",
                )
                match = match_create_manual(mentee=people[MENTEE], mentor=people[MENTOR])
                made["match"] = match.pk
                made["goal"] = goal_create(
                    match=match, by=people[MENTEE], title="Préparer ma mobilité"
                ).pk
                made["template"] = GoalTemplate.objects.create(
                    title="Développer mon réseau", description="Trois contacts par trimestre."
                ).pk
                ProgramSettings.objects.filter(id=1).update(matching_mode="choice")

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


def _visit(page, site, path: str, viewport: dict, axe, visited: list[str]) -> None:
    page.goto(site.url(path))
    assert page.url.endswith(path), f"{path} led to {page.url}"
    _check_layout(page, path, viewport)
    assert_accessible(page, axe, visited)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (20, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_pair_lives_its_relationship(live_site, relationship, browser, viewport, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    site, axe, visited = live_site, Axe(), []
    match, goal = relationship["match"], relationship["goal"]
    wide = viewport is DESKTOP

    # the mentee: the guide, her presentation with a photo, the pair page, a message
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    _log_in(page, site.url("/connexion/"), MENTEE)
    _visit(page, site, "/espace/", viewport, axe, visited)
    assert "Votre prochaine étape" in page.content()
    _visit(page, site, "/profil/presentation/", viewport, axe, visited)
    page.get_by_label("Poste").fill("Chargée de mission")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(_photo())
    page.get_by_label("Photo (facultative)").set_input_files(str(photo))
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert page.locator("img.profile-photo").count() == 1
    assert_accessible(page, axe, visited)
    _visit(page, site, f"/binome/{match}/", viewport, axe, visited)
    assert page.get_by_role("link", name="Proposer un rendez-vous").first.is_visible()
    page.get_by_label("Statut — Préparer ma mobilité").select_option("in_progress")
    page.get_by_role("button", name="Mettre à jour — Préparer ma mobilité").click()
    page.wait_for_load_state()
    assert "Statut mis à jour." in page.content()
    _visit(page, site, f"/binome/objectifs/{goal}/", viewport, axe, visited)
    _visit(page, site, f"/binome/{match}/messages/", viewport, axe, visited)
    mail.outbox.clear()
    text = f"{SECRET} ({'large' if wide else 'mobile'}) https://exemple.fr/guide"
    page.get_by_label("Votre message").fill(text)
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="https://exemple.fr/guide").last.is_visible()
    context.close()

    # the beat job tells the mentor a message is waiting — never what it says (the second
    # viewport's run is 16 minutes later: at most one such email per thread every 15 minutes)
    def notify(made: dict) -> None:
        from django.utils import timezone
        from django_tenants.utils import tenant_context

        from tenant_apps.mentoring.services import message_emails_send

        later = timezone.now() + timedelta(minutes=0 if not wide else 16)
        with tenant_context(site.program):
            made["sent"] = message_emails_send(now=later)

    assert _in_thread(notify)["sent"] == 1
    (email,) = [m for m in mail.outbox if m.to == [MENTOR]]
    assert SECRET not in email.body and "7781" not in email.subject + email.body
    assert f"/binome/{match}/messages/" in email.body

    # the mentor reads it and answers
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    _log_in(page, site.url("/connexion/"), MENTOR)
    page.goto(site.url(f"/binome/{match}/messages/"))
    assert SECRET in page.content()
    page.get_by_label("Votre message").fill("Bien reçu, à bientôt !")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_load_state()
    assert "Bien reçu, à bientôt !" in page.content()
    context.close()

    # a mentee who chooses browses the mentors as cards, filters them
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    _log_in(page, site.url("/connexion/"), CHOOSER)
    _visit(page, site, "/binome/mentors/", viewport, axe, visited)
    assert "Anne Kowalski" in page.content() and "Caisse de Rennes" in page.content()
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    assert "Anne Kowalski" in page.content()
    assert_accessible(page, axe, visited)
    context.close()

    # the manager: counts but no content, goal templates
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    _log_in(page, site.url("/connexion/"), MANAGER, relationship["codes"].pop())
    _visit(page, site, "/gestion/accompagnement/", viewport, axe, visited)
    assert SECRET not in page.content()
    assert "Lina Haddad" in page.content()
    _visit(page, site, "/gestion/objectifs/", viewport, axe, visited)
    _visit(page, site, f"/gestion/objectifs/{relationship['template']}/", viewport, axe, visited)
    page.goto(site.url(f"/binome/{match}/messages/"))
    assert SECRET not in page.content()
    context.close()
    assert len(visited) >= 10
