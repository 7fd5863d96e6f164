"""The platform boots with production settings under gunicorn — the nearest thing to the
container this machine can run (no Docker engine) — with its media in an S3-compatible server
(moto's, on 127.0.0.1): a manager uploads a logo through the settings form over real HTTP, the
logo lands in the bucket under the programme's schema, and the site serves it. The local media
folder is read-only, as the pods' filesystem is."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from django.conf import settings
from django.test import override_settings
from django_tenants.utils import tenant_context

from conftest import PASSWORD
from saas.core.tenancy import connection
from saas.tests.s3 import S3Server, s3_server
from tenant_apps.programs.tests.test_branding import _png, _settings_data

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "boot-test-only-not-a-secret-0123456789abcdef"
FIRST_MANAGER_EMAIL, MANAGER_EMAIL = "first@boot.example", "manager@boot.example"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    database = connection.settings_dict
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    host = quote(database["HOST"] or "127.0.0.1", safe="")
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{database['NAME']}"


def _production_environment(s3: S3Server, tmp_path: Path) -> dict[str, str]:
    """What the deployment gives the web container (README § Configuration), pointed at this
    machine's test database, Redis and S3 server."""
    media = tmp_path / "media"
    media.mkdir()
    media.chmod(0o500)  # read-only as in the pods (root ignores it: the test checks it is empty)
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "saas.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": _database_url(),
        "BASE_DOMAIN": settings.BASE_DOMAIN,
        "PROGRAM_POOL_SIZE": "0",
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": str(tmp_path / "static"),
        "CACHE_KEY_PREFIX": f"boot{os.getpid()}",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        **s3.environment(),
    }
    if redis_url := os.environ.get("TEST_REDIS_URL"):
        environment["REDIS_URL"] = redis_url
    return environment


@pytest.fixture(scope="module")
def boot_program(world, django_db_blocker) -> Iterator[tuple[object, str]]:
    """A programme, its manager and one of the manager's recovery codes, committed (outside
    any test transaction) so that the server's own connections see them; removed afterwards."""
    from shared_apps.accounts.models import ProgramMembership, User
    from shared_apps.accounts.otp import recovery_codes_generate
    from tenant_apps.participants.models import Participant
    from tenant_apps.participants.services import participant_add
    from tenants.models import Client, Domain, Program
    from tenants.services import program_create, program_provision

    # Secrets hashed as the server will check them: its hashers (the test settings' MD5 is
    # not among them) and its secret key (recovery codes are keyed with it).
    production_hashers = override_settings(
        PASSWORD_HASHERS=["shared_apps.accounts.hashers.OwaspArgon2PasswordHasher"],
        SECRET_KEY=SECRET_KEY,
    )
    with django_db_blocker.unblock(), production_hashers:
        client = Client.objects.get(name="Test organisation")
        program = program_create(
            client_id=client.pk, name="Boot", slug="boot-prod", manager_email=FIRST_MANAGER_EMAIL
        )
        program = program_provision(program_id=program.pk)
        manager = User.objects.create_user(email=MANAGER_EMAIL, password=PASSWORD)
        with tenant_context(program):
            participant_add(user=manager, role=Participant.Role.MANAGER)
        connection.set_schema_to_public()
        code = recovery_codes_generate(user=manager)[0]
    try:
        yield program, code
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{program.schema_name}" CASCADE')
            ProgramMembership.objects.filter(program=program).delete()
            Domain.objects.filter(tenant=program).delete()
            Program.objects.filter(pk=program.pk).delete()
            User.objects.filter(email__in=[FIRST_MANAGER_EMAIL, MANAGER_EMAIL]).delete()


