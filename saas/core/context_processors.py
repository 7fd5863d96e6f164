"""What every page's template gets, on both sites. The programme's own branding is added by
tenant_apps.programs.context_processors (the kernel knows no app)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from saas.core.tenancy import connection


def _platform_url(path: str) -> str:
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{settings.BASE_DOMAIN}{port}{path}"


def site(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_public = not is_programme_site(request)
    context: dict[str, Any] = {
        "program": None if is_public else tenant,
        "is_public_site": is_public,
        # An unknown host has no statement of its own: the platform's, on the public site.
        "accessibility_url": "/accessibilite/"
        if tenant is not None
        else _platform_url("/accessibilite/"),
    }
    return context


def is_programme_site(request: HttpRequest) -> bool:
    """The request is served on a programme's site (not the platform's, not an unknown host)."""
    return (
        getattr(request, "tenant", None) is not None
        and connection.schema_name != settings.PUBLIC_SCHEMA_NAME
    )
