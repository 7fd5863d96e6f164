"""Phones and desktops: the navigation folds behind a menu button (and shows without
JavaScript), manager and console tables become cards without breaking words, nothing scrolls
sideways, the accessibility statement is reachable, and axe-core finds nothing, at 390 px and
1280 px. The programme's colour gets readable text."""

import threading

import pytest

from tests.e2e.test_journey import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "une phrase de passe vraiment solide"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MANAGER = "claire.manager@e2e.example"
STAFF = "super.admin@e2e.example"
PEOPLE = [  # long names and compound words, as in real directories
    ("Marie-Antoinette", "Delacroix-Montesquieu", "m.delacroix@e2e.example", "mentor"),
    ("Jean-Baptiste", "Vanderbeken-Lefebvre", "jb.vanderbeken@e2e.example", "mentee"),
    ("Éloïse", "Rakotomalala", "e.rakoto@e2e.example", "mentee"),
]

# Every word of every table cell on one line: a word broken across lines has several boxes.
# (A compound name may wrap at its hyphen, like any text: each part is a word here.)
BROKEN_WORDS_JS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const re = /[^\\s-]+/g;
      let match;
      while ((match = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
          .map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def _in_thread(work) -> dict:
    """Committed data from a thread with its own connection (the live server reads it)."""
    made: dict = {}

    def run() -> None:
        from django.db import connections

        try:
            work(made)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return made


@pytest.fixture(scope="module")
def people(live_site, django_db_blocker):
    def work(made: dict) -> None:
        from django_tenants.utils import tenant_context

        from shared_apps.accounts.models import User
        from shared_apps.accounts.otp import recovery_codes_generate
        from tenant_apps.participants.services import participant_add

        with django_db_blocker.unblock():
            manager = User.objects.create_user(email=MANAGER, password=PASSWORD)
            staff = User.objects.create_user(email=STAFF, password=PASSWORD, is_staff=True)
            made["codes"] = {
                MANAGER: recovery_codes_generate(user=manager),
                STAFF: recovery_codes_generate(user=staff),
            }
            with tenant_context(live_site.program):
                participant_add(user=manager, role="manager")
                for first, last, email, role in PEOPLE:
                    user = User.objects.create_user(
                        email=email, password=PASSWORD, first_name=first, last_name=last
                    )
                    participant_add(user=user, role=role)

    made = _in_thread(work)
    yield made

    def clean(_made: dict) -> None:
        from django.db import connection, transaction

        from audit.models import AuditEvent
        from shared_apps.accounts.models import User

        with django_db_blocker.unblock():
            staff = User.objects.get(email=STAFF)
            # The super-admin's logins went to the platform log, committed: later tests
            # expect it free of logins. Removed the way the retention job does.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL binome.audit_purge = 'on'")
                cursor.execute(
                    f"DELETE FROM {AuditEvent._meta.db_table} WHERE actor_user_id = %s",
                    [staff.pk],
                )
            staff.delete()

    _in_thread(clean)


def _log_in(page, url: str, email: str, code: str) -> None:
    page.goto(url)
    page.get_by_label("Adresse email").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/compte/verification/**")
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()


def _check_layout(page, path: str, viewport: dict) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the screen at {viewport['width']}"
    assert page.evaluate(BROKEN_WORDS_JS) == [], f"{path}: words broken across lines"
    menu = page.locator(".menu-button")
    header = page.locator(".site-header").bounding_box()
    if viewport["width"] < 640:
        # folded: the header is a thin bar with a menu button
        assert menu.is_visible()
        assert menu.get_attribute("aria-expanded") == "false"
        assert not page.locator("#site-nav").is_visible()
        assert header["height"] < 0.15 * viewport["height"], f"{path}: header {header}"
        menu.click()
        assert menu.get_attribute("aria-expanded") == "true"
        assert page.locator("#site-nav").is_visible()
        page.keyboard.press("Escape")
        assert menu.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    else:
        assert not menu.is_visible()
        assert page.locator("#site-nav").is_visible()


MANAGER_PAGES = [
    "/gestion/participants/",
    "/gestion/binomes/",
    "/gestion/rendez-vous/",
    "/gestion/journal/",
    "/sous-traitants/",
    "/accessibilite/",
]
CONSOLE_PAGES = ["/console/", "/accessibilite/"]


@pytest.mark.django_db
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_manager_pages_fit_phones_and_desktops(live_site, people, browser, viewport):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    _log_in(page, live_site.url("/connexion/"), MANAGER, people["codes"][MANAGER].pop())
    visited: list[str] = []
    for path in MANAGER_PAGES:
        page.goto(live_site.url(path))
        assert page.url.endswith(path), f"{path} led to {page.url}"
        _check_layout(page, path, viewport)
        assert_accessible(page, Axe(), visited)
    # the stacked cards say which column each value is from
    page.goto(live_site.url("/gestion/participants/"))
    cell = page.locator("td[data-label]", has_text="m.delacroix@e2e.example")
    assert cell.get_attribute("data-label") == "Adresse email"
    if viewport is PHONE:
        label = cell.evaluate("e => getComputedStyle(e, '::before').content")
        assert label == '"Adresse email"'
    context.close()


@pytest.mark.django_db
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_console_pages_fit_phones_and_desktops(live_site, people, browser, viewport):
    from axe_playwright_python.sync_playwright import Axe
    from django.conf import settings

    public = f"http://{settings.BASE_DOMAIN}:{live_site.port}"
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    _log_in(page, f"{public}/connexion/", STAFF, people["codes"][STAFF].pop())
    visited: list[str] = []
    for path in CONSOLE_PAGES:
        page.goto(f"{public}{path}")
        assert page.url.endswith(path), f"{path} led to {page.url}"
        _check_layout(page, path, viewport)
        assert_accessible(page, Axe(), visited)
    context.close()


@pytest.mark.django_db
def test_without_javascript_the_navigation_shows(live_site, people, browser):
    context = browser.new_context(viewport=PHONE, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_site.url("/accessibilite/"))
    assert page.locator("#site-nav").is_visible()
    assert not page.locator(".menu-button").is_visible()
    assert page.get_by_role("link", name="Se connecter").is_visible()
    context.close()


@pytest.mark.django_db
def test_a_light_colour_gets_dark_text_and_a_visible_swatch(
    live_site, people, browser, django_db_blocker
):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    page = context.new_page()
    _log_in(page, live_site.url("/connexion/"), MANAGER, people["codes"][MANAGER].pop())
    page.goto(live_site.url("/gestion/parametres/"))
    swatch = page.locator("input[type=color]")
    inner = swatch.evaluate(
        "e => { const s = getComputedStyle(e); return e.clientHeight"
        " - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom); }"
    )
    assert inner >= 20, f"the colour swatch is {inner}px high"
    # the manager picks the walkthrough's light yellow
    swatch.evaluate("e => { e.value = '#f7e463'; }")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    page.goto(live_site.url("/espace/"))
    colours = page.evaluate(
        "() => [getComputedStyle(document.querySelector('.site-header')).backgroundColor,"
        " getComputedStyle(document.querySelector('.brand')).color]"
    )
    assert colours == ["rgb(247, 228, 99)", "rgb(26, 26, 26)"]
    assert_accessible(page, Axe(), [])
    context.close()
