"""The manager's settings are written by `program_settings_update` with their audit rows in one
transaction: a change lands with its row, and when the row cannot be written nothing lands
(PostgreSQL refuses the insert: nothing is mocked). The service takes values, not the form."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django_tenants.utils import tenant_context
from PIL import Image

from audit.models import AuditEvent
from conftest import audit_rows_refused
from saas.core.tenancy import connection
from tenant_apps.programs.models import ProgramSettings
from tenant_apps.programs.tests.settings_form import SETTINGS


def _state(program) -> tuple[ProgramSettings, list[str]]:
    with tenant_context(program):
        settings = ProgramSettings.objects.get(id=1)
        actions = list(
            AuditEvent.objects.filter(action__startswith="programs.")
            .order_by("id")
            .values_list("action", flat=True)
        )
    connection.set_schema_to_public()
    return settings, actions


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), "#c0392b").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_settings_change_lands_with_its_audit_rows(world, manager_client):
    assert manager_client.post("/gestion/parametres/", SETTINGS).status_code == 302
    _, before = _state(world.program_a)
    # when the manager requires two-step verification and changes the request delay
    response = manager_client.post(
        "/gestion/parametres/",
        {**SETTINGS, "two_factor_policy": "required", "request_expiry_days": "9"},
    )
    # then both land, each kind of change with its row
    assert response.status_code == 302
    settings, after = _state(world.program_a)
    assert settings.two_factor_policy == "required" and settings.request_expiry_days == 9
    assert settings.allowed_email_domains == ["a.example"]
    assert after[: len(before)] == before
    assert sorted(after[len(before) :]) == [
        "programs.settings_changed",
        "programs.two_factor_policy_changed",
    ]


@pytest.mark.django_db
def test_settings_change_without_its_audit_rows_changes_nothing(world, manager_client):
    settings_before, rows_before = _state(world.program_a)
    # when the audit rows cannot be written
    with audit_rows_refused(world.program_a), pytest.raises(DatabaseError):
        manager_client.post(
            "/gestion/parametres/",
            {**SETTINGS, "two_factor_policy": "required", "request_expiry_days": "9"},
        )
    # then the settings are as they were
    settings_after, rows_after = _state(world.program_a)
    assert settings_after.two_factor_policy == settings_before.two_factor_policy
    assert settings_after.request_expiry_days == settings_before.request_expiry_days
    assert settings_after.updated_at == settings_before.updated_at
    assert rows_after == rows_before


@pytest.mark.django_db
def test_saving_again_keeps_the_logo_and_clearing_removes_it(world, manager_client, media):
    # given a logo uploaded by the manager
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    assert (
        manager_client.post("/gestion/parametres/", {**SETTINGS, "logo": logo}).status_code == 302
    )
    uploaded, rows = _state(world.program_a)
    assert uploaded.logo.name
    # when the settings are saved again without a file
    assert manager_client.post("/gestion/parametres/", SETTINGS).status_code == 302
    # then the logo stays, and no branding change is logged
    kept, rows_after_keep = _state(world.program_a)
    assert kept.logo.name == uploaded.logo.name
    assert rows_after_keep.count("programs.branding_changed") == rows.count(
        "programs.branding_changed"
    )
    # when the manager ticks "clear"
    cleared = manager_client.post("/gestion/parametres/", {**SETTINGS, "logo-clear": "on"})
    # then the logo is gone, logged as a branding change
    assert cleared.status_code == 302
    settings, rows_after_clear = _state(world.program_a)
    assert not settings.logo
    assert rows_after_clear.count("programs.branding_changed") == 1 + rows.count(
        "programs.branding_changed"
    )
