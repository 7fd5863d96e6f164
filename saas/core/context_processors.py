from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or connection.schema_name == settings.PUBLIC_SCHEMA_NAME
    context: dict[str, Any] = {
        "program": None if is_public else tenant,
        "is_public_site": is_public,
    }
    if not is_public:
        from tenant_apps.programs.selectors import program_brand_color, program_logo_path

        context["program_brand_color"] = program_brand_color()
        context["program_logo_path"] = program_logo_path()
    return context
