"""The participant journey in a real browser: register → read the email → follow the link →
set a password → turn on TOTP → log out → log in with password + TOTP → see the programme;
the same person is refused on another programme. axe-core finds no violation on any page."""

import base64
import re
import time

import pytest
from django.core import mail
from django_otp.oath import TOTP

from tests.e2e.axe_count import record_axe_page

pytestmark = pytest.mark.e2e

PASSWORD = "une phrase de passe vraiment solide"
EMAIL = "camille.bernard@e2e.example"


def totp(secret: str, *, steps_ahead: int = 0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    generator = TOTP(key)
    generator.time = time.time() + 30 * steps_ahead
    return f"{generator.token():06d}"


def assert_accessible(page, axe, visited: list[str]) -> None:
    results = axe.run(page)
    visited.append(page.url)
    record_axe_page(page.url)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.mark.django_db
def test_participant_journey(live_site, world, browser):
    from axe_playwright_python.sync_playwright import Axe

    site, axe, visited = live_site, Axe(), []
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    mail.outbox.clear()
    # register
    page.goto(site.url("/inscription/"))
    assert_accessible(page, axe, visited)
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label(re.compile(r"^Nom")).fill("Bernard")
    page.get_by_label("Adresse email professionnelle").fill(EMAIL)
    page.get_by_label("Mentoré(e)").check()
    page.get_by_label("J’ai lu et j’accepte la").check()
    page.get_by_role("button", name="S’inscrire").click()
    page.wait_for_url("**/inscription/envoyee/")
    assert_accessible(page, axe, visited)

    # read the email, follow the link, choose a password
    (message,) = [m for m in mail.outbox if m.to == [EMAIL]]
    link = re.search(r"(https?://\S+/acces/\S+/)", message.body).group(1)
    page.goto(link)
    assert_accessible(page, axe, visited)
    page.get_by_label("Choisissez un mot de passe").fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/espace/")
    assert_accessible(page, axe, visited)

    # turn on two-step verification
    page.get_by_role("link", name="Mon compte").click()
    page.wait_for_url("**/compte/")
    assert_accessible(page, axe, visited)
    page.get_by_role("link", name="Activer").click()
    page.wait_for_url("**/compte/double-authentification/")
    assert_accessible(page, axe, visited)
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code affiché par l’application").fill(totp(secret))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_selector("ul.codes")
    assert page.locator("ul.codes li").count() == 10
    assert_accessible(page, axe, visited)
    page.get_by_role("link", name="J’ai conservé mes codes").click()

    # log out, then log in with password + TOTP
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(site.url("/connexion/"))
    assert_accessible(page, axe, visited)
    page.get_by_label("Adresse email").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/compte/verification/**")
    assert_accessible(page, axe, visited)
    page.get_by_label("Code").fill(totp(secret, steps_ahead=1))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/espace/")

    # the programme's home, logged in
    page.goto(site.url("/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mentorat Parcours"
    assert "Bienvenue, Camille." in page.content()
    assert_accessible(page, axe, visited)

    # installable: the manifest is linked and the service worker is active, with its
    # offline page cached
    state = page.evaluate(
        "Promise.race([navigator.serviceWorker.ready.then(r => r.active.state),"
        " new Promise(resolve => setTimeout(() => resolve('timeout'), 10000))])"
    )
    assert state in {"activated", "activating"}
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
    )
    assert manifest["name"] == "Mentorat Parcours" and manifest["display"] == "standalone"
    assert page.evaluate("caches.has('binome-v1')")

    # the same person, on another programme: refused like a wrong password
    other = context.new_page()
    other.goto(site.url("/connexion/", program=world.program_b))
    other.get_by_label("Adresse email").fill(EMAIL)
    other.get_by_label("Mot de passe").fill(PASSWORD)
    other.get_by_role("button", name="Se connecter").click()
    assert "Adresse email ou mot de passe incorrect." in other.content()
    assert other.url.endswith("/connexion/")
    assert_accessible(other, axe, visited)
    context.close()
    assert len(visited) == 11


def test_axe_reports_violations_when_there_are_some(browser):
    """The accessibility check is not a no-op: an unlabelled field and an image without
    text are reported."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    page.set_content(
        '<html lang="fr"><head><title>t</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
        "</main></body></html>"
    )
    results = Axe().run(page)
    rules = {violation["id"] for violation in results.response["violations"]}
    assert {"image-alt", "label"} <= rules
    page.close()


@pytest.mark.django_db
def test_pages_fit_a_phone_screen(live_site, browser):
    """No horizontal scrolling at 360 px wide, the narrowest common phone."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    for path in (
        "/",
        "/connexion/",
        "/inscription/",
        "/mot-de-passe/oublie/",
        "/confidentialite/",
        "/sous-traitants/",
        "/mentions-legales/",
    ):
        page.goto(live_site.url(path))
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
    context.close()


@pytest.mark.django_db
def test_public_rgpd_pages_are_accessible(live_site, browser):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(locale="fr-FR")
    visited: list[str] = []
    for path in ("/confidentialite/", "/sous-traitants/", "/mentions-legales/", "/inscription/"):
        page.goto(live_site.url(path))
        assert_accessible(page, Axe(), visited)
    page.close()


@pytest.mark.django_db
def test_managers_pages_are_accessible(live_site, browser, django_db_blocker):
    """The manager's space, page by page, with axe: participants, one profile, pairs,
    questionnaire, settings, meetings, audit log, register, retention, API keys and webhooks."""
    import threading

    from axe_playwright_python.sync_playwright import Axe

    made: dict = {}

    def setup() -> None:  # committed data, from a thread with its own connection
        from django.db import connections
        from django_tenants.utils import tenant_context

        from shared_apps.accounts.models import User
        from shared_apps.accounts.otp import recovery_codes_generate
        from tenant_apps.api.models import WebhookEndpoint
        from tenant_apps.participants.services import participant_add
        from tenant_apps.programs.models import Question

        try:
            user = User.objects.create_user(email="chef@e2e.example", password=PASSWORD)
            made["code"] = recovery_codes_generate(user=user)[0]
            with tenant_context(live_site.program):
                made["participant"] = participant_add(user=user, role="manager").pk
                made["webhook"] = WebhookEndpoint.objects.create(
                    url="https://hooks.example.com/binome", events=["pair.created"], secret="0" * 64
                ).pk
                Question.objects.get_or_create(
                    key="metier", defaults={"label": "Métier", "kind": "text"}
                )
        finally:
            connections.close_all()

    thread = threading.Thread(target=setup)
    thread.start()
    thread.join()
    page = browser.new_page(locale="fr-FR")
    page.goto(live_site.url("/connexion/"))
    page.get_by_label("Adresse email").fill("chef@e2e.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/compte/verification/**")
    page.get_by_label("Code").fill(made["code"])
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/espace/")
    visited: list[str] = []
    for path in (
        "/gestion/participants/",
        f"/gestion/participants/{made['participant']}/",
        "/gestion/participants/import/",
        "/gestion/binomes/",
        "/gestion/questionnaire/",
        "/gestion/questionnaire/nouvelle/",
        "/gestion/parametres/",
        "/gestion/rendez-vous/",
        "/gestion/journal/",
        "/gestion/registre/",
        "/gestion/conservation/",
        "/gestion/api/",
        f"/gestion/api/webhooks/{made['webhook']}/",
        "/compte/",
    ):
        page.goto(live_site.url(path))
        assert page.url.endswith(path), f"{path} led to {page.url}"  # not bounced to login
        assert_accessible(page, Axe(), visited)
    page.close()


@pytest.mark.django_db
def test_participants_pages_are_accessible(live_site, browser):
    import threading

    from axe_playwright_python.sync_playwright import Axe

    def setup() -> None:
        from django.db import connections
        from django_tenants.utils import tenant_context

        from shared_apps.accounts.models import User
        from tenant_apps.participants.services import participant_add

        try:
            user = User.objects.create_user(email="lou@e2e.example", password=PASSWORD)
            with tenant_context(live_site.program):
                participant_add(user=user, role="mentee")
        finally:
            connections.close_all()

    thread = threading.Thread(target=setup)
    thread.start()
    thread.join()
    page = browser.new_page(locale="fr-FR")
    page.goto(live_site.url("/connexion/"))
    page.get_by_label("Adresse email").fill("lou@e2e.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/espace/")
    visited: list[str] = []
    for path in (
        "/profil/",
        "/binome/",
        "/espace/mes-donnees/",
        "/espace/mes-donnees/effacer/",
        "/compte/mot-de-passe/",
        "/compte/double-authentification/",
    ):
        page.goto(live_site.url(path))
        assert page.url.endswith(path), f"{path} led to {page.url}"
        assert_accessible(page, Axe(), visited)
    page.close()


@pytest.mark.django_db
def test_client_administrator_pages_are_accessible(live_site, browser):
    """The client administrator's pages (issue 14), on the public site, with axe: the
    organisation's figures (after a snapshot) and the manager invitation form."""
    import threading

    from axe_playwright_python.sync_playwright import Axe

    made: dict = {}

    def setup() -> None:  # committed data, from a thread with its own connection
        from django.db import connections

        from shared_apps.accounts.models import User
        from shared_apps.accounts.otp import recovery_codes_generate
        from tenants.models import ClientAdministrator
        from tenants.snapshots import snapshots_take

        try:
            user = User.objects.create_user(email="drh@e2e.example", password=PASSWORD)
            made["code"] = recovery_codes_generate(user=user)[0]
            ClientAdministrator.objects.create(client=live_site.program.client, user=user)
            snapshots_take()
        finally:
            connections.close_all()

    thread = threading.Thread(target=setup)
    thread.start()
    thread.join()
    from django.conf import settings

    def url(path: str) -> str:
        return f"http://{settings.BASE_DOMAIN}:{live_site.port}{path}"

    page = browser.new_page(locale="fr-FR")
    page.goto(url("/connexion/"))
    page.get_by_label("Adresse email").fill("drh@e2e.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/compte/verification/**")
    page.get_by_label("Code").fill(made["code"])
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/client/")
    visited: list[str] = []
    for path in ("/client/", "/client/gestionnaires/"):
        page.goto(url(path))
        assert page.url.endswith(path), f"{path} led to {page.url}"  # not bounced to login
        assert live_site.program.name in page.content() or path != "/client/"
        assert_accessible(page, Axe(), visited)
    page.close()

    def cleanup() -> None:  # the committed rows of this test go, so other tests start clean
        from django.db import connections

        from tenants.models import ClientAdministrator, ProgramSnapshot

        try:
            ProgramSnapshot.objects.all().delete()
            ClientAdministrator.objects.filter(user__email="drh@e2e.example").delete()
        finally:
            connections.close_all()

    thread = threading.Thread(target=cleanup)
    thread.start()
    thread.join()
