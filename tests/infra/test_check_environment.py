"""infra/docker/check_environment.py, the migration Job's first step, run as the Job runs it."""

import base64
import subprocess
import sys

import pytest

from tests.infra.hcl_tree import REPO_ROOT

SCRIPT = REPO_ROOT / "infra" / "docker" / "check_environment.py"
GOOD = {
    "DATABASE_URL": "postgres://binome:s3cr%2Ft@10.0.0.5:5432/binome?sslmode=require",
    "REDIS_URL": "rediss://binome:pw@10.0.0.6:6379/0?ssl_cert_reqs=required",
    "CELERY_BROKER_URL": "rediss://binome:pw@10.0.0.6:6379/1",
}


def run(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_urls_terraform_builds_pass():
    # given
    environment = dict(GOOD)

    # when
    result = run(environment)

    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout == "environment: connection URLs parse.\n"


def test_a_base64_encoded_database_url_is_named_and_not_shown():
    # given: the value a Secret built from scaleway_secret_version.data would hold
    encoded = base64.b64encode(GOOD["DATABASE_URL"].encode()).decode()

    # when
    result = run({**GOOD, "DATABASE_URL": encoded})

    # then
    assert result.returncode == 1
    assert result.stderr.startswith("environment: DATABASE_URL has 'no scheme' where ")
    assert "base64-encoded" in result.stderr
    assert encoded not in result.stderr
    assert "s3cr" not in result.stderr


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"DATABASE_URL": ""}, "environment: DATABASE_URL is not set\n"),
        (
            {"DATABASE_URL": "postgres://binome@10.0.0.5:5432/"},
            "environment: DATABASE_URL names no database\n",
        ),
        (
            {"REDIS_URL": "http://10.0.0.6:6379/0"},
            "environment: REDIS_URL has 'http' where redis/rediss:// is expected\n",
        ),
        (
            {"CELERY_BROKER_URL": "rediss://binome:pw@10.0.0.6:port/1"},
            "environment: CELERY_BROKER_URL does not parse as a URL "
            "(Port could not be cast to integer value as 'port')\n",
        ),
    ],
    ids=["missing", "no-database", "wrong-scheme", "bad-port"],
)
def test_each_unusable_url_fails_the_job(changes, message):
    # given
    environment = {**GOOD, **changes}

    # when
    result = run(environment)

    # then
    assert result.returncode == 1
    assert result.stderr == message
