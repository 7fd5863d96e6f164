"""The deploy's migration command, taken verbatim from the Dockerfile, docker-compose.yml and the
Terraform migration Job, and RUN against a real PostgreSQL database (a temporary one, created
and dropped here) with the production settings and docker-compose's environment.

A string comparison let `migrate_schemas --executor=parallel` ship: django-tenants has no such
executor and the command failed at once. These tests fail on any command that does not migrate
public and every programme schema with the executor TENANT_MIGRATION_PROCESSES selects.
"""

import base64
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.infra.dockerfile import DOCKERFILE
from tests.infra.hcl_tree import REPO_ROOT, load_tree, resources
from tests.infra.test_compose import compose

PROGRAMME_SCHEMAS = ("deploy_alpha", "deploy_beta")


# --- the command, from each place that runs it ------------------------------------------------


def dockerfile_migrate_command() -> list[str]:
    """The `migrate` line of the Dockerfile's header (the image's documented commands)."""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        words = line.lstrip("#").split(maxsplit=1)
        if line.startswith("#") and words and words[0] == "migrate":
            return shlex.split(words[1])
    raise AssertionError("the Dockerfile documents no `migrate` command")


def compose_migrate_command() -> list[str]:
    return compose()["services"]["migrate"]["command"]


def terraform_migrate_command() -> list[str]:
    jobs = [body for *_, body in resources(load_tree(), "kubernetes_job_v1")]
    (job,) = jobs
    return job["spec"][0]["template"][0]["spec"][0]["container"][0]["command"]


# --- a real database ---------------------------------------------------------------------------


def _server() -> dict:
    database = settings.DATABASES["default"]
    return {
        "host": database.get("HOST") or "127.0.0.1",
        "port": str(database.get("PORT") or 5432),
        "user": database.get("USER") or "postgres",
        "password": database.get("PASSWORD") or "",
    }


def _maintenance_connection() -> psycopg.Connection:
    return psycopg.connect(dbname="postgres", autocommit=True, **_server())


@pytest.fixture
def deploy_database() -> Iterator[str]:
    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME") or "test_binome"
    name = f"{test_name}_deploy"
    with _maintenance_connection() as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with _maintenance_connection() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _database_url(name: str) -> str:
    server = _server()
    credentials = server["user"] + (f":{server['password']}" if server["password"] else "")
    return f"postgres://{credentials}@{server['host']}:{server['port']}/{name}"


def _environment(database: str, processes: int) -> dict[str, str]:
    """docker-compose's application environment (production settings), pointed at this
    machine's PostgreSQL and Redis instead of the compose services."""
    redis = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
    env = {key: str(value) for key, value in compose()["x-app-env"].items()}
    env.update(
        {
            "DATABASE_URL": _database_url(database),
            "REDIS_URL": redis,
            "CELERY_BROKER_URL": redis,
            "TENANT_MIGRATION_PROCESSES": str(processes),
            "PROGRAM_POOL_SIZE": "0",
            # The container's PATH: its `python` is the application's interpreter.
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "HOME": os.environ.get("HOME", "/tmp"),
        }
    )
    return env


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=540, check=False
    )


def _add_programmes_with_empty_schemas(env: dict[str, str]) -> None:
    """Two programme rows whose schemas exist and are empty: what the migration must fill."""
    code = (
        "from django.db import connection\n"
        "from tenants.models import Program\n"
        f"for schema in {PROGRAMME_SCHEMAS!r}:\n"
        "    Program.objects.create(\n"
        "        schema_name=schema, name=schema, slug=schema.replace('_', '-'), status='ready'\n"
        "    )\n"
        "    with connection.cursor() as cursor:\n"
        "        cursor.execute(f'CREATE SCHEMA \"{schema}\"')\n"
    )
    result = _run([sys.executable, "manage.py", "shell", "-c", code], env)
    assert result.returncode == 0, result.stdout + result.stderr


def _applied_migrations(database: str, schema: str) -> int:
    with psycopg.connect(dbname=database, **_server()) as connection:
        row = connection.execute(
            sql.SQL("SELECT count(*) FROM {}.django_migrations").format(sql.Identifier(schema))
        ).fetchone()
    assert row is not None
    return row[0]


# --- tests -------------------------------------------------------------------------------------


