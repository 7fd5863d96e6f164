"""Emails greet people the same way everywhere and never stutter the programme's name."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.models import User
from tenant_apps.notifications.services import email_queue
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_add

EMAIL_TEMPLATES = Path(settings.BASE_DIR, "tenant_apps/notifications/templates/notifications/email")
# Every kind of email the outbox sends, found on disk (a new one is covered without a list).
TEMPLATES = sorted(
    path.name.removesuffix(".subject.txt") for path in EMAIL_TEMPLATES.glob("*.subject.txt")
)


@pytest.mark.django_db
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_email_greets_the_person_by_first_name_when_known(world, template):
    with tenant_context(world.program_a):
        user = User.objects.create_user(email="camille@a.example", first_name="Camille")
        participant = participant_add(user=user, role=Participant.Role.MENTEE)
        anonymous = User.objects.create_user(email="nobody@a.example")
        nameless = participant_add(user=anonymous, role=Participant.Role.MENTEE)
        context = {
            "link_url": "https://prog-a.example/acces/x/",
            "expires_at": timezone.now() + timedelta(hours=48),
            "has_password": False,
            "other_name": "Hugo Bernard",
        }
        named = email_queue(
            to=user.email,
            template=template,
            context={**context, "participant": participant, "user": user},
        )
        plain = email_queue(
            to=anonymous.email,
            template=template,
            context={**context, "participant": nameless, "user": anonymous},
        )
    connection.set_schema_to_public()
    assert named.body_text.startswith("Bonjour Camille,\n")
    assert "<p>Bonjour Camille,</p>" in named.body_html
    assert plain.body_text.startswith("Bonjour,\n")
    assert "<p>Bonjour,</p>" in plain.body_html


def test_no_email_template_writes_its_own_greeting():
    # one helper greets (tenant_apps.notifications.services.greeting): templates only use it
    folders = [Path(settings.BASE_DIR) / "tenant_apps"]
    found = [
        str(path)
        for folder in folders
        for path in folder.glob("*/templates/notifications/email/*")
        if "Hello" in path.read_text()
    ]
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize("template", ["invitation", "registration", "retention_warning"])
def test_the_programme_name_is_not_preceded_by_a_generic_description(world, template):
    with tenant_context(world.program_a):
        email = email_queue(
            to="x@a.example",
            template=template,
            context={"link_url": "https://x", "expires_at": timezone.now(), "has_password": True},
        )
    connection.set_schema_to_public()
    # "au programme de mentorat Programme A" read twice the same thing (the demo's
    # "programme de mentorat Mentorat Ucanss 2027")
    assert "programme de mentorat Programme A" not in email.body_text
    assert "ce programme de mentorat" not in email.body_text
    assert "« Programme A »" in email.body_text
