"""The whole path a new client meets, through the UI, in `dev.py run`'s configuration (issue 11,
"Keep it from coming back"): Celery tasks run eagerly inside the web request, debug pages on,
a pool of spare schemas refilled after each claim, the Whereby fake, emails read from the outbox.

super-admin logs in with 2FA → new organisation → new programme → its first manager opens the
invitation, sets a password, enrols 2FA (codes computed from the secret on the page) → allowed
domains, registration open, a questionnaire → invites a mentor; a mentee registers through the
registration link → both set passwords and answer the questionnaire → the manager runs the
matching and publishes → the mentee proposes a meeting, the mentor accepts → the mentee erases
their data → what the mentor and the manager see afterwards.

The path is walked on a 390 px phone; every page on the way is checked at 1280 px and at
390 px: axe-core, no word split over two lines, and on the phone no horizontal scrolling and a
header that leaves the screen to the page. Its text is checked once: no raw exception, no raw
code (`first_name`), no English text of the interface (the English msgids that the French
catalogue translates differently), `lang="fr"`, a link to the accessibility statement in the
footer. No request of the walk may fail, no script may throw. Every email sent on the way: in
French, no raw exception, links on the platform's port, no video room URL.

The walk goes on after a check fails (it records the problem and, where a step cannot work,
gets past it the way a worker would), then fails with the whole list: one run tells what is
broken along the path, each problem tagged with the width it was seen at and, where it is one,
the point of issue 11. WALKTHROUGH_SCREENSHOTS=<folder> keeps a screenshot of every check.
"""

import os
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from django.utils.translation import gettext, ngettext, override
from django_otp.oath import TOTP

from tests.e2e.conftest import chromium_launch, live_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
SUPERADMIN_EMAIL = "nadia.admin@binome.example"
PASSWORD = "une phrase de passe vraiment solide"
ERASED_LABEL = "Participant·e supprimé·e"  # issue 11.2: how an erased person is shown
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"

# What Django or Python print when something breaks, and that a person must never read.
RAW_ERROR = re.compile(
    r"Traceback|NoReverseMatch|Server Error|Page not found \(404\)|Using the URLconf"
    r"|\bException\b|\b[A-Z][A-Za-z]+(?:Error|Exception|DoesNotExist)\b"
)


# Identifiers a person should never read: field names and action codes (first_name,
# participant.profile_viewed, ...).
RAW_CODE = re.compile(r"\b[a-z]{2,}(?:_[a-z]{2,})+\b")

# Words of four letters or more that the layout splits over two lines ("Mentor/at" in a
# table cell on a phone, issue 11.7). Hidden text (1px boxes) and addresses are left out.
BROKEN_WORDS_JS = """() => {
  const broken = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node;
  while ((node = walker.nextNode())) {
    const element = node.parentElement;
    if (!element || element.closest('script, style, svg, code')) continue;
    if (element.getBoundingClientRect().width < 5) continue;
    const tokens = /\\S+/g;
    let token;
    while ((token = tokens.exec(node.data))) {
      if (/[@\\/]/.test(token[0]) || token[0].length > 25) continue;
      const letters = /\\p{L}{4,}/gu;
      let word;
      while ((word = letters.exec(token[0]))) {
        const start = token.index + word.index;
        range.setStart(node, start);
        range.setEnd(node, start + word[0].length);
        const tops = new Set(Array.from(range.getClientRects())
          .filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) broken.add(word[0]);
      }
    }
  }
  return Array.from(broken).slice(0, 10);
}"""


def t(msgid: str) -> str:
    """The interface's text for `msgid` (French once the catalogue has it)."""
    with override("fr"):
        return gettext(msgid)


