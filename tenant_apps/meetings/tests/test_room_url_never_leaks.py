"""The room's URL is a key to the room: it appears in exactly one response, the join page's
iframe, for one of the two people. This test runs a meeting's whole life through the pages
(propose, accept, reminders, move, join, webhook, cancel) with the fake Whereby, then greps
everything that was produced — every email and its ICS file (sent and in the outbox table),
every other response, every log line — for every URL, room name and key the fake handed
out. An error on the join page reaches Sentry without them either."""

import json
import logging
import time
import uuid
from datetime import timedelta

import pytest
import sentry_sdk
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.core.observability import sentry_init
from saas.tests.wsgi import wsgi_get
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services.reminders import meetings_due_process
from tenant_apps.video.tests.fixtures import WEBHOOK_SECRET, all_emails_texts, leaks
from tests.fakes.sentry import EU_DSN, CapturingTransport
from tests.fakes.whereby import webhook_signature


@pytest.fixture
def sentry_events():
    """Sentry on, with the project's configuration; the transport keeps what would be sent."""
    transport = CapturingTransport()
    sentry_sdk.get_isolation_scope().clear_breadcrumbs()
    assert sentry_init(dsn=EU_DSN, environment="test", transport=transport)
    try:
        yield transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
        sentry_sdk.get_isolation_scope().clear_breadcrumbs()


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def log_records():
    """Every log record, at any level, while the test runs."""
    handler, root = _Records(), logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


class RecordingClient:
    """A logged-in test client that keeps every response."""

    def __init__(self, program, email):
        self.client = host_client(program)
        http_login(self.client, email, PASSWORD)
        self.responses = []

    def get(self, path, **extra):
        response = self.client.get(path, **extra)
        self.responses.append((path, response))
        return response

    def post(self, path, data, **extra):
        response = self.client.post(path, data, **extra)
        self.responses.append((path, response))
        return response

    def texts(self, *, except_join: bool):
        return [
            response.content.decode() + " ".join(f"{k}: {v}" for k, v in response.items())
            for path, response in self.responses
            if not (except_join and path.endswith("/visio"))
        ]


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db
def test_a_whole_meeting_life_never_puts_the_room_url_anywhere_but_the_join_page(
    pair, world, whereby_fake, log_records, django_capture_on_commit_callbacks
):
    lea = RecordingClient(pair.program, "lea.martin@a.example")
    hugo = RecordingClient(pair.program, "hugo.bernard@a.example")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=10)

    # Léa proposes; Hugo accepts (emails with ICS go out; no room yet: the window is far)
    with django_capture_on_commit_callbacks(execute=True):
        lea.post(
            "/rendez-vous/proposer/",
            {
                "match": pair.match.pk,
                "time_zone": "Europe/Paris",
                "duration": 60,
                "slot_1": local(start + timedelta(days=2)),
            },
        )
    with tenant_context(pair.program):
        meeting = Meeting.objects.get()
        first_slot = meeting.slots.get()
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        hugo.post(f"/rendez-vous/{meeting.pk}/accepter/", {"slot": first_slot.pk})
    assert whereby_fake.live_meetings() == []

    # the reminders go out
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(start + timedelta(days=2) - timedelta(hours=20)),
        tenant_context(pair.program),
    ):
        meetings_due_process()
    connection.set_schema_to_public()

    # Hugo moves it to "in ten minutes"; Léa accepts (the window is open: the room is made)
    with django_capture_on_commit_callbacks(execute=True):
        hugo.post(
            f"/rendez-vous/{meeting.pk}/deplacer/",
            {"time_zone": "Europe/Paris", "duration": 60, "slot_1": local(start)},
        )
    with tenant_context(pair.program):
        new_slot = Meeting.objects.get().slots.get(proposal_round=1)
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        lea.post(f"/rendez-vous/{meeting.pk}/accepter/", {"slot": new_slot.pk})
    assert len(whereby_fake.meetings) == 1 and len(whereby_fake.live_meetings()) == 1

    # both visit every page, and join (the one page that carries the room)
    for client in (lea, hugo):
        for path in (
            "/rendez-vous/",
            f"/rendez-vous/{meeting.pk}/",
            f"/rendez-vous/{meeting.pk}/acces-visio/",
            f"/rendez-vous/{meeting.pk}/visio",
        ):
            assert client.get(path).status_code == 200
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, PASSWORD, second_factor=True)
    manager_page = manager.get("/gestion/rendez-vous/")

    # Whereby reports both joined
    (room,) = whereby_fake.live_meetings()
    for person in (pair.mentee, pair.mentor):
        body = json.dumps(
            {
                "id": str(uuid.uuid4()),
                "apiVersion": "1.0",
                "createdAt": "2027-01-01T10:00:00Z",
                "type": "room.client.joined",
                "data": {
                    "meetingId": room.meeting_id,
                    "roomName": room.room_name,
                    "subdomain": "binome",
                    "externalId": f"p{person.pk}",
                    "displayName": person.user.get_full_name(),
                },
            }
        ).encode()
        webhook = host_client(None).post(
            "/webhooks/whereby",
            data=body,
            content_type="application/json",
            HTTP_WHEREBY_SIGNATURE=webhook_signature(
                secret=WEBHOOK_SECRET, body=body, timestamp=int(time.time())
            ),
        )
        assert webhook.status_code == 200

    # a later meeting is proposed, accepted, then cancelled (ICS CANCEL)
    with django_capture_on_commit_callbacks(execute=True):
        lea.post(
            "/rendez-vous/proposer/",
            {
                "match": pair.match.pk,
                "time_zone": "Europe/Paris",
                "duration": 30,
                "slot_1": local(start + timedelta(days=3)),
            },
        )
    with tenant_context(pair.program):
        later = Meeting.objects.exclude(pk=meeting.pk).get()
        later_slot = later.slots.get()
    connection.set_schema_to_public()
    with django_capture_on_commit_callbacks(execute=True):
        hugo.post(f"/rendez-vous/{later.pk}/accepter/", {"slot": later_slot.pk})
    with django_capture_on_commit_callbacks(execute=True):
        lea.post(f"/rendez-vous/{later.pk}/annuler/", {"reason": "Conflit d'agenda"})

    # then: the meeting was held, and invitations, moves and cancellations were sent
    with tenant_context(pair.program):
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.HELD
    connection.set_schema_to_public()
    calendar_parts = [text for text in all_emails_texts([]) if text.startswith("BEGIN:VCALENDAR")]
    assert any("METHOD:CANCEL" in part for part in calendar_parts)
    assert sum("METHOD:REQUEST" in part for part in calendar_parts) >= 6
    assert len(whereby_fake.meetings) == 1  # the later meeting's window never opened

    # and no room URL, host URL, room name or key is in any email or ICS file, any other
    # response, or any log line
    secrets = whereby_fake.issued_urls()
    assert leaks(all_emails_texts([world.program_a, world.program_b]), secrets) == []
    others = lea.texts(except_join=True) + hugo.texts(except_join=True)
    others.append(manager_page.content.decode())
    assert leaks(others, secrets) == []
    log_lines = [record.getMessage() for record in log_records]
    log_lines += [repr(record.args) for record in log_records]
    assert len(log_lines) > 10
    assert leaks(log_lines, secrets) == []
    # while the join pages did carry the room (so the grep above was looking for real values):
    # Léa's the plain room URL (she knocks), Hugo's the host URL (he lets her in) — the host
    # URL is among what was searched for everywhere else, and only his join page has it
    (issued,) = whereby_fake.meetings.values()
    body = whereby_fake.meeting_body(issued, ["hostRoomUrl"])
    room_url, host_url = body["roomUrl"], body["hostRoomUrl"]
    assert {room_url, host_url, issued.room_key} <= secrets
    lea_join = [t for p, r in lea.responses if p.endswith("/visio") for t in [r.content.decode()]]
    hugo_join = [t for p, r in hugo.responses if p.endswith("/visio") for t in [r.content.decode()]]
    assert leaks(lea_join, {room_url}) == [room_url]
    assert leaks(lea_join, {host_url, issued.room_key}) == []
    assert leaks(hugo_join, {host_url}) == [host_url]


