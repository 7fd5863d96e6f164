"""POST /webhooks/whereby on the public host: the signature is checked on the raw body (good,
bad, stale, from the future, missing), duplicates are ignored by event id, and the event
reaches the configured handler in the programme named by the room's prefix — and only there."""

import json
import time
import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from conftest import host_client
from tenant_apps.video.models import WebhookEvent
from tenant_apps.video.services import room_name_prefix
from tenant_apps.video.webhooks import InvalidSignature, signature_verify
from tests.fakes.whereby import webhook_signature

SECRET = "whsec-webhook-tests"
received: list[tuple[str, object]] = []


def record_event(*, event):
    """The handler these tests configure (WHEREBY_EVENT_HANDLER): keeps what it is given."""
    from django.db import connection

    received.append((connection.schema_name, event))


@pytest.fixture(autouse=True)
def _handler(settings):
    settings.WHEREBY_WEBHOOK_SECRET = SECRET
    settings.WHEREBY_EVENT_HANDLER = f"{__name__}.record_event"
    received.clear()


def event_body(program, *, event_id=None, display_name="Zoé Lefèvre", event_type=None) -> bytes:
    prefix = room_name_prefix(schema_name=program.schema_name, key="m1s0")
    envelope = {
        "id": event_id or str(uuid.uuid4()),
        "apiVersion": "1.0",
        "createdAt": "2027-03-11T14:00:05.000Z",
        "type": event_type or "room.client.joined",
        "data": {
            "meetingId": "52755922",
            "roomName": f"/{prefix}72b919c2-17dc-4007-ac7b-56f38b8e29ba",  # glued, as Whereby does
            "subdomain": "binome",
            "displayName": display_name,
            "participantId": "c0ffee",
            "externalId": "p12",
            "roleName": "host",
            "numClients": 1,
        },
    }
    return json.dumps(envelope, ensure_ascii=False).encode()


def post(body: bytes, signature: str | None):
    headers: dict[str, Any] = {"HTTP_WHEREBY_SIGNATURE": signature} if signature is not None else {}
    return host_client(None).post(
        "/webhooks/whereby", data=body, content_type="application/json", **headers
    )


def signed(body: bytes, *, secret=SECRET, at=None) -> str:
    return webhook_signature(secret=secret, body=body, timestamp=int(at or time.time()))


def events_in(program) -> int:
    with tenant_context(program):
        return WebhookEvent.objects.count()


@pytest.mark.django_db
def test_a_signed_event_reaches_the_handler_in_its_programme(world):
    # given an event about a room of programme A, signed over its raw bytes (accents included)
    body = event_body(world.program_a)

    # when Whereby posts it to the public host
    answer = post(body, signed(body))

    # then it is accepted and handled once, in A's schema, without the display name
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    ((schema, event),) = received
    assert schema == world.program_a.schema_name
    assert (event.type, event.meeting_id, event.external_id, event.role_name) == (
        "room.client.joined",
        "52755922",
        "p12",
        "host",
    )
    assert not hasattr(event, "display_name")
    assert (events_in(world.program_a), events_in(world.program_b)) == (1, 0)


@pytest.mark.django_db
def test_an_event_of_programme_b_is_handled_in_b(world):
    body = event_body(world.program_b)

    answer = post(body, signed(body))

    assert answer.status_code == 200
    assert [schema for schema, _event in received] == [world.program_b.schema_name]
    assert (events_in(world.program_a), events_in(world.program_b)) == (0, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "t=123",
        "v1=" + "0" * 64,
        "t=notanumber,v1=" + "0" * 64,
    ],
)
def test_a_missing_or_malformed_signature_is_refused(world, signature):
    body = event_body(world.program_a)

    answer = post(body, signature)

    assert answer.status_code == 401
    assert received == []
    assert events_in(world.program_a) == 0


@pytest.mark.django_db
def test_a_bad_signature_is_refused(world):
    # given a body signed with another secret, and a body changed after signing
    body = event_body(world.program_a)
    other_secret = signed(body, secret="not-our-secret")
    tampered = body.replace(b"p12", b"p13")

    # when they are posted
    answers = [post(body, other_secret), post(tampered, signed(body))]

    # then both are refused and nothing is recorded
    assert [a.status_code for a in answers] == [401, 401]
    assert received == []
    assert events_in(world.program_a) == 0


@pytest.mark.django_db
def test_a_re_serialised_body_does_not_match_the_signature(world):
    """Verification is on the raw bytes: the same JSON re-encoded (accents escaped) fails."""
    body = event_body(world.program_a)
    reencoded = json.dumps(json.loads(body)).encode()  # ensure_ascii: "Zo\\u00e9"

    answer = post(reencoded, signed(body))

    assert reencoded != body
    assert answer.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [-360, -3600, 360])  # well past the 300 s window
