"""Email subjects are plain text: a programme called "Dupont & Fils" and a person called
O'Brien arrive as such, never as `&amp;` or `&#x27;`. Every kind of email is found from the
subject templates of every app, so a new kind is covered without editing this file."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.meetings.models import Meeting
from tenant_apps.notifications.models import Email
from tenant_apps.notifications.services import email_queue
from tenants.models import Program

PERSON = "Siobhán O'Brien"
PROGRAM = "Dupont & Fils <Mentorat>"
ENTITIES = re.compile(r"&(#x?[0-9a-f]+|[a-z]+);", re.IGNORECASE)


def email_kinds() -> list[tuple[str, str]]:
    """(template, notice) for every subject template of every app; a template that branches on
    `notice` gives one kind per branch."""
    kinds = []
    for app in apps.get_app_configs():
        for path in sorted(Path(app.path).glob("templates/notifications/email/*.subject.txt")):
            template = path.name.removesuffix(".subject.txt")
            notices = re.findall(r'notice == "(\w+)"', path.read_text()) or [""]
            kinds += [(template, notice) for notice in notices]
    return kinds


def test_every_email_kind_is_found():
    kinds = email_kinds()
    # the notifications app's own kinds and the meeting notices, at least
    assert ("invitation", "") in kinds
    assert ("meeting", "reminder_1h") in kinds
    assert len(kinds) >= 19  # account emails (accounts/email) are sent from public, not the outbox


@pytest.mark.django_db
@pytest.mark.parametrize(("template", "notice"), email_kinds())
def test_subject_is_plain_text(world, template, notice):
    # given a programme and a person whose names carry an ampersand, an apostrophe, a "<"
    Program.objects.filter(pk=world.program_a.pk).update(name=PROGRAM)
    program = Program.objects.get(pk=world.program_a.pk)
    names = {key: PERSON for key in ("by_name", "other_name", "recipient_name", "name")}
    start = timezone.now()
    meeting = Meeting(time_zone="Europe/Paris", starts_at=start, ends_at=start + timedelta(hours=1))
    with tenant_context(program):
        # when the email is queued
        email = email_queue(
            to="siobhan@a.example",
            template=template,
            context={"notice": notice, "meeting": meeting, **names},
        )
        subject = Email.objects.get(pk=email.pk).subject
    connection.set_schema_to_public()

    # then the subject says the names as they are, with no HTML entity
    assert ENTITIES.search(subject) is None, subject
    assert "\n" not in subject
    assert PERSON in subject or PROGRAM in subject or "{{" not in _source(template), subject


def _source(template: str) -> str:
    for app in apps.get_app_configs():
        path = Path(app.path) / f"templates/notifications/email/{template}.subject.txt"
        if path.exists():
            return path.read_text()
    raise AssertionError(template)