@pytest.mark.django_db
def test_an_error_on_the_join_page_reaches_sentry_without_the_room(
    pair,
    whereby_fake,
    sentry_events,
    monkeypatch,
):
    from tenant_apps.meetings import views
    from tenant_apps.meetings.services.room import meeting_room_sync
    from tenant_apps.meetings.tests.factories import confirmed

    # given a meeting in its join window, with its room
    with tenant_context(pair.program):
        meeting = confirmed(pair, starts_in=timedelta(minutes=5))
        meeting_room_sync(meeting_id=meeting.pk)
        meeting = Meeting.objects.get(pk=meeting.pk)
    connection.set_schema_to_public()

    # and a bug that puts the room's URLs in an exception and a log line
    def broken(*, room_url, **kwargs):
        logging.getLogger("tenant_apps.meetings").error("cannot embed %s", room_url)
        raise RuntimeError(f"cannot embed {room_url} (room {meeting.video_host_room_url})")

    monkeypatch.setattr(views, "room_embed_url", broken)
    client = host_client(pair.program)
    http_login(client, "lea.martin@a.example", PASSWORD)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())

    # when Léa opens the join page, through the WSGI handler as in production
    answer = wsgi_get(
        f"/rendez-vous/{meeting.pk}/visio", HTTP_HOST=pair.program.host, HTTP_COOKIE=cookie
    )
    sentry_sdk.flush()

    # then the error was reported, with the room filtered out
    assert answer.status == 500
    assert sentry_events.events()
    sent = sentry_events.text()
    assert "[Filtered video room]" in sent
    assert leaks([sent], whereby_fake.issued_urls()) == []
    assert whereby_fake.base_url == settings.WHEREBY_BASE_URL
