"""Browser tests: Debian's Chromium driven by Playwright (never a downloaded browser), against
a live server thread on 127.0.0.1, with committed data in a programme of their own."""

import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _installed_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_path() -> str | None:
    """Debian's Chromium; installed here when missing and we are root (as in CI)."""
    if path := _installed_chromium():
        return path
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        # The suite's workers (pytest-xdist) may all get here at once: one installs, the
        # others wait for it instead of failing on apt's lock.
        with open(os.path.join(tempfile.gettempdir(), "binome-chromium-install.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if path := _installed_chromium():
                return path
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            subprocess.run(["apt-get", "update", "-qq"], env=env, timeout=600, check=False)
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "chromium"], env=env, timeout=900, check=False
            )
            return _installed_chromium()
    return None


@dataclass
class Site:
    port: int
    program: object

    def url(self, path: str, program: object | None = None) -> str:
        program = program or self.program
        return f"http://{program.host}:{self.port}{path}"  # type: ignore[attr-defined]


@pytest.fixture
def browser(live_site: Site) -> Iterator[object]:
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed and cannot be installed (not root)")
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                # Programmes, and the rooms of the Whereby fake (tests/fakes/whereby).
                f"--host-resolver-rules=MAP *.{settings.BASE_DOMAIN} 127.0.0.1,"
                f" MAP {settings.BASE_DOMAIN} 127.0.0.1,"  # the public site (console)
                " MAP *.whereby.localhost 127.0.0.1",
                # Service workers need a secure context: production is HTTPS; here the live
                # server's plain-HTTP origin is declared trustworthy for the test.
                f"--unsafely-treat-insecure-origin-as-secure={live_site.url('')}",
            ],
        )
        yield browser
        browser.close()


@contextmanager
def live_server() -> Iterator[int]:
    """A live server thread on 127.0.0.1 (every host: the console and each programme); links
    in emails point at it, so the browser follows them as they are. Yields its port."""
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    previous_port, settings.SITE_PORT = settings.SITE_PORT, str(server.port)
    try:
        yield server.port
    finally:
        settings.SITE_PORT = previous_port
        server.terminate()


def chromium_launch(playwright: Any) -> Any:
    """Debian's Chromium, headless, resolving the public site (the console), every
    programme's host and the Whereby fake's rooms to this machine. Skips the test when there
    is no Chromium."""
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed and cannot be installed (not root)")
    from django.conf import settings

    rules = (
        f"MAP {settings.BASE_DOMAIN} 127.0.0.1, MAP *.{settings.BASE_DOMAIN} 127.0.0.1,"
        " MAP *.whereby.localhost 127.0.0.1"
    )
    return playwright.chromium.launch(
        executable_path=path,
        headless=True,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules={rules}"],
    )


@pytest.fixture(scope="module")
def live_site(world, django_db_blocker) -> Iterator[Site]:
    """A programme created (and committed) for the module, a live server, and clean-up."""
    from django_tenants.utils import tenant_context

    from saas.core.tenancy import connection
    from shared_apps.accounts.models import ProgramMembership, User
    from tenant_apps.programs.models import ProgramSettings
    from tenants.models import Client, Domain, Program
    from tenants.services import program_create, program_provision

    with django_db_blocker.unblock():
        client = Client.objects.get(name="Test organisation")
        program = program_create(
            client_id=client.pk,
            name="Mentorat Parcours",
            slug="e2e-parcours",
            manager_email="manager@e2e.example",
        )
        program = program_provision(program_id=program.pk)
        with tenant_context(program):
            ProgramSettings.objects.filter(id=1).update(
                is_registration_open=True, allowed_email_domains=["e2e.example"]
            )
        connection.set_schema_to_public()
        try:
            with live_server() as port:
                yield Site(port=port, program=program)
        finally:
            connection.set_schema_to_public()
            emails = list(
                ProgramMembership.objects.filter(program=program).values_list(
                    "user__email", flat=True
                )
            )
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{program.schema_name}" CASCADE')
            ProgramMembership.objects.filter(program=program).delete()
            Domain.objects.filter(tenant=program).delete()
            Program.objects.filter(pk=program.pk).delete()
            User.objects.filter(email__in=emails).exclude(memberships__isnull=False).delete()


@pytest.fixture(scope="module")
def whereby_live(live_site: Site) -> Iterator[object]:
    """The Whereby fake for the live server: the platform's client talks to it, and it sends
    its signed webhooks to the live server's public host."""
    from django.conf import settings
    from django.test import override_settings

    from tests.fakes.whereby import FakeWhereby

    secret = "e2e-webhook-secret-0123456789"
    fake = FakeWhereby(
        api_key=settings.WHEREBY_FAKE_API_KEY,
        webhook_url=f"http://127.0.0.1:{live_site.port}/webhooks/whereby",
        webhook_host=settings.BASE_DOMAIN,
        webhook_secret=secret,
        webhook_retry_delay=0.2,
    ).start()
    overrides = override_settings(
        WHEREBY_API_KEY="", WHEREBY_BASE_URL=fake.base_url, WHEREBY_WEBHOOK_SECRET=secret
    )
    overrides.enable()
    try:
        yield fake
    finally:
        overrides.disable()
        fake.stop()