def test_a_stale_or_future_timestamp_is_refused(world, offset):
    # given a correct signature made too long ago (or claimed in the future)
    body = event_body(world.program_a)

    # when it is posted
    answer = post(body, signed(body, at=time.time() + offset))

    # then it is refused: a captured request cannot be replayed later
    assert answer.status_code == 401
    assert received == []


@pytest.mark.django_db
def test_a_duplicate_delivery_is_ignored_by_event_id(world):
    # given one event delivered twice (Whereby may duplicate), signed at different times
    body = event_body(world.program_a, event_id="evt-duplicate-1")

    # when both deliveries arrive
    first = post(body, signed(body))
    second = post(body, signed(body, at=time.time() - 5))

    # then the handler ran once
    assert (first.json(), second.json()) == ({"status": "ok"}, {"status": "duplicate"})
    assert second.status_code == 200
    assert len(received) == 1
    assert events_in(world.program_a) == 1


@pytest.mark.django_db
def test_an_event_for_no_known_programme_is_acknowledged_and_ignored(world):
    # given a room whose prefix names no programme, and one that is not ours at all
    bodies = [
        event_body(world.program_a).replace(
            world.program_a.schema_name.replace("_", "-").encode(), b"p-ffffffffffff"
        ),
        event_body(world.program_a).replace(b"binome--", b"someone-else-"),
    ]

    # when they are posted, correctly signed
    answers = [post(body, signed(body)) for body in bodies]

    # then Whereby is told to stop retrying, and nothing happened
    assert [a.json() for a in answers] == [{"status": "ignored"}] * 2
    assert received == []


@pytest.mark.django_db
def test_a_signed_body_that_is_not_an_event_is_a_bad_request(world):
    for body in (b"not json", b'{"id": "x"}', b"[]"):
        answer = post(body, signed(body))
        assert answer.status_code == 400
    assert received == []


@pytest.mark.django_db
def test_webhooks_are_refused_while_no_secret_is_configured(world, settings):
    settings.WHEREBY_WEBHOOK_SECRET = ""
    body = event_body(world.program_a)

    answer = post(body, webhook_signature(secret="", body=body, timestamp=int(time.time())))

    assert answer.status_code == 401
    assert received == []


@pytest.mark.django_db
def test_only_post_is_accepted_and_only_on_the_public_host(world):
    body = event_body(world.program_a)
    on_programme_host = host_client(world.program_a).post(
        "/webhooks/whereby",
        data=body,
        content_type="application/json",
        HTTP_WHEREBY_SIGNATURE=signed(body),
    )

    assert host_client(None).get("/webhooks/whereby").status_code == 405
    assert on_programme_host.status_code in (302, 404)
    assert received == []


def test_signature_verify_accepts_any_of_several_v1_values():
    body = b'{"id": "1"}'
    now = int(time.time())
    good = webhook_signature(secret="s", body=body, timestamp=now).split(",")[1]
    header = f"t={now},v1={'0' * 64},{good}"

    signature_verify(body=body, header=header, secret="s", now=now, tolerance_seconds=300)
    with pytest.raises(InvalidSignature):
        signature_verify(
            body=body, header=f"t={now},v1={'0' * 64}", secret="s", now=now, tolerance_seconds=300
        )


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["paused", "archived", "provisioning", "failed", "spare"])
def test_an_event_naming_the_public_schema_or_a_closed_programme_is_ignored(world, status, caplog):
    """Correctly signed events whose room prefix names a schema that is not a ready programme
    (the public schema, a paused or archived programme, a pool spare) are acknowledged and
    ignored, and logged: never a 500 (Whereby would retry a 500 for days)."""
    from tenants.models import Program

    # given a signed event naming the public schema, and one naming a programme that is closed
    public = Program.objects.get(schema_name="public")
    public_body = event_body(public)
    Program.objects.filter(pk=world.program_b.pk).update(status=status)
    closed_body = event_body(world.program_b)

    # when Whereby posts them
    with caplog.at_level("INFO", logger="tenant_apps.video.views"):
        answers = [post(body, signed(body)) for body in (public_body, closed_body)]

    # then both are acknowledged and ignored, nothing reached a handler, and it was logged
    assert [a.status_code for a in answers] == [200, 200]
    assert [a.json() for a in answers] == [{"status": "ignored"}] * 2
    assert received == []
    assert events_in(world.program_b) == 0
    assert sum("ignored" in r.getMessage() for r in caplog.records) == 2