@cache
def english_strings() -> re.Pattern[str]:
    """The English texts of the interface that the French catalogue translates differently:
    none of them may be read on a French page. Placeholders and tags split a msgid into
    fragments; very short fragments (fewer than two words or eight characters) and fragments
    that also occur in a French translation (names, brands) are left out as ambiguous."""
    import polib

    placeholder = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\{.*?\}\}|\{\w*\}|<[^>]+>|\n")
    catalogue = polib.pofile(str(CATALOGUE))
    french = "\n".join(
        text
        for entry in catalogue
        if not entry.obsolete
        for text in (entry.msgstr, *entry.msgstr_plural.values())
    )
    fragments: set[str] = set()
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags or not entry.translated():
            continue
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural.get(0, "")),
                (entry.msgid_plural, entry.msgstr_plural.get(1, "")),
            ]
        for msgid, msgstr in pairs:
            if msgid == msgstr:
                continue
            for fragment in placeholder.split(msgid):
                fragment = " ".join(fragment.split()).strip(" .,:;!?()—–-“”\"'«»")
                words = re.findall(r"[A-Za-z]{2,}", fragment)
                if len(words) >= 2 and len(fragment) >= 8 and fragment not in french:
                    fragments.add(fragment)
    alternatives = "|".join(re.escape(f) for f in sorted(fragments, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def totp_code(key: bytes, *, steps_ahead: int = 0) -> str:
    generator = TOTP(key)
    generator.time = time.time() + 30 * steps_ahead
    return f"{generator.token():06d}"


def totp_key_from_secret(secret: str) -> bytes:
    import base64

    secret = "".join(secret.split())
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


# --- The platform, as `dev.py run` serves it ------------------------------------------------------


@dataclass
class Platform:
    port: int
    superadmin_key: bytes
    in_thread: Callable[[Callable[[], Any]], Any]
    whereby: Any

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or settings.BASE_DOMAIN}:{self.port}{path}"


@contextmanager
def whereby_fake_for(port: int) -> Iterator[Any]:
    """The Whereby fake, as `dev.py run` starts it, sending its webhooks to the live server."""
    from django.test import override_settings

    from tests.fakes.whereby import FakeWhereby

    secret = "walkthrough-webhook-secret-0123456789"
    fake = FakeWhereby(
        api_key=settings.WHEREBY_FAKE_API_KEY,
        webhook_url=f"http://127.0.0.1:{port}/webhooks/whereby",
        webhook_host=settings.BASE_DOMAIN,
        webhook_secret=secret,
        webhook_retry_delay=0.2,
    ).start()
    try:
        with override_settings(
            WHEREBY_API_KEY="", WHEREBY_BASE_URL=fake.base_url, WHEREBY_WEBHOOK_SECRET=secret
        ):
            yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def platform(django_db_setup, django_db_blocker) -> Iterator[Platform]:
    """A super-admin with an authenticator (the secret known to the test, as the demo
    prints it), one spare schema in the pool (as `dev.py run` keeps them), and a live server
    with dev's behaviour: tasks eager inside the request, debug pages on. Everything created
    on the way (organisations, programmes and their schemas, people) is removed afterwards."""
    from django.db import connections, transaction
    from django.db.models import Max
    from django.test import override_settings
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tenants.utils import tenant_context

    from audit.models import AuditEvent
    from saas.core.tenancy import connection
    from shared_apps.accounts.models import ProgramMembership, User
    from tenant_apps.participants.models import Participant
    from tenants.models import Client, Domain, Program
    from tenants.services import program_pool_refill

    def in_thread(function: Callable[[], Any]) -> Any:
        """Run ORM code from a thread of its own: Playwright's event loop runs in the test's
        thread, where Django refuses synchronous database access."""

        def run() -> Any:
            try:
                return function()
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run).result()

    with django_db_blocker.unblock():
        last_program = Program.objects.aggregate(top=Max("pk"))["top"] or 0
        last_client = Client.objects.aggregate(top=Max("pk"))["top"] or 0
        last_event = AuditEvent.objects.aggregate(top=Max("pk"))["top"] or 0
        superadmin = User.objects.create_user(
            email=SUPERADMIN_EMAIL,
            password=PASSWORD,
            first_name="Nadia",
            last_name="Admin",
            is_staff=True,
            is_superuser=True,
        )
        device = TOTPDevice.objects.create(user=superadmin, name="authenticator", confirmed=True)
        program_pool_refill(size=1)
        connection.set_schema_to_public()
        try:
            # dev.py run: no broker (CELERY_TASK_ALWAYS_EAGER, as in the test settings),
            # DJANGO_DEBUG=true, PROGRAM_POOL_SIZE > 0.
            assert settings.CELERY_TASK_ALWAYS_EAGER
            with (
                override_settings(DEBUG=True, PROGRAM_POOL_SIZE=1),
                live_server() as port,
                whereby_fake_for(port) as whereby,
            ):
                yield Platform(
                    port=port,
                    superadmin_key=device.bin_key,
                    in_thread=in_thread,
                    whereby=whereby,
                )
        finally:
            connection.set_schema_to_public()
            user_ids = {superadmin.pk}
            for program in Program.objects.filter(pk__gt=last_program):
                if program.status != Program.Status.SPARE and program.domains.exists():
                    with tenant_context(program):
                        user_ids |= set(Participant.objects.values_list("user_id", flat=True))
                connection.set_schema_to_public()
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{program.schema_name}" CASCADE')
                ProgramMembership.objects.filter(program=program).delete()
                Domain.objects.filter(tenant=program).delete()
                program.delete()
            Client.objects.filter(pk__gt=last_client).delete()
            User.objects.filter(pk__in=user_ids).exclude(memberships__isnull=False).delete()
            # The platform's audit log is append-only; the retention purge's switch lets these
            # test rows (console logins and actions) go, so that other tests start clean.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL binome.audit_purge = 'on'")
                cursor.execute(
                    f"DELETE FROM {AuditEvent._meta.db_table} WHERE id > %s",
                    [last_event],
                )


@pytest.fixture
def chromium(platform: Platform) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium_launch(playwright)
        yield browser
        browser.close()


# --- What is checked on every page and in every email --------------------------------------------


