import functools

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache

from saas.core.accessibility import platform_contact, statement_context
from saas.core.decorators import public_view
from saas.core.network import (
    WHEREBY_DOCUMENTATION,
    network_notes,
    network_requirements,
    video_is_whereby,
)


@public_view
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers. No I/O: a database outage must not get every container killed."""
    return JsonResponse({"status": "ok"})


@public_view
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The platform's own statement, on the public site."""
    context = statement_context(
        organisation="Binôme", service=_("the Binôme platform"), contacts=[platform_contact()]
    )
    return render(request, "accessibility.html", context)


@functools.cache
def _favicon() -> bytes:
    return (settings.BASE_DIR / "static" / "favicon.ico").read_bytes()


@public_view
@cache_control(max_age=7 * 86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask every host for (a 404 on the console otherwise)."""
    return HttpResponse(_favicon(), content_type="image/x-icon")


@public_view
def network_requirements_page(request: HttpRequest) -> HttpResponse:
    """For the client's IT: the domains and ports a browser needs (public, on the platform's
    site and on every programme's)."""
    context = {
        "rows": network_requirements(),
        "notes": network_notes(),
        "video_is_whereby": video_is_whereby(),
        "whereby_documentation": WHEREBY_DOCUMENTATION,
    }
    return render(request, "network.html", context)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
