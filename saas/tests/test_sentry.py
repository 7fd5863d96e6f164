"""Sentry reports errors without personal data. A real sentry_sdk client with the project's
configuration (saas.core.observability.sentry_init); only the transport is ours
(tests/fakes/sentry.py): it keeps the envelopes instead of sending them."""

import json
import logging
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
import sentry_sdk
from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches, path

from conftest import host_client, http_login
from saas.core.observability import sentry_init
from saas.core.observability.sentry import dsn_is_eu
from saas.tests.wsgi import wsgi_get
from tests.fakes.sentry import EU_DSN, CapturingTransport

US_DSN = "https://public@o4500000000000001.ingest.us.sentry.io/4500000000000002"
RELEASE = "binome@3f9c2e1"
ROOM_URL = (
    "https://binome-mentorat.whereby.com/binome-72b919c2-17dc-4007-ac7b-56f38b8e29ba"
    "?roomKey=eFhcG9sbG8tb3duZXItcm9vbUtleQ"
)
ACCESS_TOKEN = "Zt8mQ2vX9rLk4pW7nB3yH6cJ1dF5gS0aE-uR_oT2iYw"  # like secrets.token_urlsafe(32)
SIGNED_VALUE = "42:1tKfGx:Rk3wQ9zYbP2mN7vL5xC8hJ4dS6aF1gT0uE-iO_pWq3"  # django.core.signing
MENTEE_NAME = ("Philomène", "Quintard")
MENTOR_NAME = ("Aurélien", "Vasseur")

logger = logging.getLogger("saas.tests.sentry")


@pytest.fixture
def sentry_transport() -> Iterator[CapturingTransport]:
    transport = CapturingTransport()
    sentry_sdk.get_isolation_scope().clear_breadcrumbs()
    assert sentry_init(dsn=EU_DSN, environment="test", release=RELEASE, transport=transport)
    try:
        yield transport
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
        sentry_sdk.get_isolation_scope().clear_breadcrumbs()


def _urlconf_with_crashing_view(mentor_pk: int) -> str:
    """The real programme URLs plus a view that fails while holding personal data and a room
    URL: in its locals, in a log line (a breadcrumb) and in the exception message."""
    from shared_apps.accounts.selectors import User

    def meeting_join(request, pk):
        participant = request.user
        mentor = User.objects.get(pk=mentor_pk)
        room_url = ROOM_URL
        logger.info("joining %s with %s in %s", participant.email, mentor.email, room_url)
        raise RuntimeError(
            f"Whereby refused {participant.get_full_name()} <{participant.email}> and "
            f"{mentor.get_full_name()} <{mentor.email}> in {room_url} "
            f"(link /acces/{ACCESS_TOKEN}/, signed {SIGNED_VALUE})"
        )

    module = types.ModuleType("saas.tests._sentry_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]  # a URLconf made on the fly
        *__import__(settings.ROOT_URLCONF, fromlist=["urlpatterns"]).urlpatterns,
        path("reunions/<int:pk>/rejoindre/", meeting_join),
    ]
    sys.modules[module.__name__] = module
    return module.__name__


