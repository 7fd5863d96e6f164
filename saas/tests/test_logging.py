"""Structured logs: one JSON object per line with the request id, the programme schema and the
user id (never the address), the duration of each request; tasks log the ids of the request
that queued them, in-process and through a real broker and worker."""

import io
import json
import logging
import sys
import time
import types
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import override_settings
from django.urls import clear_url_caches, path

from conftest import host_client, http_login
from saas.celery import app
from saas.core.observability.logs import ContextFilter, JsonFormatter
from saas.tests.wsgi import wsgi_get

task_logger = logging.getLogger("saas.tests.task")


@app.task(name="saas.tests.log_ids")
def log_ids_task(*, ref: str) -> None:
    task_logger.info("task ran", extra={"ref": ref})


@pytest.fixture
def json_log() -> Iterator[Callable[[], list[dict]]]:
    """The records of the whole process, written by the project's filter and formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def _urlconf_with_queueing_view() -> str:
    def queue(request):
        log_ids_task.delay(ref=request.GET["ref"])
        return HttpResponse("queued")

    module = types.ModuleType("saas.tests._logging_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]  # a URLconf made on the fly
        *__import__(settings.ROOT_URLCONF, fromlist=["urlpatterns"]).urlpatterns,
        path("file/", queue),
    ]
    sys.modules[module.__name__] = module
    return module.__name__


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_its_ids_and_duration(world, password, json_log):
    # given a participant logged in on programme A
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)

    # when they open their space with a token in the query string
    response = client.get("/espace/", {"token": "Zt8mQ2vX9rLk4pW7nB3yH6cJ1dF5gS0aE"})

    # then one line says who, where, what and how long — and never the address or the token
    assert response.status_code == 200
    lines = [line for line in json_log() if line["logger"] == "saas.request"]
    line = lines[-1]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["programme"] == world.program_a.schema_name
    assert line["user_id"] == world.mentee_a.pk
    assert (line["method"], line["path"], line["status"]) == ("GET", "/espace/", 200)
    assert line["message"] == "GET /espace/ 200"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    text = json.dumps(json_log())
    assert world.mentee_a.email not in text
    assert "Zt8mQ2vX9rLk4pW7nB3yH6cJ1dF5gS0aE" not in text


@pytest.mark.django_db
def test_anonymous_request_on_the_public_site_has_no_user(world, json_log):
    response = host_client(None).get("/")
    line = [line for line in json_log() if line["logger"] == "saas.request"][-1]
    assert (line["request_id"], line["programme"], line["user_id"]) == (
        response["X-Request-ID"],
        "public",
        None,
    )


@pytest.mark.django_db
def test_request_id_from_the_load_balancer_is_kept_and_a_bad_one_replaced(world, settings):
    # given requests from the load balancer with a usable and an unusable X-Request-ID
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]  # the test client's REMOTE_ADDR is 127.0.0.1
    client = host_client(world.program_a)
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n<script>")
    # then the first is answered with its own id, the second with a new one
    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0001"
    assert replaced["X-Request-ID"] != "bad id\n<script>"
    assert len(replaced["X-Request-ID"]) == 32


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("trusted", "remote_addr"),
    [([], "127.0.0.1"), (["10.0.0.0/8"], "203.0.113.9"), (["10.0.0.5"], "10.0.0.6")],
)
def test_a_clients_own_request_id_is_ignored(world, settings, json_log, trusted, remote_addr):
    # given a client that is not the load balancer and sends an id of its choice
    settings.TRUSTED_PROXIES = trusted
    chosen = "someone-elses-request-id-0001"

    # when it makes a request
    response = host_client(world.program_a).get(
        "/healthz", HTTP_X_REQUEST_ID=chosen, REMOTE_ADDR=remote_addr
    )

    # then the request gets an id of ours, in the answer and in the log line
    assert response["X-Request-ID"] != chosen
    assert len(response["X-Request-ID"]) == 32
    assert chosen not in json.dumps(json_log())


@pytest.mark.django_db
def test_the_load_balancers_id_is_kept_from_a_trusted_network(world, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    for remote_addr in ("10.42.0.7", "fd00::7"):
        response = host_client(world.program_a).get(
            "/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0002", REMOTE_ADDR=remote_addr
        )
        assert response["X-Request-ID"] == "lb-7f3a9c2e-0002"


@pytest.mark.django_db
def test_gunicorn_access_line_gets_the_request_id_given_by_django(world):
    # given gunicorn's access log (infra/docker/gunicorn.conf.py), which reads the WSGI environ
    from tests.infra.test_gunicorn_and_healthcheck import gunicorn_conf

    # when a request without X-Request-ID goes through Django's WSGI handler
    answer = wsgi_get("/healthz", HTTP_HOST=world.program_a.host)
    record = gunicorn_conf().access_record(
        environ=answer.environ, status="200 OK", sent=15, duration=timedelta(milliseconds=3)
    )
    # then the access line has the id Django generated and answered with
    assert answer.status == 200
    assert record["request_id"] == answer.headers["X-Request-ID"]


@pytest.mark.django_db
def test_a_404_line_has_the_request_id_but_not_the_token_of_the_path(world, json_log):
    # when someone follows a stale sign-in link on the public site (Django logs the 404
    # after the middleware has returned)
    response = host_client(None).get("/acces/Zt8mQ2vX9rLk4pW7nB3yH6cJ1dF5gS0aE-uR_oT2iYw/")
    # then Django's line has the request's ids, and no line carries the token
    assert response.status_code == 404
    (line,) = [line for line in json_log() if line["logger"] == "django.request"]
    assert line["message"] == "Not Found: /acces/[Filtered]/"
    assert (line["request_id"], line["programme"]) == (response["X-Request-ID"], "public")
    assert "Zt8mQ2vX9rLk4pW7nB3yH6cJ1dF5gS0aE" not in json.dumps(json_log())


def test_formatter_filters_sensitive_extras_and_scrubs_tracebacks():
    # given a record with an address in an extra field and in an exception
    formatter = JsonFormatter()
    try:
        raise ValueError("no participant jeanne@ucanss.fr")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "invite failed for %s",
            ("jeanne@ucanss.fr",),
            sys.exc_info(),
            extra={"email": "jeanne@ucanss.fr", "participant_id": 12},
        )
    ContextFilter().filter(record)
    # when it is formatted
    line = json.loads(formatter.format(record))
    # then the address is nowhere, the id is kept
    assert line["message"] == "invite failed for [Filtered]"
    assert line["email"] == "[Filtered]"
    assert line["participant_id"] == 12
    assert "ValueError: no participant [Filtered]" in line["exception"]
    assert "jeanne" not in json.dumps(line)


def test_settings_write_json_lines_through_the_context_filter():
    config = settings.LOGGING
    handler = config["handlers"]["console"]
    assert config["root"]["handlers"] == ["console"]
    assert handler["filters"] == ["context"]
    assert handler["formatter"] == "json"  # LOG_FORMAT defaults to json without DJANGO_DEBUG
    assert config["formatters"]["json"]["()"] == "saas.core.observability.logs.JsonFormatter"
    assert settings.MIDDLEWARE[0] == "saas.core.middleware.RequestContextMiddleware"


@pytest.mark.django_db
def test_task_run_in_process_logs_the_ids_of_its_request(world, password, json_log):
    # given a participant of A on a page that queues a task (no broker: it runs in-process)
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    ref = uuid.uuid4().hex[:12]  # short: a 32-digit hex string would be filtered as a token
    with override_settings(ROOT_URLCONF=_urlconf_with_queueing_view()):
        clear_url_caches()
        try:
            # when the page is requested
            response = client.get("/file/", {"ref": ref})
        finally:
            clear_url_caches()
    # then the task's line has the request's id, the user id, the programme and the task
    (line,) = [line for line in json_log() if line["logger"] == "saas.tests.task"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == world.mentee_a.pk
    assert line["programme"] == world.program_a.schema_name
    assert line["task_name"] == "saas.tests.log_ids"
    assert line["task_id"]


def _wait_for_line(read: Callable[[], list[dict]], ref: str, timeout: float = 30) -> dict | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in read():
            if line["logger"] == "saas.tests.task" and line.get("ref") == ref:
                return line
        time.sleep(0.05)
    return None


@pytest.mark.broker
@pytest.mark.django_db
def test_task_run_by_a_worker_logs_the_ids_of_the_request_that_queued_it(
    world, password, json_log, live_worker
):
    # given a participant of A on a page that queues a task for a real worker
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    ref = uuid.uuid4().hex[:12]  # short: a 32-digit hex string would be filtered as a token
    with override_settings(ROOT_URLCONF=_urlconf_with_queueing_view()):
        clear_url_caches()
        try:
            response = client.get("/file/", {"ref": ref})
        finally:
            clear_url_caches()
    # when the worker runs it (in its own thread, from the message alone)
    line = _wait_for_line(json_log, ref)
    # then its line carries the same request id and user id, in programme A
    assert line is not None, "the worker did not log the task"
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == world.mentee_a.pk
    assert line["programme"] == world.program_a.schema_name
    assert line["task_name"] == "saas.tests.log_ids"
