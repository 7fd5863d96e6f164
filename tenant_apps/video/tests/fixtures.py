"""Test fixtures around the fake Whereby, imported by the conftest of every suite that talks to
it (video, meetings, the browser tests).

- `whereby_fake`: the fake on a random 127.0.0.1 port, with the settings pointing at it;
- `room_urls_stay_out_of_emails` (autouse where imported): after each test, every email
  sent (django.core.mail.outbox, attachments decoded) and every outbox row of the test
  programmes is searched for every room URL, host URL, room name and room key the fakes of
  that test handed out. None may appear.
"""

import html
from collections.abc import Iterator
from email import message_from_bytes

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from saas.core.tenancy import connection
from tests.fakes.whereby import FakeWhereby

WEBHOOK_SECRET = "test-webhook-secret-0123456789"
_started: list[FakeWhereby] = []


@pytest.fixture
def whereby_fake(settings) -> Iterator[FakeWhereby]:
    fake = FakeWhereby(api_key=settings.WHEREBY_FAKE_API_KEY, webhook_secret=WEBHOOK_SECRET)
    fake.start()
    _started.append(fake)
    settings.WHEREBY_API_KEY = ""  # local mode: no key, the fake's
    settings.WHEREBY_BASE_URL = fake.base_url
    settings.WHEREBY_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.WHEREBY_RETRY_BACKOFF_SECONDS = 0.01
    settings.WHEREBY_TIMEOUT_SECONDS = 3
    try:
        yield fake
    finally:
        fake.stop()


def message_texts(message: object) -> list[str]:
    """Every readable part of a sent message: headers, bodies and attachments, decoded."""
    raw = message.message().as_bytes()  # type: ignore[attr-defined]
    texts = [raw.decode("utf-8", "replace")]
    for part in message_from_bytes(raw).walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return texts


def outbox_row_texts(programs: list[object]) -> list[str]:
    from tenant_apps.notifications.models import Email

    texts: list[str] = []
    schema = connection.schema_name
    for program in programs:
        with tenant_context(program):
            for email in Email.objects.all():
                texts += [email.subject, email.body_text, email.body_html]
                texts += [attachment.get("content", "") for attachment in email.attachments]
    connection.set_schema(schema) if schema != "public" else connection.set_schema_to_public()
    return texts


def leaks(texts: list[str], secrets: set[str]) -> list[str]:
    found = []
    for secret in secrets:
        variants = {secret, html.escape(secret), secret.replace("&", "&amp;")}
        if any(variant in text for text in texts for variant in variants):
            found.append(secret)
    return found


def all_emails_texts(programs: list[object]) -> list[str]:
    texts = [text for message in mail.outbox for text in message_texts(message)]
    return texts + outbox_row_texts(programs)


@pytest.fixture(autouse=True)
def room_urls_stay_out_of_emails(request) -> Iterator[None]:
    first = len(_started)
    yield
    fakes = _started[first:]
    del _started[first:]
    secrets = {value for fake in fakes for value in fake.issued_urls() if value}
    if not secrets:
        return
    programs = []
    if "world" in request.fixturenames:
        world = request.getfixturevalue("world")
        programs = [world.program_a, world.program_b]
    found = leaks(all_emails_texts(programs), secrets)
    assert found == [], "a video room URL or key was found in an email or ICS file"
