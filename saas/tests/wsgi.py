"""Requests through Django's WSGI handler, as gunicorn makes them. The test client skips the
WSGI layer, where Sentry's Django integration reads the URL, query string and headers, and
where gunicorn's access log reads the request id."""

from dataclasses import dataclass

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections
from django.test import RequestFactory


@dataclass
class WsgiAnswer:
    status: int
    headers: dict[str, str]
    environ: dict


def wsgi_get(path: str, query: dict | None = None, **headers: str) -> WsgiAnswer:
    environ = RequestFactory().get(path, query or {}, **headers).environ
    answer: dict = {}

    def start_response(status: str, response_headers: list, exc_info: object = None) -> None:
        answer["status"], answer["headers"] = int(status.split()[0]), dict(response_headers)

    # As Django's test client does: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    try:
        b"".join(WSGIHandler()(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
    return WsgiAnswer(answer["status"], answer["headers"], environ)
