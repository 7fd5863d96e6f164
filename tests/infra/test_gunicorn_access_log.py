"""gunicorn's REAL access log (infra/docker/gunicorn.conf.py) never shows a sign-in token: a
gunicorn is started with our configuration on 127.0.0.1 against the test database, real
invitation and password-reset links are followed, and its output is read."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from tests.infra.hcl_tree import REPO_ROOT

CONF = REPO_ROOT / "infra" / "docker" / "gunicorn.conf.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@pytest.fixture
def sign_in_links(world, django_db_blocker):
    """An invitation and a password-reset link of programme A, committed (gunicorn reads
    them from its own connection), removed afterwards."""
    from tenant_apps.participants.models import AccessLink, Participant
    from tenant_apps.participants.services import access_link_create

    with django_db_blocker.unblock(), tenant_context(world.program_a):
        participant = Participant.objects.get(user__email=world.mentee_a.email)
        made = [
            access_link_create(participant=participant, purpose=purpose)
            for purpose in (AccessLink.Purpose.INVITATION, AccessLink.Purpose.PASSWORD_RESET)
        ]
    connection.set_schema_to_public()
    yield [url for _link, url in made]
    with django_db_blocker.unblock(), tenant_context(world.program_a):
        AccessLink.objects.filter(pk__in=[link.pk for link, _url in made]).delete()
    connection.set_schema_to_public()


def test_the_access_log_of_a_real_gunicorn_has_no_sign_in_token(sign_in_links, tmp_path: Path):
    # given gunicorn started with our configuration, on loopback, against the test database
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SITE_", "GUNICORN_", "LOG_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "saas.settings.test",
        "DATABASE_URL": _database_url(),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        command = [sys.executable, "-m", "gunicorn", "-c", str(CONF)]
        command += ["--bind", f"127.0.0.1:{port}", "saas.wsgi:application"]
        server = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _attempt in range(100):
                try:
                    httpx.get(f"{base}/healthz", headers={"Host": settings.BASE_DOMAIN})
                    break
                except httpx.TransportError:
                    time.sleep(0.1)

            # when the links are followed (as sent, with the slash, without it, on a
            # mistyped host)
            tokens, answers = [], []
            for url in sign_in_links:
                host, path = url.split("://", 1)[1].split("/", 1)
                path = "/" + path
                tokens.append(path.rstrip("/").rsplit("/", 1)[1])
                for variant, host_header in (
                    (path, host),
                    (path.rstrip("/"), host),
                    (path, f"nope.{settings.BASE_DOMAIN}"),
                ):
                    answers.append(
                        httpx.get(f"{base}{variant}", headers={"Host": host_header}).status_code
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)

    # then the pages answered, gunicorn wrote one access line per request, and no line of
    # gunicorn or of the application carries a token
    access_log = stdout.read_text()
    everything = access_log + stderr.read_text()
    assert answers == [200, 301, 404] * 2, everything[-3000:]
    assert access_log.count('"logger": "gunicorn.access"') >= 7
    assert '"path": "/acces/[Filtered]/"' in access_log
    assert '"path": "/mot-de-passe/nouveau/[Filtered]/"' in access_log
    assert '"path": "/acces/[Filtered]"' in access_log
    for token in tokens:
        assert len(token) >= 40
        assert token not in everything