@pytest.mark.django_db
def test_error_in_a_view_reaches_sentry_without_personal_data_or_room_url(
    world, password, sentry_transport
):
    # given a mentee and a mentor with names, the mentee logged in on programme A
    from shared_apps.accounts.selectors import User

    User.objects.filter(pk=world.mentee_a.pk).update(
        first_name=MENTEE_NAME[0], last_name=MENTEE_NAME[1]
    )
    User.objects.filter(pk=world.both.pk).update(
        first_name=MENTOR_NAME[0], last_name=MENTOR_NAME[1]
    )
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    urlconf = _urlconf_with_crashing_view(world.both.pk)

    # when a view fails holding their names, addresses and a room URL, reached through a
    # link with personal data in its query string and a signed link as referrer
    with override_settings(ROOT_URLCONF=urlconf):
        clear_url_caches()
        try:
            answer = wsgi_get(
                "/reunions/7/rejoindre/",
                {"email": world.mentee_a.email, "token": ACCESS_TOKEN, "next": ROOM_URL},
                HTTP_HOST=world.program_a.host,
                HTTP_COOKIE=cookie,
                HTTP_REFERER=f"http://{world.program_a.host}/acces/{ACCESS_TOKEN}/?s={SIGNED_VALUE}",
            )
        finally:
            clear_url_caches()
    sentry_sdk.flush()

    # then one error event was sent, tagged with the programme, release and request id
    assert answer.status == 500
    events = [event for event in sentry_transport.events() if "exception" in event]
    assert len(events) == 1
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["tags"]["programme"] == world.program_a.schema_name
    assert event["tags"]["release"] == RELEASE
    assert event["tags"]["request_id"] == answer.headers["X-Request-ID"]
    assert event["release"] == RELEASE
    assert event["transaction"] == "/reunions/{pk}/rejoindre/"
    request = event["request"]
    assert request["url"] == f"http://{world.program_a.host}/reunions/7/rejoindre/"
    assert request["query_string"] == "email=[Filtered]&token=[Filtered]&next=[Filtered]"
    assert (
        request["headers"]["Referer"]
        == f"http://{world.program_a.host}/acces/[Filtered]/?s=[Filtered]"
    )
    assert request["headers"].get("Cookie") in (None, "[Filtered]")
    assert not {"data", "cookies"} & set(request)
    message = event["exception"]["values"][-1]["value"]
    assert message.startswith("Whereby refused [Filtered] [Filtered] <[Filtered]> and ")
    assert "[Filtered video room]" in message
    assert all("vars" not in frame for frame in _frames(event))
    assert set(event.get("user", {})) <= {"id"}
    # and nothing that would leave the process holds a name, an address, a token or the room
    sent = sentry_transport.text()
    forbidden = [
        world.mentee_a.email,
        world.both.email,
        *MENTEE_NAME,
        *MENTOR_NAME,
        "whereby.com",
        "roomKey",
        "eFhcG9sbG8tb3duZXItcm9vbUtleQ",
        "72b919c2-17dc-4007-ac7b-56f38b8e29ba",
        ACCESS_TOKEN,
        SIGNED_VALUE,
        "1tKfGx",
        session_key,
    ]
    assert [value for value in forbidden if value.lower() in sent.lower()] == []


def _frames(event: dict) -> list[dict]:
    return [
        frame
        for value in event["exception"]["values"]
        for frame in (value.get("stacktrace") or {}).get("frames", [])
    ]


@pytest.mark.django_db
def test_logged_error_keeps_its_template_and_numbers_but_not_its_text_values(sentry_transport):
    # given a log call at ERROR level (the logging integration turns it into an event)
    # when it is made with a name, an address and an id as parameters
    logger.error(
        "could not invite %s <%s> to programme %d", "Jeanne Martin", "jeanne@ucanss.fr", 42
    )
    sentry_sdk.flush()

    # then the event has the template, the number, and neither the name nor the address
    (event,) = sentry_transport.events()
    assert event["logentry"]["message"] == "could not invite %s <%s> to programme %d"
    assert event["logentry"]["formatted"] == (
        "could not invite [Filtered] <[Filtered]> to programme 42"
    )
    assert "Jeanne" not in sentry_transport.text()
    assert "jeanne@ucanss.fr" not in sentry_transport.text()


