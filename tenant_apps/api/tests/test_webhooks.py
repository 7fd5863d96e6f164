"""Outgoing webhooks, received on 127.0.0.1 by a real HTTP server: signature checked with the
documented algorithm, retries, the delivery log, disabling, the test button, and SSRF checks
at delivery."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from tenant_apps.api.models import WebhookDelivery, WebhookEndpoint
from tenant_apps.api.network import address_refusal
from tenant_apps.api.services import webhook_endpoint_create
from tenant_apps.api.tests.helpers import api_client, make_key
from tenant_apps.participants.models import Participant

pytestmark = pytest.mark.django_db


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/api.md tells clients to write it."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


class Receiver:
    """An HTTP server on 127.0.0.1 answering the statuses it is given, in order."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(statuses: list[int] | None = None) -> Receiver:
        made.append(Receiver(statuses or []))
        return made[-1]

    yield make
    for item in made:
        item.close()


def _endpoint(program, url, events):
    with tenant_context(program):
        endpoint = webhook_endpoint_create(url=url, events=events)
    connection.set_schema_to_public()
    return endpoint


def _pair(world, raw):
    with tenant_context(world.program_a):
        mentee = Participant.objects.get(user=world.mentee_a).pk
        mentor = Participant.objects.get(user=world.both).pk
    connection.set_schema_to_public()
    return api_client(world.program_a, raw).post(
        "/api/v1/pairs/", {"mentee_id": mentee, "mentor_id": mentor},
        content_type="application/json",
    )  # fmt: skip


def test_an_event_is_signed_and_delivered_after_retries(
    world, receiver, django_capture_on_commit_callbacks
):
    # given an endpoint that fails twice, then accepts
    hook = receiver([500, 503])
    endpoint = _endpoint(world.program_a, hook.url, ["pair.created", "pair.ended"])
    _key, raw = make_key(world.program_a)
    # when a pair is created through the API
    with django_capture_on_commit_callbacks(execute=True):
        response = _pair(world, raw)
    assert response.status_code == 201
    # then the receiver got the same signed event three times, ids only
    assert len(hook.received) == 3
    headers, body = hook.received[-1]
    assert verify(endpoint.secret, headers["Binome-Signature"], body)
    assert not verify("another secret", headers["Binome-Signature"], body)
    assert not verify(endpoint.secret, headers["Binome-Signature"], body + b" ")
    event = json.loads(body)
    assert event["event"] == "pair.created" == headers["Binome-Event"]
    assert event["id"] == headers["Binome-Delivery"]
    assert event["data"] == {
        "pair_id": response.json()["id"],
        "mentee_id": response.json()["mentee_id"],
        "mentor_id": response.json()["mentor_id"],
        "source": "manual",
    }
    assert "@" not in body.decode()  # no address, no name
    assert {json.loads(b)["id"] for _h, b in hook.received} == {event["id"]}  # one event id
    with tenant_context(world.program_a):
        delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 3, 200)


