"""Right of access: the export covers every model that refers to a person."""

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from tenant_apps.participants.models import Participant
from tenant_apps.privacy.hooks import erase_rules, export_sources, hook_modules


def models_referring_to_a_person() -> set[str]:
    """Every model with a relation to a participant or a user, from the registry."""
    person_models = {Participant, apps.get_model(settings.AUTH_USER_MODEL)}
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model in person_models:
                found.add(model._meta.label)
    return found | {settings.AUTH_USER_MODEL}


def test_every_model_referring_to_a_person_says_how_it_is_exported():
    missing = models_referring_to_a_person() - set(export_sources())
    assert missing == set(), f"add these to EXPORT in their app's privacy_hooks.py: {missing}"


def _our_app(label: str) -> bool:
    name = apps.get_app_config(label).name
    return name == "audit" or name.startswith(("shared_apps.", "tenant_apps.", "tenants"))


def test_each_app_declares_only_its_own_models_in_its_privacy_hooks():
    """Each app exports and erases its own data: a hook names a model of its own app (or of
    a third-party app it uses, such as django-otp's devices for accounts)."""
    modules = hook_modules()
    assert {"participants", "matching", "meetings", "notifications", "audit", "accounts"} <= set(
        modules
    )
    foreign = [
        f"{label}: {model}"
        for label, module in modules.items()
        for model in {**module.EXPORT, **module.ERASE}
        if model.split(".")[0] != label and _our_app(model.split(".")[0])
    ]
    assert foreign == []


def test_privacy_reads_no_other_tenant_app_at_module_level_for_export_and_erasure():
    """The export and the erasure know other apps only through their hooks."""
    import ast
    from pathlib import Path

    root = Path(settings.BASE_DIR) / "tenant_apps" / "privacy"
    offenders = []
    for path in [root / "hooks.py", *(root / "services").glob("*.py")]:
        if path.name == "retention.py":
            continue
        for node in ast.parse(path.read_text()).body:  # module level only
            module = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
            if module.startswith("tenant_apps.") and not module.startswith("tenant_apps.privacy"):
                offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_a_model_declared_by_two_apps_is_refused(monkeypatch):
    """Two apps cannot both say how one model is erased."""
    from types import SimpleNamespace

    from tenant_apps.privacy import hooks

    twice = {
        "first": SimpleNamespace(EXPORT={}, ERASE={"matching.Match": "kept"}),
        "second": SimpleNamespace(EXPORT={}, ERASE={"matching.Match": "kept too"}),
    }
    monkeypatch.setattr(hooks, "hook_modules", lambda: twice)
    erase_rules.cache_clear()
    try:
        with pytest.raises(ValueError, match="declared twice"):
            erase_rules()
    finally:
        monkeypatch.undo()
        erase_rules.cache_clear()


@pytest.mark.django_db
def test_participant_downloads_their_data_and_nothing_secret(
    world, django_capture_on_commit_callbacks
):
    from tenant_apps.matching.services import match_create_manual
    from tenant_apps.meetings.models import Meeting
    from tenant_apps.participants.models import Answer
    from tenant_apps.programs.models import Question

    with tenant_context(world.program_a):
        mentee = Participant.objects.get(user=world.mentee_a)
        mentor = Participant.objects.get(user=world.both)
        question = Question.objects.create(key="ville", label="Ville", kind="text")
        Answer.objects.create(participant=mentee, question=question, value="Lyon")
        match = match_create_manual(mentee=mentee, mentor=mentor)
        start = timezone.now() + timedelta(days=3)
        Meeting.objects.create(
            match=match,
            proposed_by=mentee,
            status="confirmed",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            video_room_url="https://binome.whereby.com/secret-room",
        )
    connection.set_schema_to_public()
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, PASSWORD)
    page = client.get("/espace/mes-donnees/")
    assert page.status_code == 200 and "Lyon" in page.content.decode()
    response = client.get("/espace/mes-donnees/?format=json")
    export = json.loads(response.content)
    text = response.content.decode()
    assert export["account"]["email"] == world.mentee_a.email
    assert export["data"]["participants.Answer"][0]["value"] == "Lyon"
    assert len(export["data"]["matching.Match"]) == 1
    assert len(export["data"]["meetings.Meeting"]) == 1
    assert "secret-room" not in text and "password" not in text and "token_hash" not in text
    # programme B is not mentioned: the per-programme export reveals no other membership
    assert world.program_b.schema_name not in text and "Programme B" not in text
    with tenant_context(world.program_a):
        from audit.models import AuditEvent

        assert AuditEvent.objects.filter(action="privacy.exported").count() == 2
