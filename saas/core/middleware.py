"""Request context for logs and error reports: a request id, the programme, the user, and one
structured line per request with its duration."""

import functools
import ipaddress
import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.shortcuts import render

from saas.core.observability import context
from saas.core.observability.paths import redact_path, redact_resolved

logger = logging.getLogger("saas.request")

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_META = "HTTP_X_REQUEST_ID"
# The path as logs may show it (sign-in tokens filtered), for gunicorn's access log, which
# reads the WSGI environ (request.META is that environ).
LOG_PATH_META = "binome.log_path"
# An id sent by the load balancer is kept if it is short and plain; a client's never is.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

_IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# Liveness (the orchestrator's probe, every few seconds per container): answered by
# LivenessMiddleware, logged at DEBUG (gunicorn's access log keeps a line for each).
LIVENESS_PATH = "/healthz"


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[_IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def is_trusted_proxy(address: str) -> bool:
    """Whether `address` (REMOTE_ADDR) is one of settings.TRUSTED_PROXIES (IPs or CIDRs): the
    load balancer, whose X-Request-ID is worth keeping. Nobody else chooses our ids: a client
    could otherwise make its requests look like someone else's in the logs."""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def request_id_for(request: HttpRequest) -> str:
    incoming: str = request.META.get(REQUEST_ID_META, "")
    if (
        incoming
        and _REQUEST_ID_RE.match(incoming)
        and is_trusted_proxy(request.META.get("REMOTE_ADDR", ""))
    ):
        return incoming
    return context.request_id_new()


class RequestContextMiddleware:
    """First in MIDDLEWARE, so that everything after it (the programme's resolution included)
    logs with the request id, and the duration covers the whole request.

    The id comes from `X-Request-ID` when the load balancer (settings.TRUSTED_PROXIES) sent a
    usable one, else it is new (a client's own X-Request-ID is ignored);
    it is written back into the WSGI environ (gunicorn's access log reads it from there) and
    into the response. The closing line has the path without its query string (query strings
    carry tokens) and with its sign-in token filtered (saas.core.observability.paths; the
    filtered path goes to the environ for gunicorn too), the status and the duration; the
    programme and user id come from the context filter (saas.core.observability.logs).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
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
            match = getattr(request, "resolver_match", None)
            if request.path == LIVENESS_PATH:
                path = LIVENESS_PATH  # no token in it
            elif match is not None:
                path = redact_resolved(request.path, match)
            else:
                path = redact_path(request.path)
            request.META[LOG_PATH_META] = path
            level = logging.DEBUG if request.path == LIVENESS_PATH else logging.INFO
            if not logger.isEnabledFor(level):
                return response
            logger.log(
                level,
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            context.reset(token)


class LivenessMiddleware:
    """`/healthz` answered at once, after the request id and before everything else: no host
    lookup, no session, no user, no database or cache. It is the cheapest request there is and
    the most frequent one (every container's probe), and with the session middleware in its
    path it also dropped the session cookie of a browser that called it (no session in the
    public schema). Its answer keeps the headers that matter: nosniff, framing denied, a CSP
    that allows nothing, no caching, HSTS over HTTPS (Django's own middleware sets them), and
    the Permissions-Policy of the middleware before it."""

    CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
    NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"  # as never_cache

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)
        self.framing = XFrameOptionsMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != LIVENESS_PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = self.NEVER_CACHE
        response["Content-Security-Policy"] = self.CONTENT_SECURITY_POLICY
        self.framing.process_response(request, response)
        return self.security.process_response(request, response)


# Browser features no page of ours uses: all switched off, for the page and every frame in it.
PERMISSIONS_POLICY_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "clipboard-read",
    "clipboard-write",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


def permissions_policy_parse(header: str) -> dict[str, str]:
    """`camera=(self "https://x"), microphone=()` -> {"camera": '(self "https://x")', ...}."""
    policy = {}
    for item in header.split(","):
        feature, _sep, allowlist = item.strip().partition("=")
        if feature and allowlist:
            policy[feature.strip()] = allowlist.strip()
    return policy


class PermissionsPolicyMiddleware:
    """Every answer carries a Permissions-Policy that switches off every browser feature listed
    above. A view that needs one grants it on its own response (the video page: camera and
    microphone for itself and the Whereby room's origin); the others stay off there too.
    Second in MIDDLEWARE, so that the answers of the programme middleware (unknown host,
    paused programme) and error pages carry it as well."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        granted = permissions_policy_parse(response.get(PERMISSIONS_POLICY_HEADER, ""))
        policy = {feature: "()" for feature in PERMISSIONS_POLICY_FEATURES} | granted
        response[PERMISSIONS_POLICY_HEADER] = ", ".join(
            f"{feature}={allowlist}" for feature, allowlist in policy.items()
        )
        return response


class NotFoundPageMiddleware:
    """The product's own 404 page, with DEBUG on too (`dev.py run`): Django's debug 404 lists
    every URL pattern of the site, which is not something to show a visitor of a programme.
    Without DEBUG, Django already renders it (handler404); this does the same in DEBUG for
    an address that matches no pattern and for a view that raises Http404. Answers that a
    view or the programme middleware built on purpose (a JSON 404, the unknown-host page)
    are left alone: it sits after the programme middleware and only replaces Django's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None  # no URL pattern matched
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return self._page(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return self._page(request)
        return None

    @staticmethod
    def _page(request: HttpRequest) -> HttpResponse:
        # The page of the handler404 of both URLconfs (saas.project.views.page_not_found).
        return render(request, "404.html", status=404)
