"""Production settings refuse what only works on one process or trusts too much: no Redis
(throttles and the host cache would be per process), a wildcard CSRF origin (any programme's
page could post to any other)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from saas.tests.test_project import PRODUCTION_ENV

ROOT = Path(settings.BASE_DIR)

PROBE = """
import django, json
django.setup()
from django.conf import settings
print(json.dumps({"csrf_trusted_origins": settings.CSRF_TRUSTED_ORIGINS}))
"""


def run_with(env_overrides: dict[str, str | None], *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "TEST_", "REDIS_", "CELERY_"))
    }
    env |= PRODUCTION_ENV
    for name, value in env_overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("redis_url", [None, ""])
def test_production_refuses_to_start_without_redis(redis_url):
    # when production settings load without REDIS_URL
    result = run_with({"REDIS_URL": redis_url}, "manage.py", "check")

    # then the process stops with a clear configuration error
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "REDIS_URL is required in production" in result.stderr


def test_production_starts_with_redis():
    result = run_with({}, "manage.py", "check")
    assert result.returncode == 0, result.stderr


def test_csrf_trusts_only_the_public_site_never_every_programme():
    # when production settings load
    result = run_with({}, "-c", PROBE)

    # then no origin is a wildcard: a programme's page posts only to its own host
    assert result.returncode == 0, result.stderr
    origins = json.loads(result.stdout.strip().splitlines()[-1])["csrf_trusted_origins"]
    assert origins == ["https://binome.fr"]
    assert not [origin for origin in origins if "*" in origin]
