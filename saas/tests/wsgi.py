"""Requests through Django's WSGI handler, as gunicorn makes them. The test client skips the
WSGI layer, where Sentry's Django integration reads the URL, query string and headers, and
where gunicorn's access log reads the request id."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
    extra: dict[str, Any] = dict(headers)  # WSGI environ keys (HTTP_HOST=…)
    environ = RequestFactory().get(path, query or {}, **extra).environ
    answer: dict = {}

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        answer["status"], answer["headers"] = int(status.split()[0]), dict(response_headers)
        return lambda data: None  # the legacy write() callable, unused by Django

    # As Django's test client does: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    try:
        b"".join(WSGIHandler()(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
    return WsgiAnswer(answer["status"], answer["headers"], environ)
