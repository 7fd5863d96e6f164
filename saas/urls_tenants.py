"""URLs of a programme's site (<slug>.<BASE_DOMAIN>), resolved in the programme's schema.

Every view here is deny-by-default; tests/test_isolation.py walks these patterns.
"""

from django.urls import include, path

from saas.core import views as core_views
from saas.project import health
from saas.project import views as project_views

urlpatterns = [
    path("healthz", project_views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("reseau/", core_views.network_requirements_page, name="network-requirements"),
    # privacy before participants: its erase action is a more specific route of theirs
    path("", include("tenant_apps.privacy.urls")),
    path("", include("tenant_apps.participants.urls")),
    path("", include("tenant_apps.programs.urls")),
    path("", include("tenant_apps.matching.urls")),
    path("", include("tenant_apps.outcomes.urls")),
    path("", include("tenant_apps.meetings.urls")),
    path("", include("tenant_apps.mentoring.urls")),
    path("", include("tenant_apps.api.urls")),
    path("", include("tenant_apps.surveys.urls")),
    path("compte/", include("shared_apps.accounts.urls")),
]

handler403 = "saas.project.views.permission_denied"
handler404 = "saas.project.views.page_not_found"
handler500 = "saas.project.views.server_error"
