import functools

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from saas.core.accessibility import platform_contact, statement_context
from saas.core.decorators import public_view
from saas.core.network import (
    WHEREBY_DOCUMENTATION,
    network_notes,
    network_requirements,
    video_is_whereby,
)


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
