"""Request context for logs and error reports: a request id, the programme, the user, and one
structured line per request with its duration."""

import logging
import re
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from saas.core.observability import context

logger = logging.getLogger("saas.request")

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_META = "HTTP_X_REQUEST_ID"
# An id sent by the load balancer or a client is kept if it is short and plain.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class RequestContextMiddleware:
    """First in MIDDLEWARE, so that everything after it (the programme's resolution included)
    logs with the request id, and the duration covers the whole request.

    The id comes from `X-Request-ID` when the load balancer sent a usable one, else it is new;
    it is written back into the WSGI environ (gunicorn's access log reads it from there) and
    into the response. The closing line has the path without its query string (query strings
    carry tokens), the status and the duration; the programme and user id come from the
    context filter (saas.core.observability.logs).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get(REQUEST_ID_META, "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else context.request_id_new()
        request.META[REQUEST_ID_META] = request_id
        request.request_id = request_id  # type: ignore[attr-defined]
        token = context.bind(
            request_id=request_id,
            request=request,
            user_id=None,
            task_id=None,
            task_name=None,
            personal=context.PersonalValues(),
        )
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            context.reset(token)
