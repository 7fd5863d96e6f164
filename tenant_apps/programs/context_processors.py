"""The programme's branding in every page rendered on its site (settings TEMPLATES, after
saas.core.context_processors.site)."""

from django.http import HttpRequest

from saas.core.context_processors import is_programme_site
from tenant_apps.programs.selectors import program_brand_color, program_logo_path


def branding(request: HttpRequest) -> dict[str, str | None]:
    if not is_programme_site(request):
        return {}
    return {
        "program_brand_color": program_brand_color(),
        "program_logo_path": program_logo_path(),
    }
