"""The audit rule: every service that changes programme or platform state writes its audit row
in the same transaction. Every public function of every services module (`<app>/services.py`,
`<app>/services/*.py`) is marked `@audited` or `@audit_exempt("why")` (audit/log.py);
an `@audited` service that returns without writing a row raises and rolls back."""

import importlib
import inspect
from pathlib import Path
from types import ModuleType

import pytest
from django.db import transaction

from audit.log import AuditMissing, audit_exempt, audit_policy, audit_record, audited

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("saas", "audit", "tenants", "shared_apps", "tenant_apps")


def service_modules() -> list[ModuleType]:
    modules = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            parts = relative.with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            if parts[-1] == "services" or "services" in parts[:-1]:
                name = ".".join(p for p in parts if p != "__init__")
                modules.append(importlib.import_module(name))
    return modules


def unmarked(module: ModuleType) -> list[str]:
    """Public functions defined in `module` that carry neither mark."""
    return [
        f"{module.__name__}.{name}"
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_")
        and function.__module__ == module.__name__
        and audit_policy(function) is None
    ]


def test_every_public_service_is_audited_or_exempted_with_a_reason():
    modules = service_modules()
    names = {m.__name__ for m in modules}
    # the walk finds the service modules of every layer
    assert {"tenants.services", "tenant_apps.programs.services"} <= names
    assert "tenant_apps.matching.services" in names
    missing = [name for module in modules for name in unmarked(module)]
    assert missing == [], (
        "Mark these with @audited (they change state and write an audit row) or "
        "@audit_exempt('why no row is due') from audit.log: " + ", ".join(missing)
    )


def test_the_walk_reports_an_unmarked_service():
    # given a services module with one marked and one unmarked public function
    module = ModuleType("fake_app.services")

    @audit_exempt("pure: returns a constant")
    def marked() -> int:
        return 1

    def forgotten() -> None:
        return None

    for function in (marked, forgotten):
        function.__module__ = module.__name__
        setattr(module, function.__name__, function)
    # then the check names the unmarked one only
    assert unmarked(module) == ["fake_app.services.forgotten"]


def test_exempting_needs_a_reason():
    with pytest.raises(ValueError):
        audit_exempt("")


@pytest.mark.django_db
def test_an_audited_service_that_writes_no_row_is_rolled_back(world):
    from tenants.models import Client

    @transaction.atomic
    @audited
    def client_rename_silently(*, client: Client, name: str) -> Client:
        client.name = name
        client.save(update_fields=["name"])
        return client

    client = Client.objects.get(name="Test organisation")
    with pytest.raises(AuditMissing):
        client_rename_silently(client=client, name="Renamed without a trace")
    client.refresh_from_db()
    assert client.name == "Test organisation"


@pytest.mark.django_db
def test_an_audited_service_that_writes_its_row_goes_through(world):
    from audit.models import AuditEvent
    from tenants.models import Client

    @transaction.atomic
    @audited
    def client_rename(*, client: Client, name: str) -> Client:
        client.name = name
        client.save(update_fields=["name"])
        audit_record(action="console.client_renamed", target=client)
        return client

    client = Client.objects.get(name="Test organisation")
    client_rename(client=client, name="Renamed")
    assert Client.objects.get(pk=client.pk).name == "Renamed"
    assert AuditEvent.objects.filter(action="console.client_renamed").count() == 1
