"""The programme's audit log records every settings and questionnaire change, and shows it in
words, in the viewer's time zone (named); the CSV keeps the codes."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from conftest import PASSWORD, host_client, http_login
from saas.core.tenancy import connection


@pytest.fixture
def manager(world):
    from shared_apps.accounts.models import User

    User.objects.filter(pk=world.manager_a.pk).update(first_name="Sophie", last_name="Martin")
    client = host_client(world.program_a)
    http_login(client, world.manager_a.email, PASSWORD, second_factor=True)
    return client


def _settings_form_data(program) -> dict[str, str]:
    """What the settings page posts when the manager changes nothing."""
    from tenant_apps.programs.forms import ProgramSettingsForm
    from tenant_apps.programs.models import ProgramSettings

    with tenant_context(program):
        form = ProgramSettingsForm(instance=ProgramSettings.objects.get())
        data = {}
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[name] = "on"
            elif value not in (None, False) and name != "logo":
                data[name] = str(value)
    connection.set_schema_to_public()
    return data


def _events(program, since_id: int) -> list[AuditEvent]:
    with tenant_context(program):
        events = list(AuditEvent.objects.filter(id__gt=since_id).order_by("id"))
    connection.set_schema_to_public()
    return events


def _last_id(program) -> int:
    with tenant_context(program):
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    connection.set_schema_to_public()
    return last


@pytest.mark.django_db
def test_settings_changes_are_logged_and_shown_in_words(world, manager):
    program = world.program_a
    before = _last_id(program)
    data = _settings_form_data(program)
    # given the manager adds a domain, opens registration, requires 2FA, shortens a retention
    data["allowed_email_domains_text"] = data.get("allowed_email_domains_text", "") + "\ncnaf.fr"
    data["is_registration_open"] = "on"
    data["two_factor_policy"] = "required"
    data["retention_unverified_days"] = "5"
    data["primary_color"] = "#123456"
    response = manager.post("/gestion/parametres/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    # then each kind of change has its row, by the manager, with codes and values
    events = {e.action: e for e in _events(program, before)}
    assert events["programs.domains_changed"].details == {"added": ["cnaf.fr"], "removed": []}
    assert events["programs.domains_changed"].actor_user_id == world.manager_a.pk
    assert "programs.registration_opened" in events
    assert events["programs.two_factor_policy_changed"].details["to"] == "required"
    assert events["programs.branding_changed"].details == {"fields": ["primary_color"]}
    assert events["programs.retention_changed"].details == {
        "changes": {"retention_unverified_days": [7, 5]}
    }
    # saving again without a change writes nothing
    again = _last_id(program)
    manager.post("/gestion/parametres/", {**data})
    assert _events(program, again) == []
    # and the log reads as sentences, with names
    page = manager.get("/gestion/journal/").content.decode()
    assert "Sophie Martin a modifié les domaines autorisés : + cnaf.fr" in page
    assert "Sophie Martin a ouvert les inscriptions" in page
    assert "Sophie Martin a modifié l’identité visuelle : couleur" in page
    assert "programs.domains_changed" not in page
    # while the CSV keeps the codes
    export = manager.get("/gestion/journal/", {"format": "csv"}).content.decode()
    rows = list(csv.DictReader(io.StringIO(export), delimiter=";"))
    assert "programs.domains_changed" in {row["action"] for row in rows}


@pytest.mark.django_db
def test_questionnaire_edits_are_logged(world, manager):
    program = world.program_a
    before = _last_id(program)
    response = manager.post(
        "/gestion/questionnaire/nouvelle/",
        {"label": "Votre métier", "kind": "text", "audience": "both", "weight": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = _events(program, before)
    assert [e.action for e in created] == ["programs.question_created"]
    key = created[0].details["key"]
    page = manager.get("/gestion/journal/").content.decode()
    assert f"Sophie Martin a ajouté la question « {key} »" in page


@pytest.mark.django_db
def test_times_are_shown_in_the_viewers_time_zone_which_is_named(world, manager):
    program = world.program_a
    with tenant_context(program):
        from audit.log import audit_record

        event = audit_record(action="programs.registration_closed")
        # (append-only, a trigger refuses updates: set the time with triggers off)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                f"UPDATE {AuditEvent._meta.db_table} SET created_at = %s WHERE id = %s",
                [datetime(2026, 1, 15, 9, 30, tzinfo=UTC), event.pk],
            )
            cursor.execute("SET LOCAL session_replication_role = origin")
    connection.set_schema_to_public()
    # by default: Paris time, and the page says so
    page = manager.get("/gestion/journal/", {"days": "400"}).content.decode()
    assert "Quand (heure Europe/Paris)" in page
    assert "15/01/2026 10:30:00 CET" in page
    assert "UTC)" not in page
    # the viewer picks another zone: times follow, and the choice is remembered
    page = manager.get("/gestion/journal/", {"days": "400", "tz": "UTC"}).content.decode()
    assert "Quand (heure UTC)" in page and "15/01/2026 09:30:00 UTC" in page
    page = manager.get("/gestion/journal/", {"days": "400"}).content.decode()
    assert "15/01/2026 09:30:00 UTC" in page
    # the CSV keeps UTC in ISO form
    export = manager.get("/gestion/journal/", {"days": "400", "format": "csv"}).content.decode()
    assert "2026-01-15T09:30:00+00:00;programs.registration_closed" in export