@pytest.mark.django_db
def test_extras_and_breadcrumbs_are_scrubbed_by_key_and_by_pattern(sentry_transport):
    # given breadcrumbs and extras that carry personal data under telling keys and in text
    sentry_sdk.add_breadcrumb(
        category="http",
        message=f"POST {ROOM_URL}",
        data={"url": ROOM_URL, "display_name": "Jeanne Martin", "meeting_id": "52755922"},
    )
    with sentry_sdk.new_scope() as scope:
        scope.set_extra("participant", {"email": "jeanne@ucanss.fr", "first_name": "Jeanne"})
        scope.set_extra("link", f"https://prog-a.binome.fr/acces/{ACCESS_TOKEN}/")
        # when a message is captured
        sentry_sdk.capture_message("invitation failed for jeanne@ucanss.fr")
    sentry_sdk.flush()

    # then keys and patterns are filtered, and what is not personal stays
    (event,) = [item for item in sentry_transport.items() if item.get("message")]
    assert event["message"] == "invitation failed for [Filtered]"
    assert event["extra"]["participant"] == {"email": "[Filtered]", "first_name": "[Filtered]"}
    assert event["extra"]["link"] == "[Filtered]"
    crumb = next(c for c in event["breadcrumbs"]["values"] if c.get("category") == "http")
    assert crumb["message"] == "POST [Filtered video room]"
    assert crumb["data"] == {
        "url": "[Filtered video room]",
        "display_name": "[Filtered]",
        "meeting_id": "52755922",
    }


def test_dsn_region_is_recognised():
    assert dsn_is_eu(EU_DSN)
    assert not dsn_is_eu(US_DSN)
    assert not dsn_is_eu("https://public@o1.ingest.sentry.io/2")
    assert not dsn_is_eu("https://public@sentry.example.de.evil.com/2")


def test_a_dsn_outside_the_eu_region_warns_at_startup(caplog):
    transport = CapturingTransport()
    try:
        # when Sentry starts with a US DSN
        with caplog.at_level(logging.WARNING, logger="saas.core.observability.sentry"):
            assert sentry_init(dsn=US_DSN, transport=transport)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
    # then a warning says that reports may leave the EU
    assert [r.getMessage() for r in caplog.records if "EU ingest" in r.getMessage()] != []


def test_an_eu_dsn_starts_without_warning(caplog):
    transport = CapturingTransport()
    try:
        with caplog.at_level(logging.WARNING, logger="saas.core.observability.sentry"):
            assert sentry_init(dsn=EU_DSN, transport=transport)
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)
    assert caplog.records == []


def test_without_dsn_sentry_stays_off():
    assert sentry_init(dsn="") is False
    assert not sentry_sdk.get_client().is_active()


def _settings_report(extra_env: dict[str, str]) -> dict:
    """What the settings module did, seen from a fresh process (as gunicorn starts)."""
    code = (
        "import json, sentry_sdk; c = sentry_sdk.get_client(); o = c.options;"
        "print(json.dumps({'active': c.is_active(), 'pii': o.get('send_default_pii'),"
        " 'locals': o.get('include_local_variables'), 'body': o.get('max_request_body_size'),"
        " 'release': o.get('release'), 'environment': o.get('environment'),"
        " 'integrations': sorted(c.integrations)}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        env=env | {"DJANGO_SETTINGS_MODULE": "saas.settings.test"} | extra_env,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_start_sentry_only_when_the_dsn_is_set():
    # when the settings load without and with SENTRY_DSN
    off = _settings_report({})
    on = _settings_report(
        {"SENTRY_DSN": EU_DSN, "SENTRY_RELEASE": RELEASE, "SENTRY_ENVIRONMENT": "staging"}
    )
    # then Sentry is off, or on with the privacy options and the Django and Celery integrations
    assert off["active"] is False
    assert on["active"] is True
    assert (on["pii"], on["locals"], on["body"]) == (False, False, "never")
    assert (on["release"], on["environment"]) == (RELEASE, "staging")
    assert {"django", "celery"} <= set(on["integrations"])


@pytest.mark.django_db
def test_a_sign_in_token_the_patterns_miss_is_filtered_by_its_route(sentry_transport):
    # given a token of lower-case letters only (the generic token patterns want a mix), in a
    # breadcrumb's message
    token = "zqxwvutsrqponmlkjihgfedcbazyxwvutsrqpon"
    sentry_sdk.add_breadcrumb(
        category="navigation", message=f"GET https://prog-a.binome.fr/acces/{token}/"
    )
    # when an event is captured
    sentry_sdk.capture_message("something happened")
    sentry_sdk.flush()

    # then the route read from the URLconf filtered it
    assert token not in sentry_transport.text()
    assert "/acces/[Filtered]/" in sentry_transport.text()