@dataclass
class Walk:
    platform: Platform
    viewport: str = "walk"
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    emails_checked: set[int] = field(default_factory=set)
    axe: Any = None
    axe_seconds: float = 0.0
    expected_statuses: dict[str, int] = field(default_factory=dict)
    without_statement: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def problem(self, step: str, text: str, *, tag: str | None = None) -> None:
        problem = f"[{tag or self.viewport}] {step}: {text}"
        if problem not in self.problems:
            self.problems.append(problem)

    def check(self, condition: bool, step: str, text: str) -> bool:
        if not condition:
            self.problem(step, text)
        return condition

    def watch(self, page: Any, who: str) -> None:
        """Failed requests (our hosts), script errors and console errors, as they happen."""
        base = settings.BASE_DOMAIN

        def on_response(response: Any) -> None:
            host = urlsplit(response.url).hostname or ""
            expected = self.expected_statuses.get(urlsplit(response.url).path)
            if response.status == expected:
                return
            if response.status >= 400 and (host == base or host.endswith(f".{base}")):
                self.problem(who, f"HTTP {response.status} for {response.url}")

        page.on("response", on_response)
        page.on("pageerror", lambda error: self.problem(who, f"script error: {error}"))

        def on_console(message: Any) -> None:
            # Plain HTTP here (HTTPS in production): the browser says it ignores the
            # Cross-Origin-Opener-Policy header of an "untrustworthy" origin. Not a defect.
            if message.type != "error" or "origin was untrustworthy" in message.text:
                return
            url = (message.location or {}).get("url") or page.url
            if "Failed to load resource" in message.text:  # e.g. /favicon.ico
                if urlsplit(url).path not in self.expected_statuses:
                    self.problem(who, f"{message.text} — {url}")
                return
            self.problem(who, f"console error on {url}: {message.text}")

        page.on("console", on_console)

    def inspect(self, page: Any, step: str) -> str:
        """Check the page as it is now: its text once, its layout and axe-core at 1280 px and
        then at 390 px, where the walk goes on (so the path itself is walked on a phone).
        Returns the page's visible text."""
        page.wait_for_load_state("load")
        self.visited.append(page.url)
        where = f"{step} ({urlsplit(page.url).path})"
        text = ""
        for viewport, size in VIEWPORTS.items():
            self.viewport = viewport
            page.set_viewport_size(size)
            if not text:
                text = page.locator("body").inner_text()
                self._check_text(page, where, text)
            self._check_layout(page, where)
        self.viewport = "walk"  # what follows is not about one width
        return text

    def _check_text(self, page: Any, where: str, text: str) -> None:
        shown = "\n".join(
            [
                page.title(),
                text,
                *page.eval_on_selector_all(
                    "[aria-label], [title], [placeholder], [alt], input[type=submit],"
                    " input[type=button]",
                    "nodes => nodes.flatMap(n => [n.getAttribute('aria-label'),"
                    " n.getAttribute('title'), n.getAttribute('placeholder'),"
                    " n.getAttribute('alt'), n.matches('input') ? n.value : null])"
                    ".filter(Boolean)",
                ),
            ]
        )
        if found := RAW_ERROR.findall(shown):
            self.problem(where, f"raw error shown: {sorted(set(found))}")
        if found := english_strings().findall(shown):
            self.problem(where, f"English in the French interface: {sorted(set(found))}")
        if found := RAW_CODE.findall(shown):
            self.problem(where, f"raw codes shown: {sorted(set(found))[:10]}")
        if "ucanss" in shown.lower():  # issue 11.10: examples naming one client to all
            self.problem(where, "(11.10) names another client (Ucanss)")
        lang = page.get_attribute("html", "lang")
        self.check(lang == "fr", where, f'<html lang="{lang}">, expected "fr"')
        footer = page.locator("footer")
        statement = footer.get_by_role("link", name=re.compile("accessibilit", re.I))
        if not statement.count():  # issue 11.12: linked from every footer
            self.without_statement.append(urlsplit(page.url).path)

    def _axe_run(self, page: Any) -> Any:
        """axe-core as `Axe().run(page)` does it, injected once per page for both widths."""
        from axe_playwright_python.base import AxeResults
        from axe_playwright_python.sync_playwright import DEFAULT_OPTIONS

        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.axe.axe_script)
        arguments = self.axe._format_script_args(context=None, options=DEFAULT_OPTIONS)
        return AxeResults(page.evaluate(f"axe.run({arguments})"))

    def _check_layout(self, page: Any, where: str) -> None:
        if found := page.evaluate(BROKEN_WORDS_JS):
            self.problem(where, f"(11.7) words broken over two lines: {found}")
        axe_started = time.monotonic()
        results = self._axe_run(page)
        self.axe_seconds += time.monotonic() - axe_started
        if results.violations_count:
            rules = sorted({v["id"] for v in results.response["violations"]})
            self.problem(where, f"axe: {results.violations_count} violation(s) {rules}")
        if self.viewport == "phone":
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            self.check(overflow <= 0, where, f"(11.7) {overflow}px wider than a 390px screen")
            # issue 11.7: the navigation collapses into a menu button on a phone.
            header = page.evaluate(
                "Math.round(100 * document.querySelector('header').getBoundingClientRect()"
                ".height / window.innerHeight)"
            )
            self.check(header <= 20, where, f"(11.7) the header takes {header}% of the screen")
        if folder := os.environ.get("WALKTHROUGH_SCREENSHOTS"):  # to look at what was checked
            name = re.sub(r"\W+", "-", f"{len(self.visited):02d} {where} {self.viewport}")
            page.screenshot(path=str(Path(folder) / f"{name.strip('-')}.png"), full_page=True)

    def emails_to(self, address: str) -> list[Any]:
        messages = [m for m in mail.outbox if address in m.to]
        for message in messages:
            self.check_email(message)
        return messages

    def check_email(self, message: Any) -> None:
        if id(message) in self.emails_checked:
            return
        self.emails_checked.add(id(message))
        where = f"email “{message.subject}” to {', '.join(message.to)}"
        texts = [message.subject, message.body]
        texts += [body for body, kind in getattr(message, "alternatives", []) if "html" in kind]
        shown = "\n".join(texts)
        if found := RAW_ERROR.findall(shown):
            self.problem(where, f"raw error: {sorted(set(found))}", tag="email")
        if found := english_strings().findall(shown):
            self.problem(where, f"English in a French email: {sorted(set(found))}", tag="email")
        for url in re.findall(r"https?://[^\s\"'<>]+", shown):
            parts = urlsplit(url)
            host = parts.hostname or ""
            ours = host == settings.BASE_DOMAIN or host.endswith(f".{settings.BASE_DOMAIN}")
            if ours and parts.port != self.platform.port:
                port = self.platform.port
                self.problem(where, f"(11.3) link {url} not on port {port}", tag="email")

    def access_link(self, address: str, step: str) -> str:
        messages = self.emails_to(address)
        assert messages, f"[{self.viewport}] {step}: no email to {address}"
        links = re.findall(r"https?://\S+/acces/[^\s/]+/", messages[-1].body)
        assert links, f"[{self.viewport}] {step}: no link in “{messages[-1].subject}”"
        return links[-1]