def test_repeated_failures_disable_the_endpoint(
    world, receiver, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_DISABLE_AFTER = 2
    hook = receiver([500] * 10)
    _endpoint(world.program_a, hook.url, ["participant.registered"])
    _key, raw = make_key(world.program_a)
    client = api_client(world.program_a, raw)
    with tenant_context(world.program_a):
        ids = [Participant.objects.get(user=user).pk for user in (world.both, world.mentee_a)]
    connection.set_schema_to_public()
    from tenant_apps.participants.services import participant_reactivate

    for pk in ids:  # deactivate, then reactivate: the person is active (registered) again
        client.post(f"/api/v1/participants/{pk}/deactivate/")
        with tenant_context(world.program_a), django_capture_on_commit_callbacks(execute=True):
            participant_reactivate(participant=Participant.objects.get(pk=pk))
        connection.set_schema_to_public()
    with tenant_context(world.program_a):
        endpoint = WebhookEndpoint.objects.get()
        statuses = list(WebhookDelivery.objects.values_list("status", "attempts"))
    assert statuses == [("failed", 2), ("failed", 2)]
    assert len(hook.received) == 4
    assert endpoint.is_active is False and endpoint.disabled_at is not None


def test_the_test_button_sends_a_signed_ping(
    world, receiver, password, django_capture_on_commit_callbacks
):
    hook = receiver()
    endpoint = _endpoint(world.program_a, hook.url, ["meeting.held"])
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, password, second_factor=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/gestion/api/webhooks/{endpoint.pk}/", {"action": "test"})
    assert response.status_code == 302
    [(headers, body)] = hook.received
    assert json.loads(body)["event"] == "ping"
    assert verify(endpoint.secret, headers["Binome-Signature"], body)
    page = manager.get(f"/gestion/api/webhooks/{endpoint.pk}/").content.decode()
    assert "ping" in page and "200" in page  # the delivery log


def test_a_host_that_became_private_gets_nothing_at_delivery(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    # given an endpoint registered while allowed, on an address that is loopback
    hook = receiver()
    endpoint = _endpoint(world.program_a, hook.url, ["pair.created"])
    # when the test-only allowance is gone (production), an event is emitted
    settings.WEBHOOK_ALLOW_LOOPBACK_FOR_TESTS = False
    _key, raw = make_key(world.program_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert _pair(world, raw).status_code == 201
    # then nothing was sent: the address is checked again before every attempt
    assert hook.received == []
    with tenant_context(world.program_a):
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.error == "address refused" and delivery.response_status is None


def test_public_addresses_are_accepted_and_every_resolved_address_is_checked(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK_FOR_TESTS = False
    assert address_refusal("https://93.184.215.14/hooks") == ""
    assert address_refusal("https://[2606:4700:4700::1111]/hooks") == ""
    for private in (
        "https://127.0.0.1/", "https://10.1.2.3/", "https://172.16.0.1/", "https://[fe80::1]/",
        "https://[::ffff:10.0.0.1]/", "https://0.0.0.0/", "https://100.64.0.1/",
        "https://user:pw@93.184.215.14/",
    ):  # fmt: skip
        assert address_refusal(private), private


def test_the_backoff_doubles_up_to_an_hour():
    from tenant_apps.api.tasks import webhook_backoff

    assert [webhook_backoff(n) for n in range(9)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def _answer_by_link(world, kind, *, anonymous, raw_answers):
    """A participant answers the `kind` survey from the link of their email (no login), as
    on their phone; returns (survey id, participant id)."""
    from tenant_apps.surveys.models import Survey
    from tenant_apps.surveys.services import answer_token, survey_update
    from tenant_apps.surveys.tests.factories import invite

    with tenant_context(world.program_a):
        survey = Survey.objects.get(kind=kind)
        if survey.is_anonymous != anonymous:
            survey_update(survey=survey, data={"is_anonymous": anonymous})
        person = Participant.objects.get(user=world.mentee_a)
        token = answer_token(invitation=invite(survey, person, f"{kind}:webhook"))
    connection.set_schema_to_public()
    form = {f"q_{key}": value for key, value in raw_answers.items()}
    response = host_client(world.program_a).post(f"/retours/lien/{token}/", form)
    assert response.status_code == 200 and response.context["is_new"], response.content
    return survey.pk, person.pk


@pytest.mark.parametrize("anonymous", [True, False], ids=["aggregated-only", "with names"])
def test_survey_answered_is_chosen_by_the_manager_and_delivered_signed(
    world, receiver, password, django_capture_on_commit_callbacks, anonymous
):
    # given a manager who registers an endpoint for the survey answers on the API page
    hook = receiver()
    manager = host_client(world.program_a)
    http_login(manager, world.manager_a.email, password, second_factor=True)
    registered = manager.post(
        "/gestion/api/", {"form": "hook", "hook-url": hook.url, "hook-events": ["survey.answered"]}
    )
    assert registered.status_code == 302
    with tenant_context(world.program_a):
        endpoint = WebhookEndpoint.objects.get()
    connection.set_schema_to_public()
    assert endpoint.events == ["survey.answered"]
    # when a participant answers the check-in from the link of their email
    with django_capture_on_commit_callbacks(execute=True):
        survey_id, participant_id = _answer_by_link(
            world,
            "checkin",
            anonymous=anonymous,
            raw_answers={"retour-point-note": "4", "retour-point-aide": "Plus de temps"},
        )
    # then the endpoint received one signed survey.answered event, ids only
    [(headers, body)] = hook.received
    assert verify(endpoint.secret, headers["Binome-Signature"], body)
    event = json.loads(body)
    assert event["event"] == headers["Binome-Event"] == "survey.answered"
    if anonymous:  # nothing that points at the person: no participant, pair, meeting, role
        assert event["data"] == {"survey_id": survey_id, "kind": "checkin", "is_anonymous": True}
    else:
        assert event["data"] == {
            "survey_id": survey_id,
            "kind": "checkin",
            "is_anonymous": False,
            "participant_id": participant_id,
            "role": "mentee",
            "pair_id": None,
            "meeting_id": None,
        }
    assert "Plus de temps" not in body.decode() and "@" not in body.decode()  # no answer


def test_survey_answered_is_queued_on_commit_only(
    world, receiver, django_capture_on_commit_callbacks
):
    # given an endpoint for the survey answers
    hook = receiver()
    _endpoint(world.program_a, hook.url, ["survey.answered"])
    # when an answer is stored but the transaction has not committed
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _answer_by_link(world, "meeting", anonymous=True, raw_answers={"retour-rdv-utile": "5"})
    # then nothing was sent yet: the delivery waits for the commit
    assert hook.received == [] and len(callbacks) == 1
    with tenant_context(world.program_a):
        delivery = WebhookDelivery.objects.get()
    connection.set_schema_to_public()
    assert (delivery.event, delivery.status, delivery.attempts) == ("survey.answered", "pending", 0)
