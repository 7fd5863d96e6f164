"""Sign-in tokens never reach a log line (issue 10 § 5): which paths carry one is read from the
URLconfs, and every line that names such a path — the closing line of the request, Django's
"Not Found", runserver's request line, in JSON or plain — has the token filtered. gunicorn's
real access log is tested in tests/infra/test_gunicorn_access_log.py."""

import io
import logging
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.urls import get_resolver

from conftest import host_client
from saas.core.observability.logs import ContextFilter, JsonFormatter
from saas.core.observability.paths import (
    PUBLIC_PARAMETERS,
    is_secret_parameter,
    redact_path,
    redact_paths_in_text,
    secret_routes,
)
from tests.isolation import CONVERTER_RE, endpoints

# All lower case: the generic token patterns (upper, lower and digits mixed) do not see it.
TOKEN = "zqxwvutsrqponmlkjihgfedcbazyxwvutsrqpon"


@pytest.fixture
def log_output() -> Iterator[Callable[[], str]]:
    """What the project's handlers write, in both formats, for the whole process."""
    stream = io.StringIO()
    handlers = []
    for formatter in (
        JsonFormatter(),
        logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]),
    ):
        handler = logging.StreamHandler(stream)
        handler.addFilter(ContextFilter())
        handler.setFormatter(formatter)
        handlers.append(handler)
    root = logging.getLogger()
    for handler in handlers:
        root.addHandler(handler)
    try:
        yield stream.getvalue
    finally:
        for handler in handlers:
            root.removeHandler(handler)


def test_every_path_parameter_is_an_integer_a_reviewed_public_name_or_a_secret():
    """A new `<str:something>` in a URL must be classified: if it is a secret, name it so
    (`token`, `key`…) and the logs filter it; if not, add it to PUBLIC_PARAMETERS."""
    unclassified = []
    for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
        for endpoint in endpoints(urlconf):
            for match in CONVERTER_RE.finditer(endpoint.route):
                converter, name = match.group("conv") or "str", match.group("name")
                if converter == "int" or name in PUBLIC_PARAMETERS or is_secret_parameter(name):
                    continue
                unclassified.append(f"{endpoint.route}: <{converter}:{name}>")
    assert unclassified == []


def test_the_sign_in_routes_are_found_in_the_urlconfs():
    assert {"acces/<str:token>/", "mot-de-passe/nouveau/<str:token>/"} <= set(secret_routes())


def _secret_paths() -> list[str]:
    return ["/" + CONVERTER_RE.sub(TOKEN, route) for route in secret_routes()]


def test_redaction_filters_the_token_and_only_the_token():
    for path in _secret_paths():
        assert TOKEN not in redact_path(path)
        assert TOKEN not in redact_path(path.rstrip("/"))  # before Django adds the slash
        assert redact_path(path).count("[Filtered]") == 1
        line = f'"GET {path} HTTP/1.1" 404 0 from http://x.{settings.BASE_DOMAIN}{path}'
        assert TOKEN not in redact_paths_in_text(line)
    # what is not a token stays readable
    assert redact_path("/acces/nouveau/") == "/acces/nouveau/"
    assert redact_path("/gestion/participants/12/reactiver/") == (
        "/gestion/participants/12/reactiver/"
    )


@pytest.mark.django_db
def test_no_log_line_of_a_request_shows_a_sign_in_token(world, log_output):
    # given the sign-in links of a programme and of the public site, with and without their
    # final slash (Django redirects, and logs, the bare one), and a typo'd programme host
    paths = _secret_paths() + [p.rstrip("/") for p in _secret_paths()]
    assert len(paths) >= 4

    # when each is requested
    statuses = set()
    for client in (host_client(world.program_a), host_client(None)):
        for path in paths:
            statuses.add(client.get(path).status_code)
    host_client(None).get(_secret_paths()[0], HTTP_HOST=f"nope.{settings.BASE_DOMAIN}")

    # then lines were written, and none of them carries the token
    output = log_output()
    assert 301 in statuses and 404 in statuses
    assert "/acces/[Filtered]/" in output
    assert "Not Found: /acces/[Filtered]/" in output
    assert TOKEN not in output


def test_the_filter_reaches_runserver_lines_in_the_plain_format(log_output):
    # runserver logs the request line itself ("django.server")
    logging.getLogger("django.server").warning(
        '"%s" %s %s', f"GET /acces/{TOKEN}/ HTTP/1.1", 404, 0
    )
    output = log_output()
    assert '"GET /acces/[Filtered]/ HTTP/1.1" 404 0' in output
    assert TOKEN not in output


def test_the_secret_routes_resolve_to_views():
    for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
        get_resolver(urlconf)  # importable
    assert all("<" in route for route in secret_routes())
