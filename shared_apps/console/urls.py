from django.urls import path

from shared_apps.console import client_views, views

app_name = "console"

urlpatterns = [
    path("", views.programs, name="programs"),
    path("journal/", views.audit_log, name="audit-log"),
    path("organisations/", views.clients, name="clients"),
    path("organisations/nouvelle/", views.client_new, name="client-new"),
    path("organisations/<int:client_id>/", views.client_edit, name="client-edit"),
    path(
        "organisations/<int:client_id>/administrateurs/",
        client_views.client_admin_new,
        name="client-admin-new",
    ),
    path("statistiques/", client_views.snapshots_refresh, name="snapshots-refresh"),
    path("violations/", views.breach_list, name="breaches"),
    path("violations/<int:breach_id>/", views.breach_edit, name="breach-edit"),
    path("programmes/nouveau/", views.program_new, name="program-new"),
    path("programmes/<int:program_id>/", views.program_detail, name="program-detail"),
    path(
        "programmes/<int:program_id>/<slug:action>/",
        views.program_action,
        name="program-action",
    ),
]
