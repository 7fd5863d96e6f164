"""URLs of the public site (BASE_DOMAIN): the super-admin console."""

from django.contrib.auth.views import LogoutView
from django.urls import include, path

from saas.core import health, register_views
from saas.core import views as core_views
from shared_apps.accounts.middleware import otp_exempt
from shared_apps.console import views as console_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("reseau/", core_views.network_requirements_page, name="network-requirements"),
    path("", console_views.home, name="home"),
    path("accessibilite/", core_views.accessibility_statement, name="accessibility"),
    path("connexion/", console_views.login_view, name="login"),
    path("deconnexion/", otp_exempt(LogoutView.as_view()), name="logout"),
    path("console/registres/", register_views.registers, name="console-registers"),
    path("console/personnes/", register_views.person, name="console-person"),
    path(
        "console/faq-technique/",
        register_views.technical_faq_download,
        name="console-technical-faq",
    ),
    path(
        "console/registres/<int:program_id>/",
        register_views.register_download,
        name="console-register",
    ),
    path("console/", include("shared_apps.console.urls")),
    path("compte/", include("shared_apps.accounts.urls")),
    path("", include("tenant_apps.video.urls")),  # Whereby webhooks (one URL for the platform)
]

handler403 = "saas.core.views.permission_denied"
handler404 = "saas.core.views.page_not_found"
handler500 = "saas.core.views.server_error"
