from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest


def _platform_url(path: str) -> str:
    port = f":{settings.SITE_PORT}" if settings.SITE_PORT else ""
    return f"{settings.SITE_SCHEME}://{settings.BASE_DOMAIN}{port}{path}"


def site(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or connection.schema_name == settings.PUBLIC_SCHEMA_NAME
    context: dict[str, Any] = {
        "program": None if is_public else tenant,
        "is_public_site": is_public,
        # An unknown host has no statement of its own: the platform's, on the public site.
        "accessibility_url": "/accessibilite/"
        if tenant is not None
        else _platform_url("/accessibilite/"),
    }
    if not is_public:
        from tenant_apps.programs.selectors import program_brand_color, program_logo_path

        context["program_brand_color"] = program_brand_color()
        context["program_logo_path"] = program_logo_path()
    return context
