"""The one place where a request's host decides its schema (CONVENTIONS §4)."""

import logging

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import set_urlconf
from django_tenants.middleware.main import TenantMainMiddleware

from saas.core.tenancy import connection
from tenants.models import Program
from tenants.services import host_cache_key

logger = logging.getLogger(__name__)

HOST_CACHE_SECONDS = 60
LIVENESS_PATH = "/healthz"
ALWAYS_SERVED_PATHS = frozenset({"/healthz", "/readyz"})


class ProgramMiddleware(TenantMainMiddleware):
    """django-tenants' middleware with three hooks changed:

    - host -> programme is cached (global cache, cleared by tenants.services on change);
    - an unknown host gets our 404 page (not a 500, not the public site);
    - a programme that is not open (paused, archived, still provisioning) gets a status page,
      except for health checks.
    """

    def get_tenant(self, domain_model: type, hostname: str) -> Program:
        cache: BaseCache | None = caches["global"]  # None once it failed
        key = host_cache_key(hostname)
        try:
            program = caches["global"].get(key)
        except Exception:  # a cache outage costs a query, not the site
            logger.warning("host cache unavailable", exc_info=True)
            program, cache = None, None
        if program is None:
            if hostname == settings.BASE_DOMAIN:
                program = Program.objects.get(schema_name=settings.PUBLIC_SCHEMA_NAME)
            else:
                program = super().get_tenant(domain_model, hostname)
            if cache is not None:
                cache.set(key, program, HOST_CACHE_SECONDS)
        return program

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        return render(request, "404.html", {"is_unknown_host": True}, status=404)

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if request.path == LIVENESS_PATH:
            # Liveness does no I/O at all: neither the database nor the cache is asked which
            # programme this host is, so an outage of either never restarts the containers.
            connection.set_schema_to_public()
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return None
        try:
            response = super().process_request(request)
        except Program.DoesNotExist:  # the public row is missing: not migrated yet
            return render(request, "404.html", status=404)
        if response is not None:
            return response
        program: Program = request.tenant  # type: ignore[attr-defined]  # set by super()
        if program.is_public or program.is_open or request.path in ALWAYS_SERVED_PATHS:
            return None
        connection.set_schema_to_public()  # nothing of a closed programme is read
        if program.status == Program.Status.PAUSED:
            return render(request, "program_paused.html", {"closed": program}, status=503)
        if program.status == Program.Status.ARCHIVED:
            return render(request, "program_archived.html", {"closed": program}, status=410)
        return render(request, "404.html", status=404)
