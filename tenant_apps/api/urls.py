from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from saas.core.decorators import public_view
from tenant_apps.api import scim, views
from tenant_apps.api.urls_v1 import urlpatterns as api_v1_patterns

# The documentation of the API is public (no data in it); the UIs' files are ours
# (drf-spectacular-sidecar, collected with the other static files): no CDN. Swagger UI and
# Redoc style themselves with inline styles and Redoc runs a worker from a blob.
_DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"], "img-src": ["data:"]}
schema_view = public_view(
    SpectacularAPIView.as_view(urlconf="tenant_apps.api.urls_v1", authentication_classes=[])
)
swagger_view = public_view(
    csp_update(_DOCS_CSP)(
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html", authentication_classes=[]
        )
    )
)
redoc_view = public_view(
    csp_update(_DOCS_CSP)(
        SpectacularRedocView.as_view(
            url_name="api-schema", template_name="api/redoc.html", authentication_classes=[]
        )
    )
)

urlpatterns = [
    *api_v1_patterns,
    path("api/v1/schema/", schema_view, name="api-schema"),
    path("api/v1/docs/", swagger_view, name="api-docs"),
    path("api/v1/redoc/", redoc_view, name="api-redoc"),
    *scim.urlpatterns,
    path("gestion/api/", views.manage_api, name="manage-api"),
    path(
        "gestion/api/cles/<int:apikey>/revoquer/",
        views.api_key_revoke_view,
        name="manage-api-key-revoke",
    ),
    path(
        "gestion/api/webhooks/<int:webhookendpoint>/", views.webhook_detail, name="manage-webhook"
    ),
]
