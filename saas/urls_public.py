"""URLs of the public site (BASE_DOMAIN): the super-admin console."""

from django.contrib.auth.views import LogoutView
from django.urls import include, path

from saas.core import views as core_views
from saas.project import health
from saas.project import views as project_views
from shared_apps.accounts.middleware import otp_exempt
from shared_apps.console import client_views
from shared_apps.console import register_views as console_register_views
from shared_apps.console import views as console_views

urlpatterns = [
    path("healthz", project_views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("reseau/", core_views.network_requirements_page, name="network-requirements"),
    path("", console_views.home, name="home"),
    path("accessibilite/", core_views.accessibility_statement, name="accessibility"),
    path("connexion/", console_views.login_view, name="login"),
    path("deconnexion/", otp_exempt(LogoutView.as_view()), name="logout"),
    path("console/registres/", console_register_views.registers, name="console-registers"),
    path("console/personnes/", console_register_views.person, name="console-person"),
    path(
        "console/faq-technique/",
        console_register_views.technical_faq_download,
        name="console-technical-faq",
    ),
    path(
        "console/registres/<int:program_id>/",
        console_register_views.register_download,
        name="console-register",
    ),
    path("console/", include("shared_apps.console.urls")),
    # The client administrator's pages (issue 14): aggregated figures only.
    path("client/", client_views.client_home, name="client-home"),
    path("client/actualiser/", client_views.client_refresh, name="client-refresh"),
    path("client/gestionnaires/", client_views.client_manager_new, name="client-manager-new"),
    path("client/faq-technique/", client_views.client_technical_faq_download, name="client-faq"),
    path(
        "client/registres/<int:program_id>/",
        client_views.client_register_download,
        name="client-register",
    ),
    path(
        "client/bienvenue/<str:token>/",
        client_views.client_welcome,
        name="client-welcome",
    ),
    path("compte/", include("shared_apps.accounts.urls")),
    path("", include("tenant_apps.video.urls")),  # Whereby webhooks (one URL for the platform)
]

handler403 = "saas.project.views.permission_denied"
handler404 = "saas.project.views.page_not_found"
handler500 = "saas.project.views.server_error"