class Browser:
    """Requests to the server as a browser behind the TLS-terminating load balancer sends
    them: the programme's host, `X-Forwarded-Proto: https`, and its `__Host-` cookies (which
    an HTTP client keeps only for https URLs, hence kept here)."""

    def __init__(self, port: int, host: str) -> None:
        self.host, self.cookies = host, SimpleCookie()
        self.http = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Host": host, "X-Forwarded-Proto": "https"},
            timeout=30,
        )

    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {"Cookie": "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())}
        if method == "POST":
            headers |= {"Origin": f"https://{self.host}", "Referer": f"https://{self.host}{path}"}
        self.http.cookies.clear()
        response = self.http.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        for header in response.headers.get_list("set-cookie"):
            self.cookies.load(header)
        return response

    def csrf_token(self, path: str) -> str:
        page = self.request("GET", path)
        assert page.status_code == 200, page.text[:2000]
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert found is not None, page.text[:2000]
        return found.group(1)


def _wait_until_up(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{log.read_text()[-4000:]}")
        try:
            health = httpx.get(
                f"http://127.0.0.1:{port}/healthz",
                headers={"Host": settings.BASE_DOMAIN},  # as the container's health check
                timeout=2,
            )
            if health.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"gunicorn did not answer:\n{log.read_text()[-4000:]}")


@pytest.mark.django_db
def test_production_boots_stores_an_uploaded_logo_in_the_bucket_and_serves_it(
    boot_program, tmp_path
):
    program, code = boot_program
    with s3_server() as s3:
        environment = _production_environment(s3, tmp_path)
        # given the static files collected as the Dockerfile does
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=REPO_ROOT,
            env=environment,
            check=True,
            timeout=300,
        )
        # and gunicorn started with the container's configuration, on loopback
        port, log = _free_port(), tmp_path / "gunicorn.log"
        with log.open("wb") as output:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "infra/docker/gunicorn.conf.py",
                    "-b",
                    f"127.0.0.1:{port}",
                    "saas.wsgi:application",
                ],
                cwd=REPO_ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_up(server, port, log)
            browser = Browser(port, program.host)
            # and plain HTTP is sent to HTTPS (production settings are in force)
            plain = httpx.get(f"http://127.0.0.1:{port}/connexion/", headers={"Host": program.host})
            assert plain.status_code == 301
            assert plain.headers["Location"] == f"https://{program.host}/connexion/"

            # when the manager logs in (password, then a recovery code) ...
            token = browser.csrf_token("/connexion/")
            response = browser.request(
                "POST",
                "/connexion/",
                data={
                    "csrfmiddlewaretoken": token,
                    "username": MANAGER_EMAIL,
                    "password": PASSWORD,
                },
            )
            assert response.status_code == 302, response.text[:2000]
            token = browser.csrf_token("/compte/verification/")
            response = browser.request(
                "POST",
                "/compte/verification/",
                data={"csrfmiddlewaretoken": token, "token": code},
            )
            assert response.status_code == 302, response.text[:2000]
            # ... and uploads a logo through the settings form
            token = browser.csrf_token("/gestion/parametres/")
            response = browser.request(
                "POST",
                "/gestion/parametres/",
                data={"csrfmiddlewaretoken": token, **_settings_data()},
                files={"logo": ("logo.png", _png(600, 200), "image/png")},
            )
            assert response.status_code == 302, response.text[:2000]

            # then the logo and its icons are in the bucket, under the programme's schema
            schema = program.schema_name
            assert f"{schema}/branding/logo.png" in s3.object_keys()
            assert f"{schema}/branding/logo-bounded.png" in s3.object_keys()
            assert all(key.startswith(f"{schema}/branding/") for key in s3.object_keys())
            # and anyone (the login page shows it) gets it from the site
            anonymous = Browser(port, program.host)
            login_page = anonymous.request("GET", "/connexion/").text
            src = re.search(r'<img class="brand-logo" src="([^"]+)"', login_page).group(1)
            served = anonymous.request("GET", src)
            assert served.status_code == 200
            assert served.headers["Content-Type"] == "image/png"
            stored = s3.client().get_object(
                Bucket=s3.bucket, Key=f"{schema}/branding/logo-bounded.png"
            )
            assert served.content == stored["Body"].read()
            # and nothing was written to the local disk
            assert list((tmp_path / "media").iterdir()) == []
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]