def open_menu_link(page: Any, name: str) -> None:
    """Follow a link of the main menu; on a phone the menu may first need opening."""
    menu = page.get_by_role("navigation", name=t("Main menu"))
    link = menu.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        header = page.locator("header")
        toggle = header.get_by_role("button", name=re.compile("menu", re.I))
        if not toggle.count():
            toggle = header.locator("summary").filter(has_text=re.compile("menu", re.I))
        toggle.first.click()
    link.click()


def click_and_settle(page: Any, target: Any) -> bool:
    """Click `target` and wait for what follows: a new page, or a dialog opened in this one.
    Returns True when a new page was loaded."""
    page.evaluate("window.__walkthroughPage = true")
    target.click()
    page.wait_for_function(
        "() => !window.__walkthroughPage || !!document.querySelector('dialog[open]')"
    )
    page.wait_for_load_state("load")
    return not page.evaluate("!!window.__walkthroughPage")


def publish_control(page: Any) -> Any:
    """The manager's “Publier N binômes”: a button, or a link to a confirmation page."""
    with override("fr"):
        label = ngettext("Publish %(counter)s pair", "Publish %(counter)s pairs", 1)
    name = re.compile(f"^{re.escape(label.split('%(counter)s')[0].strip())}")
    main = page.locator("main")
    return main.get_by_role("button", name=name).or_(main.get_by_role("link", name=name)).first


def confirm_if_asked(walk: Walk, page: Any, target: Any, *, step: str, done_path: str) -> bool:
    """Click an action that may ask for a confirmation first (issue 11.4: a confirm() box, a
    dialog in the page, or a page of its own); confirm it. Returns whether one was asked."""
    dialogs = len(walk.dialogs)
    navigated = click_and_settle(page, target)
    dialog = page.locator("dialog[open]")
    if not navigated and dialog.count():
        walk.inspect(page, f"{step} (confirmation)")
        click_and_settle(page, dialog.locator("button[type=submit], button:not([type])").last)
        return True
    if not urlsplit(page.url).path.endswith(done_path):
        walk.inspect(page, f"{step} (confirmation)")
        click_and_settle(page, page.locator("main form button[type=submit]").last)
        return True
    return len(walk.dialogs) > dialogs


# --- The walkthrough ------------------------------------------------------------------------------


