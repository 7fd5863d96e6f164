"""The project's own pages: liveness and the error pages (the handlers named by both URLconfs).
Readiness is in saas.project.health."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from saas.core.decorators import public_view


@public_view
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers. No I/O: a database outage must not get every container killed."""
    return JsonResponse({"status": "ok"})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
