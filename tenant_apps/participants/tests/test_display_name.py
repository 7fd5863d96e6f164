"""One way to name a participant: Participant.display_name (and display_email for a manager).
An erased person is "Participant·e supprimé·e" there, never their placeholder account; a page
or an email that reads the account's name or address directly would show the placeholder."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import override
from django_tenants.utils import tenant_context

from saas.core.tenancy import connection
from shared_apps.accounts.models import User
from tenant_apps.participants.models import Participant

ROOT = Path(settings.BASE_DIR)
IDENTITY = re.compile(r"\.user\.(get_full_name|email|first_name|last_name)\b")
# Reviewed: the person's own pages and emails, and what identifies them to Whereby.
ALLOWED = {
    "tenant_apps/meetings/services/invitations.py": "the recipient's own address and first name",
    "tenant_apps/meetings/views.py": "the person's own name in their video room",
    "tenant_apps/participants/models.py": "display_name itself",
    "tenant_apps/participants/services.py": "the person's own address (email_about_other too)",
    "tenant_apps/privacy/services/export.py": "the person's own export",
    "tenant_apps/privacy/services/retention.py": "the person's own address",
    "tenant_apps/notifications/privacy_hooks.py": "the person's own export (their messages)",
    "tenant_apps/surveys/services.py": "the recipient's own address",
    "tenant_apps/api/scim.py": "the SCIM User's name, as the identity provider provisioned it",
}


def test_pages_and_emails_name_participants_through_display_name_only():
    offending = []
    for path in sorted((ROOT / "tenant_apps").rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        if path.suffix not in {".html", ".txt", ".py"} or "/tests/" in relative:
            continue
        if "/migrations/" in relative or relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if IDENTITY.search(line):
                offending.append(f"{relative}:{number}: {line.strip()}")
    assert offending == []


@pytest.mark.django_db
def test_an_erased_participant_is_named_deleted_participant_and_has_no_address(world):
    with tenant_context(world.program_a):
        participant = Participant.objects.select_related("user").get(user=world.mentee_a)
        User.objects.filter(pk=world.mentee_a.pk).update(first_name="Léa", last_name="Martin")
        participant.user.refresh_from_db()
        assert (participant.display_name, participant.display_email) == (
            "Léa Martin",
            world.mentee_a.email,
        )
        participant.status = Participant.Status.ERASED
        with override("fr"):
            assert str(participant.display_name) == "Participant·e supprimé·e"
        with override("en"):
            assert str(participant.display_name) == "Deleted participant"
        assert participant.display_email == ""
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_people_erased_before_the_erased_status_are_marked_by_the_migration(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tenant_apps.participants.migrations.0005_erased_status")
    with tenant_context(world.program_a):
        # given a participant erased by the old code: deactivated, tied to a placeholder
        placeholder = User.objects.create_user(email="0123456789abcdef@erased.invalid")
        erased = Participant.objects.create(user=placeholder, role="mentee", status="deactivated")
        deactivated = Participant.objects.get(user=world.mentee_a)
        Participant.objects.filter(pk=deactivated.pk).update(status="deactivated")
        # when the migration runs, then only the erased one is marked, and no longer available
        migration.mark_erased(apps, None)
        erased.refresh_from_db()
        assert (erased.status, erased.is_available) == ("erased", False)
        assert Participant.objects.get(pk=deactivated.pk).status == "deactivated"
        # and reversing it gives the old status back
        migration.unmark_erased(apps, None)
        assert Participant.objects.get(pk=erased.pk).status == "deactivated"
    connection.set_schema_to_public()
