"""`python3 dev.py run` on another port: the links in emails and the manager's registration
link follow `PORT` (they used to point at :8000 whatever the port)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

PROBE = """
import django, json
django.setup()
from django.conf import settings
from tenants.models import Program
print(json.dumps({"port": settings.SITE_PORT, "url": Program(slug="ucanss-2027").url("/x/")}))
"""


def dev_settings(**variables: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SITE_", "BASE_DOMAIN", "PORT", "HOST"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "saas.settings.dev",
        "DATABASE_URL": "postgres://binome@127.0.0.1:5432/binome",
        **variables,
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_links_follow_the_port_the_platform_runs_on():
    probe = dev_settings(PORT="8123")
    assert probe == {"port": "8123", "url": "http://ucanss-2027.localhost:8123/x/"}


def test_links_use_8000_by_default_and_site_port_wins_when_set():
    assert dev_settings()["url"] == "http://ucanss-2027.localhost:8000/x/"
    assert dev_settings(PORT="8123", SITE_PORT="443")["port"] == "443"


def test_the_readme_documents_port_and_host():
    readme = (ROOT / "README.md").read_text()
    assert "| `PORT` |" in readme
    assert "| `HOST` |" in readme


EAGER_PROBE = """
import django
django.setup()
from saas.celery import app
assert app.conf.task_always_eager
with app.producer_or_acquire() as producer:  # what every eager .delay() does
    pass
print("ok")
"""


def test_eager_tasks_start_without_kombus_no_hostname_warning():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "saas.settings.dev",
        "DATABASE_URL": "postgres://binome@127.0.0.1:5432/binome",
    }
    result = subprocess.run(
        [sys.executable, "-c", EAGER_PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "No hostname" not in result.stderr + result.stdout
