"""The project's structural rules, checked rather than hoped for."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _app_folders(package: str) -> set[str]:
    return {
        f"{package}.{child.name}"
        for child in (ROOT / package).iterdir()
        if (child / "apps.py").exists()
    }


def test_shared_and_tenant_apps_come_from_their_folders():
    shared, tenant = _app_folders("shared_apps"), _app_folders("tenant_apps")
    assert shared and tenant
    assert shared <= set(settings.SHARED_APPS)
    assert tenant <= set(settings.TENANT_APPS)
    assert not shared & set(settings.TENANT_APPS)
    assert not tenant & set(settings.SHARED_APPS)
    # sessions and content types are in both lists: a session lives in its host's schema
    for app in ("django.contrib.sessions", "django.contrib.contenttypes"):
        assert app in settings.SHARED_APPS and app in settings.TENANT_APPS


# Which app may import which is checked by import-linter, function-level imports included
# (pyproject.toml, tests/test_architecture.py): tenant apps read shared apps' models only
# through their services and selectors ("shared-models-behind-facades"); accounts and the
# platform audit sit under the tenant apps and never import them, directly or through another
# module ("layers"; the console sits above the tenant apps and may).


def test_public_models_hold_no_foreign_key_into_programme_schemas():
    """Citus-ready (DESIGN §8): nothing in public points into a programme schema."""
    tenant_labels = {
        apps.get_app_config(a.rsplit(".", 1)[-1]).label
        for a in settings.TENANT_APPS
        if a.startswith("tenant_apps.")
    }
    offenders = []
    for model in apps.get_models():
        if model._meta.app_label in tenant_labels:
            continue
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if field.concrete and related is not None and related._meta.app_label in tenant_labels:
                offenders.append(f"{model.__name__}.{field.name}")
    assert offenders == []


@pytest.mark.django_db
def test_no_missing_migrations():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "saas.settings.test"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "saas.settings.production",
    "DJANGO_SECRET_KEY": "x" * 64 + "-production-like-secret-for-the-check-only",
    "DATABASE_URL": "postgres://binome@127.0.0.1:5432/binome",
    "BASE_DOMAIN": "binome.fr",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
}


def test_production_settings_pass_check_deploy_with_the_documented_variables():
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "TEST_"))
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env | PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_readme_documents_every_environment_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text()
    names = set()
    for path in (ROOT / "saas" / "settings").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, (ast.Name, ast.Attribute))
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value.isupper()
                and (
                    getattr(node.func, "id", "") == "env"
                    or (
                        getattr(node.func, "value", None) is not None
                        and getattr(node.func.value, "id", "") == "env"
                    )
                )
            ):
                names.add(node.args[0].value)
    assert names, "no env() call found"
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert missing == []


@pytest.mark.django_db
def test_demo_data_loads_twice_and_gives_working_logins(django_capture_on_commit_callbacks):
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from saas.project.management.commands.demo_seed import DEMO_PASSWORD
    from tenants.models import Program

    for _ in range(2):  # idempotent
        with django_capture_on_commit_callbacks(execute=True):
            call_command("demo_seed", "--force", stdout=open(os.devnull, "w"))  # noqa: SIM115
        connection.set_schema_to_public()
    assert Program.objects.filter(slug__in=["ucanss-2027", "banque-mentorat"]).count() == 2
    client = Client(HTTP_HOST=f"banque-mentorat.{settings.BASE_DOMAIN}")
    response = client.post(
        "/connexion/", {"username": "mentee1@banque-territoriale.fr", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/binome/").content.decode()
    assert "mentor1@banque-territoriale.fr" not in page  # names, never addresses
    assert client.get("/binome/").status_code == 200