def test_walkthrough_of_a_new_client(platform: Platform, chromium: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    walk = Walk(platform=platform, axe=Axe())
    domain = "caisse-regionale.example"
    slug = "parcours-2027"
    organisation = "Caisse régionale du Centre"
    programme = "Parcours mentorat 2027"
    manager = (f"claire.martin@{domain}", "Claire", "Martin")
    mentor = (f"paul.durand@{domain}", "Paul", "Durand")
    mentee = (f"lea.petit@{domain}", "Léa", "Petit")
    mail.outbox.clear()
    started = time.monotonic()
    contexts = []

    def new_page(who: str) -> Any:
        context = chromium.new_context(
            viewport=VIEWPORTS["phone"], locale="fr-FR", timezone_id="Europe/Paris"
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()

        def on_dialog(dialog: Any) -> None:  # a confirm() before a dangerous action
            walk.dialogs.append(dialog.message)
            dialog.accept()

        page.on("dialog", on_dialog)
        walk.watch(page, who)
        return page

    # 1. The super-admin logs in to the console, with their authenticator ---------------------
    admin = new_page("super-admin")
    admin.goto(platform.url("/connexion/"))
    walk.inspect(admin, "console login")
    admin.locator("[name=username]").fill(SUPERADMIN_EMAIL)
    admin.locator("[name=password]").fill(PASSWORD)
    admin.get_by_role("button", name=t("Log in")).click()
    admin.wait_for_url("**/compte/verification/**")
    walk.inspect(admin, "console 2FA")
    admin.locator("[name=token]").fill(totp_code(platform.superadmin_key))
    admin.get_by_role("button", name=t("Verify")).click()
    admin.wait_for_url("**/console/")
    walk.inspect(admin, "console programmes")

    # 2. ... creates the organisation, then the programme --------------------------------------
    open_menu_link(admin, t("New organisation"))
    admin.wait_for_url("**/console/organisations/nouvelle/")
    walk.inspect(admin, "new organisation")
    admin.locator("[name=name]").fill(organisation)
    admin.locator("main form button[type=submit]").click()
    admin.wait_for_url("**/console/programmes/nouveau/**")
    text = walk.inspect(admin, "new programme")
    walk.check(
        f" .{settings.BASE_DOMAIN}" not in text,
        "new programme",
        "the sub-domain help text lost its “<sous-domaine>” (11.10)",
    )
    admin.locator("[name=client]").select_option(label=organisation)
    admin.locator("[name=name]").fill(programme)
    admin.locator("[name=slug]").fill(slug)
    admin.locator("[name=manager_email]").fill(manager[0])
    creation_started = time.monotonic()
    admin.get_by_role("button", name=t("Create the programme")).click()
    admin.wait_for_url(re.compile(r".*/console/programmes/\d+/$"))
    program_path = urlsplit(admin.url).path
    status = admin.locator(".status").first
    for _ in range(60):  # eager: ready at once; with a worker, the page polls
        if status.inner_text() != t("Provisioning"):
            break
        admin.wait_for_timeout(500)
    detail = walk.inspect(admin, "programme created")
    is_ready = walk.check(
        status.inner_text() == t("Ready"),
        "programme created",
        f"(11.1) status “{status.inner_text()}”, not “{t('Ready')}”: {detail[-400:]!r}",
    )
    if not is_ready:
        # issue 11.1: under eager tasks the provisioning fails inside the console's request.
        # "Réessayer" must say what happened; then the programme is provisioned as a worker
        # would (outside any request) so that the rest of the path can be walked.
        retry = admin.get_by_role("button", name=t("Retry"))
        if retry.count():
            click_and_settle(admin, retry)
            admin.wait_for_url(f"**{program_path}")
            text = walk.inspect(admin, "programme retried")
            walk.check(
                status.inner_text() == t("Ready") or t("Done.") not in text,
                "programme retried",
                f"(11.1) says “{t('Done.')}” while the status is “{status.inner_text()}”",
            )

        def provision_like_a_worker() -> str:
            from tenants.models import Program
            from tenants.services import program_provision, program_retry

            program = Program.objects.get(slug=slug)
            if program.status == Program.Status.FAILED:
                program_retry(program=program)
            program = program_provision(program_id=program.pk)
            return f"{program.status} {program.failure_reason}"

        outcome = platform.in_thread(provision_like_a_worker)
        assert outcome.startswith("ready"), f"provisioning outside a request failed: {outcome}"
        admin.reload()
        walk.inspect(admin, "programme ready (worker)")
    creation_seconds = time.monotonic() - creation_started
    host = f"{slug}.{settings.BASE_DOMAIN}"
    admin.get_by_role("link", name=host).click()
    admin.wait_for_url(f"http://{host}:{platform.port}/**")
    walk.inspect(admin, "programme home, from the console")
    admin.goto(platform.url("/console/"))
    admin.get_by_role("link", name=programme).wait_for()
    walk.inspect(admin, "console programmes, with the new one")
    open_menu_link(admin, t("Audit log"))
    walk.inspect(admin, "console audit log")

    # 3. The first manager opens the invitation, sets a password, enrols 2FA -----------------------
    boss = new_page("manager")
    boss.goto(walk.access_link(manager[0], "manager invitation"))
    walk.inspect(boss, "manager invitation link")
    boss.locator("[name=password]").fill(PASSWORD)
    boss.locator("[name=password_confirm]").fill(PASSWORD)
    boss.get_by_role("button", name=t("Continue")).click()
    boss.wait_for_url("**/compte/double-authentification/**")
    walk.inspect(boss, "manager 2FA enrolment")
    key = totp_key_from_secret(boss.locator("code.secret").inner_text())
    boss.locator("[name=token]").fill(totp_code(key))
    boss.get_by_role("button", name=t("Activate")).click()
    boss.wait_for_selector("ul.codes")
    walk.check(boss.locator("ul.codes li").count() == 10, "manager 2FA", "not 10 recovery codes")
    walk.inspect(boss, "manager recovery codes")
    boss.get_by_role("link", name=t("I have saved my codes")).click()
    boss.wait_for_load_state("load")
    walk.inspect(boss, "manager after enrolment")

    # 4. ... allows the organisation's domain and opens registration ---------------------------
    open_menu_link(boss, t("Settings"))
    boss.wait_for_url("**/gestion/parametres/")
    walk.inspect(boss, "settings")
    boss.locator("[name=allowed_email_domains_text]").fill(domain)
    boss.locator("[name=is_registration_open]").check()
    click_and_settle(boss, boss.locator("main form button[type=submit]"))
    boss.wait_for_url("**/gestion/parametres/")
    text = walk.inspect(boss, "settings saved")
    assert t("Settings saved.") in text, text[:2000]
    found = re.search(r"https?://\S+/inscription/", text)
    assert found, f"no registration link on the settings page: {text[:2000]}"
    registration_url = found.group(0)
    walk.check(
        registration_url == f"http://{host}:{platform.port}/inscription/",
        "settings",
        f"(11.3) registration link {registration_url!r} is not on the platform's port",
    )

    # 5. ... writes the questionnaire: one question that feeds the matching ----------------------
    open_menu_link(boss, t("Questionnaire"))
    boss.wait_for_url("**/gestion/questionnaire/")
    walk.inspect(boss, "questionnaire")
    boss.get_by_role("link", name=t("Add a question")).click()
    boss.wait_for_url("**/gestion/questionnaire/nouvelle/")
    walk.inspect(boss, "new question")
    boss.locator("[name=label]").fill("Votre domaine d’expertise")
    boss.locator("[name=kind]").select_option("single")
    boss.locator("[name=choices_text]").fill("Ressources humaines\nFinance\nInformatique")
    boss.locator("[name=audience]").select_option("both")
    boss.locator("[name=is_required]").check()
    boss.locator("[name=criterion]").select_option("same")
    boss.locator("[name=weight]").fill("2")
    boss.locator("main form button[type=submit]").click()
    boss.wait_for_url("**/gestion/questionnaire/")
    text = walk.inspect(boss, "question saved")
    assert "Votre domaine d’expertise" in text, text[:2000]

    # 6. ... invites a mentor ------------------------------------------------------------------
    open_menu_link(boss, t("Participants"))
    boss.wait_for_url("**/gestion/participants/")
    walk.inspect(boss, "participants")
    boss.get_by_role("link", name=t("Invite someone")).click()
    boss.wait_for_url("**/gestion/participants/inviter/")
    walk.inspect(boss, "invite")
    boss.locator("[name=email]").fill(mentor[0])
    boss.locator("[name=first_name]").fill(mentor[1])
    boss.locator("[name=last_name]").fill(mentor[2])
    boss.locator("[name=role]").select_option("mentor")
    boss.locator("main form button[type=submit]").click()
    boss.wait_for_url("**/gestion/participants/")
    text = walk.inspect(boss, "mentor invited")
    assert mentor[0] in text, text[:2000]

    # 7. The mentor opens the invitation, sets a password, answers the questionnaire -----------
    paul = new_page("mentor")
    paul.goto(walk.access_link(mentor[0], "mentor invitation"))
    walk.inspect(paul, "mentor invitation link")
    paul.locator("[name=password]").fill(PASSWORD)
    paul.locator("[name=password_confirm]").fill(PASSWORD)
    paul.get_by_role("button", name=t("Continue")).click()
    paul.wait_for_url("**/profil/")
    walk.inspect(paul, "mentor profile (first visit)")
    paul.get_by_label("Informatique", exact=True).check()
    paul.locator("[name=capacity]").fill("2")
    click_and_settle(paul, paul.locator("main form button[type=submit]"))
    paul.wait_for_url("**/profil/")
    text = walk.inspect(paul, "mentor profile saved")
    assert t("Your profile is saved.") in text, text[:2000]

    # 8. A mentee registers through the registration link the manager circulates ---------------
    lea = new_page("mentee")
    lea.goto(registration_url)
    walk.inspect(lea, "registration")
    lea.locator("[name=first_name]").fill(mentee[1])
    lea.locator("[name=last_name]").fill(mentee[2])
    lea.locator("[name=email]").fill(mentee[0])
    lea.locator("[name=role][value=mentee]").check()
    lea.locator("[name=consent]").check()
    lea.locator("main form button[type=submit]").click()
    lea.wait_for_url("**/inscription/envoyee/")
    walk.inspect(lea, "registration sent")
    lea.goto(walk.access_link(mentee[0], "mentee registration"))
    walk.inspect(lea, "mentee registration link")
    lea.locator("[name=password]").fill(PASSWORD)
    lea.locator("[name=password_confirm]").fill(PASSWORD)
    lea.get_by_role("button", name=t("Continue")).click()
    lea.wait_for_url("**/profil/")
    walk.inspect(lea, "mentee profile (first visit)")
    lea.get_by_label("Informatique", exact=True).check()
    click_and_settle(lea, lea.locator("main form button[type=submit]"))
    lea.wait_for_url("**/profil/")
    text = walk.inspect(lea, "mentee profile saved")
    assert t("Your profile is saved.") in text, text[:2000]
    open_menu_link(lea, t("My space"))
    lea.wait_for_url("**/espace/")
    walk.inspect(lea, "mentee space")

    # 9. The manager runs the matching, reviews and publishes ----------------------------------
    open_menu_link(boss, t("Pairs"))
    boss.wait_for_url("**/gestion/binomes/")
    walk.inspect(boss, "pairs")
    click_and_settle(boss, boss.locator("form[action$='/gestion/binomes/lancer/'] button"))
    boss.wait_for_url("**/gestion/binomes/")
    text = walk.inspect(boss, "matching run")
    proposals = boss.get_by_role("region", name=t("Proposals to review"))
    assert proposals.count() == 1, text[:2000]
    proposed = proposals.inner_text()
    assert f"{mentee[1]} {mentee[2]}" in proposed, proposed
    assert f"{mentor[1]} {mentor[2]}" in proposed, proposed
    reasons = proposals.locator("details").first
    reasons.locator("summary").click()
    why = reasons.inner_text()
    walk.inspect(boss, "matching run, the reasons open")
    # issue 11.9: answer labels, not codes; no line worth 0 points
    step = "matching reasons"
    walk.check("Informatique" in why, step, f"(11.9) no answer label: {why!r}")
    walk.check("(informatique)" not in why, step, f"(11.9) answer code shown: {why!r}")
    walk.check(
        not re.search(r"(?<![\d,.])0 points?\b", why),
        "matching reasons",
        f"(11.9) a line worth 0 points: {why!r}",
    )
    asked = confirm_if_asked(
        walk,
        boss,
        publish_control(boss),
        step="publish",
        done_path="/gestion/binomes/",
    )
    walk.check(asked, "publish", "emails everyone without asking for a confirmation (11.4)")
    boss.wait_for_url("**/gestion/binomes/")
    text = walk.inspect(boss, "pairs published")
    active = boss.get_by_role("region", name=t("Active pairs"))
    assert f"{mentee[1]} {mentee[2]}" in active.inner_text(), text[:2000]
    walk.emails_to(mentee[0])
    walk.emails_to(mentor[0])

    # 10. The mentee proposes a meeting, the mentor accepts it ----------------------------------
    open_menu_link(lea, t("My pairing"))
    lea.wait_for_url("**/binome/")
    text = walk.inspect(lea, "mentee pairing")
    assert f"{mentor[1]} {mentor[2]}" in text, text[:2000]
    open_menu_link(lea, t("My meetings"))
    lea.wait_for_url("**/rendez-vous/")
    walk.inspect(lea, "mentee meetings")
    lea.get_by_role("link", name=t("Propose a meeting")).click()
    lea.wait_for_url("**/rendez-vous/proposer/")
    walk.inspect(lea, "propose a meeting")
    when = (timezone.localtime() + timedelta(days=2)).replace(hour=10, minute=0)
    lea.locator("[name=match]").select_option(label=f"{mentor[1]} {mentor[2]}")
    lea.locator("[name=slot_1]").fill(when.strftime("%Y-%m-%dT%H:%M"))
    lea.locator("main form button[type=submit]").click()
    lea.wait_for_url(re.compile(r".*/rendez-vous/\d+/$"))
    meeting_path = urlsplit(lea.url).path
    walk.inspect(lea, "meeting proposed")

    open_menu_link(paul, t("My meetings"))
    paul.wait_for_url("**/rendez-vous/")
    walk.inspect(paul, "mentor meetings")
    paul.locator(f"main a[href='{meeting_path}']").first.click()
    paul.wait_for_url(f"**{meeting_path}")
    walk.inspect(paul, "mentor meeting (to answer)")
    accept = t("Accept %(when)s").split("%(when)s")[0].strip()
    slot = paul.get_by_role("button", name=re.compile(f"^{re.escape(accept)}")).first
    click_and_settle(paul, slot)
    paul.wait_for_url(f"**{meeting_path}")
    text = walk.inspect(paul, "meeting accepted")
    assert t("Confirmed") in text, text[:2000]
    invitations = [m for m in walk.emails_to(mentee[0]) if "METHOD:REQUEST" in ics_of(m)]
    walk.check(bool(invitations), "meeting accepted", "the mentee got no calendar invitation")

    # 11. The mentee erases their data ------------------------------------------------------------
    open_menu_link(lea, t("My space"))
    lea.wait_for_url("**/espace/")
    lea.get_by_role("link", name=re.compile(re.escape(t("My data")))).first.click()
    lea.wait_for_url("**/espace/mes-donnees/")
    walk.inspect(lea, "my data")
    erase = lea.locator("main a[href$='/espace/mes-donnees/effacer/']")
    if walk.check(erase.count() > 0, "my data", "no link to erase my data"):
        erase.first.click()
    else:
        lea.goto(f"http://{host}:{platform.port}/espace/mes-donnees/effacer/")
    lea.wait_for_url("**/espace/mes-donnees/effacer/")
    walk.inspect(lea, "erase my data")
    lea.locator("[name=password]").fill(PASSWORD)
    lea.locator("[name=confirm]").fill("EFFACER")
    confirm_if_asked(
        walk,
        lea,
        lea.locator("main form button[type=submit]"),
        step="erase my data",
        done_path="/donnees-effacees/",
    )
    lea.wait_for_url("**/donnees-effacees/")
    walk.inspect(lea, "data erased")

    # 12. What the mentor sees afterwards (issue 11.2) -------------------------------------------
    paul.goto(f"http://{host}:{platform.port}{meeting_path}")
    text = walk.inspect(paul, "mentor meeting after erasure")
    step = "mentor meeting after erasure"
    walk.check(t("Cancelled") in text, step, "(11.2) meeting not cancelled")
    check_erased_shown(walk, step, text)
    open_menu_link(paul, t("My meetings"))
    paul.wait_for_url("**/rendez-vous/")
    text = walk.inspect(paul, "mentor meetings after erasure")
    check_erased_shown(walk, "mentor meetings after erasure", text, named=False)
    past = paul.get_by_role("region", name=t("Past"))
    walk.check(
        past.locator(f"a[href='{meeting_path}']").count() == 0,
        "mentor meetings after erasure",
        "(11.2) the cancelled future meeting is listed under “Passés”",
    )
    open_menu_link(paul, t("My pairing"))
    paul.wait_for_url("**/binome/")
    text = walk.inspect(paul, "mentor pairing after erasure")
    check_erased_shown(walk, "mentor pairing after erasure", text, named=False)
    cancels = [m for m in walk.emails_to(mentor[0]) if "METHOD:CANCEL" in ics_of(m)]
    walk.check(
        bool(cancels),
        "mentor emails after erasure",
        "(11.2) no cancellation email with a CANCEL calendar file for the meeting",
    )

    # 13. What the manager sees afterwards (issue 11.2) ------------------------------------------
    open_menu_link(boss, t("Participants"))
    boss.wait_for_url("**/gestion/participants/")
    text = walk.inspect(boss, "participants after erasure")
    check_erased_shown(walk, "participants after erasure", text)
    walk.check(
        boss.get_by_role("button", name=re.compile(re.escape(t("Reactivate")))).count() == 0,
        "participants after erasure",
        "(11.2) an erased person can be reactivated",
    )
    open_menu_link(boss, t("Pairs"))
    boss.wait_for_url("**/gestion/binomes/")
    text = walk.inspect(boss, "pairs after erasure")
    check_erased_shown(walk, "pairs after erasure", text, named=False)
    click_and_settle(boss, boss.locator("form[action$='/gestion/binomes/lancer/'] button"))
    boss.wait_for_url("**/gestion/binomes/")
    text = walk.inspect(boss, "matching run after erasure")
    walk.check(
        boss.get_by_role("region", name=t("Proposals to review")).count() == 0,
        "matching run after erasure",
        "(11.2) the erased mentee is proposed again",
    )
    walk.check(
        t("New proposals are ready for your review.") not in text,
        "matching run after erasure",
        "(11.9) says new proposals are ready when there are none",
    )
    for path, step in (
        ("/espace/?days=90", "manager dashboard"),  # issue 14: the manager's landing page
        ("/gestion/rendez-vous/", "manager meetings"),
        ("/gestion/journal/", "manager audit log"),
    ):
        boss.goto(f"http://{host}:{platform.port}{path}")
        text = walk.inspect(boss, step)
        check_erased_shown(walk, step, text, named=False)
    # issue 11.5: the settings change is in the log, in words
    walk.check(domain in text, "manager audit log", f"(11.5) allowed domain {domain} not logged")

    # 14. A wrong address in the programme: the product's own 404 page (issue 11.11) --------
    walk.expected_statuses["/page-inexistante/"] = 404
    response = boss.goto(f"http://{host}:{platform.port}/page-inexistante/")
    walk.check(response.status == 404, "404", f"(11.11) HTTP {response.status}")
    walk.inspect(boss, "page not found")

    # 15. The accessibility statement, from the footer (issue 11.12) ---------------------------
    for page, step in ((boss, "programme"), (admin, "public site")):
        link = page.locator("footer").get_by_role("link", name=re.compile("accessibilit", re.I))
        if link.count():
            link.first.click()
            page.wait_for_load_state("load")
            text = walk.inspect(page, f"accessibility statement ({step})")
            walk.check(
                "Défenseur des droits" in text,
                f"accessibility statement ({step})",
                "(11.12) no route to the Défenseur des droits",
            )
    if walk.without_statement:
        walk.problem(
            "footer",
            f"no link to the accessibility statement on {len(walk.without_statement)} pages"
            f" (11.12), e.g. {walk.without_statement[:3]}",
        )

    # 12. The super-admin makes someone the organisation's client administrator (issue 14), who
    # sets a password, enrols 2FA and sees the programmes' figures, never a person ----------------
    client_admin_email = f"drh@{domain}"
    admin.goto(platform.url("/console/organisations/"))
    admin.get_by_role("link", name=organisation).first.click()
    admin.wait_for_url(re.compile(r".*/console/organisations/\d+/$"))
    walk.inspect(admin, "organisation page")
    admin.locator("#client-admin-email").fill(client_admin_email)
    click_and_settle(admin, admin.get_by_role("button", name=t("Invite a client administrator")))
    walk.inspect(admin, "client administrator invited")
    invitations = walk.emails_to(client_admin_email)
    assert invitations, "no invitation to the client administrator"
    welcome = re.findall(r"https?://\S+/client/bienvenue/\S+/", invitations[-1].body)[-1]
    hr = new_page("client administrator")
    hr.goto(welcome)
    walk.inspect(hr, "client administrator welcome")
    hr.locator("[name=new_password1]").fill(PASSWORD)
    hr.locator("[name=new_password2]").fill(PASSWORD)
    hr.get_by_role("button", name=t("Save the password")).click()
    hr.wait_for_url("**/connexion/**")
    hr.locator("[name=username]").fill(client_admin_email)
    hr.locator("[name=password]").fill(PASSWORD)
    hr.get_by_role("button", name=t("Log in")).click()
    hr.wait_for_url("**/compte/double-authentification/**")
    walk.inspect(hr, "client administrator 2FA enrolment")
    key = totp_key_from_secret(hr.locator("code.secret").inner_text())
    hr.locator("[name=token]").fill(totp_code(key))
    hr.get_by_role("button", name=t("Activate")).click()
    hr.wait_for_selector("ul.codes")
    hr.get_by_role("link", name=t("I have saved my codes")).click()
    hr.wait_for_url("**/client/**")
    click_and_settle(hr, hr.get_by_role("button", name=t("Compute the figures now")))
    text = walk.inspect(hr, "client administrator's programmes")
    walk.check(programme in text, "client page", f"“{programme}” is not on the client page")
    walk.check(mentee[0] not in text, "client page", "a participant's address is shown")
    open_menu_link(hr, t("Invite a manager"))
    hr.wait_for_url("**/client/gestionnaires/**")
    walk.inspect(hr, "client administrator invites a manager")

    for context in contexts:
        context.close()
    for message in list(mail.outbox):
        walk.check_email(message)
    from tenant_apps.video.tests.fixtures import leaks, message_texts

    texts = [text for message in mail.outbox for text in message_texts(message)]
    walk.check(
        leaks(texts, platform.whereby.issued_urls()) == [],
        "emails",
        "a video room URL or key is in an email or calendar file",
    )
    elapsed = time.monotonic() - started
    print(
        f"\nwalkthrough: {len(walk.visited)} pages in {elapsed:.1f}s"
        f" (axe {walk.axe_seconds:.1f}s, programme creation {creation_seconds:.1f}s)"
    )
    assert len(walk.visited) >= 45
    assert not walk.problems, f"{len(walk.problems)} problem(s):\n" + "\n".join(walk.problems)


def ics_of(message: Any) -> str:
    """The calendar files attached to an email, decoded."""
    from tenant_apps.video.tests.fixtures import message_texts

    return "\n".join(text for text in message_texts(message)[1:] if "BEGIN:VCALENDAR" in text)


def check_erased_shown(walk: Walk, step: str, text: str, *, named: bool = True) -> None:
    """An erased person is never shown by a placeholder address; where people are listed, by
    the words of issue 11.2."""
    walk.check("erased.invalid" not in text, step, "(11.2) someone shown as …@erased.invalid")
    if named:
        walk.check(ERASED_LABEL in text, step, f"(11.2) the erased person is not “{ERASED_LABEL}”")


# --- The checks themselves can fail ------------------------------------------------------------


def test_text_checks_find_what_they_look_for():
    # given an English msgid the catalogue translates, and its French translation
    english = "Send the invitation"
    french = t(english)
    assert french != english
    # then the English one is found in a page, the French one is not
    assert english_strings().findall(f"Inviter\n{english}.") == [english]
    assert english_strings().findall(f"Inviter\n{french}.") == []
    # and very short ones are left out as ambiguous (“Save”, “Log in”)
    assert english_strings().findall("Save · Log in") == []
    assert RAW_ERROR.findall("NoReverseMatch at /console/") == ["NoReverseMatch"]
    assert RAW_ERROR.findall("La création a échoué, réessayez.") == []
    assert RAW_CODE.findall("first_name : Léa — participant.profile_viewed") == [
        "first_name",
        "profile_viewed",
    ]


def test_layout_check_finds_words_broken_over_two_lines():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium_launch(playwright)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.set_content(
            '<html lang="fr"><body><table><tr>'
            '<td style="width:20px;max-width:20px;overflow-wrap:anywhere">Désactiver</td>'
            "<td>Désactivé</td></tr></table>"
            '<span style="position:absolute;width:1px;height:1px;overflow:hidden">'
            "Texte masqué pour les lecteurs d’écran</span></body></html>"
        )
        assert page.evaluate(BROKEN_WORDS_JS) == ["Désactiver"]
        # and axe-core, as the walk runs it, reports what it finds
        from axe_playwright_python.sync_playwright import Axe

        page.set_content('<html lang="fr"><body><main><input type="text"></main></body></html>')
        walk = Walk(platform=None, axe=Axe())
        violations = walk._axe_run(page).response["violations"]
        assert "label" in {violation["id"] for violation in violations}
        assert page.evaluate("typeof window.axe") == "object"  # injected once per page
        browser.close()