def test_dockerfile_compose_and_terraform_run_one_migration_command():
    # given
    dockerfile = dockerfile_migrate_command()

    # when
    compose_command = compose_migrate_command()
    terraform_command = terraform_migrate_command()

    # then
    assert dockerfile == compose_command == terraform_command
    assert dockerfile[:2] == ["sh", "-c"]
    assert "--executor=parallel" not in dockerfile[2]


def test_the_deploy_command_migrates_a_new_database_then_every_programme_schema(deploy_database):
    # given: an empty database, TENANT_MIGRATION_PROCESSES=1 (docker-compose's command)
    one_process = _environment(deploy_database, processes=1)

    # when: the first deploy
    first = _run(compose_migrate_command(), one_process)

    # then: public migrated in this process by the standard executor, then checked
    assert first.returncode == 0, first.stdout + first.stderr
    assert "environment: connection URLs parse." in first.stdout
    assert "[standard:public] === Starting migration" in first.stdout
    assert "multiprocessing" not in first.stdout
    assert "1 schema checked: every migration is applied." in first.stdout
    assert _applied_migrations(deploy_database, "public") > 0

    # given: two programmes whose schemas are still empty, TENANT_MIGRATION_PROCESSES=2
    two_processes = _environment(deploy_database, processes=2)
    _add_programmes_with_empty_schemas(two_processes)

    # when: the next deploy (the Terraform Job's command)
    result = _run(terraform_migrate_command(), two_processes)

    # then: both schemas migrated by django-tenants' multiprocessing executor, then checked
    assert result.returncode == 0, result.stdout + result.stderr
    for schema in PROGRAMME_SCHEMAS:
        assert f"multiprocessing:{schema}] === Starting migration" in result.stdout
    applied = {schema: _applied_migrations(deploy_database, schema) for schema in PROGRAMME_SCHEMAS}
    assert applied["deploy_alpha"] == applied["deploy_beta"] > 0
    assert "3 schemas checked: every migration is applied." in result.stdout

    # when: the same deploy again, nothing to apply
    again = _run(terraform_migrate_command(), two_processes)

    # then: every schema is skipped at its fingerprint (tenants.migration_executor)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "=== Starting migration" not in again.stdout
    assert "2 schema(s) already at the head" in again.stdout
    assert "3 schemas checked: every migration is applied." in again.stdout

    # when: one programme schema alone (what a new programme's creation runs), emptied first
    # (a schema at the head would be skipped)
    with psycopg.connect(dbname=deploy_database, autocommit=True, **_server()) as connection:
        connection.execute("DROP SCHEMA deploy_alpha CASCADE")
        connection.execute("CREATE SCHEMA deploy_alpha")
    single = _run(
        [sys.executable, "manage.py", "migrate_schemas", "--schema", "deploy_alpha"], two_processes
    )

    # then: in the command's own process, whatever TENANT_MIGRATION_PROCESSES says
    assert single.returncode == 0, single.stdout + single.stderr
    assert "(100%) standard:deploy_alpha] === Starting migration" in single.stdout
    assert "multiprocessing" not in single.stdout


def test_the_old_parallel_executor_does_not_exist(deploy_database):
    # given: the command every deploy used to run
    env = _environment(deploy_database, processes=2)

    # when
    result = _run([sys.executable, "manage.py", "migrate_schemas", "--executor=parallel"], env)

    # then
    assert result.returncode != 0
    assert "No executor with codename parallel" in result.stderr


def test_the_deploy_command_stops_on_a_base64_database_url(deploy_database):
    # given: the DATABASE_URL a Secret built from `scaleway_secret_version.data` would carry
    env = _environment(deploy_database, processes=1)
    env["DATABASE_URL"] = base64.b64encode(env["DATABASE_URL"].encode()).decode()

    # when
    result = _run(terraform_migrate_command(), env)

    # then: stopped before Django, by name, without showing the value
    assert result.returncode == 1
    assert "environment: DATABASE_URL" in result.stderr
    assert "base64-encoded" in result.stderr
    assert env["DATABASE_URL"] not in result.stderr
    assert _public_tables(deploy_database) == 0


def _public_tables(database: str) -> int:
    with psycopg.connect(dbname=database, **_server()) as connection:
        row = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert row is not None
    return row[0]
