from django.urls import path

from tenant_apps.outcomes import views

urlpatterns = [
    # The landing page of everyone who logs in: the dashboard for a manager.
    path("espace/", views.my_space, name="my-space"),
    path(
        "gestion/export/<slug:kind>.<slug:file_format>",
        views.export,
        name="outcomes-export",
    ),
    path(
        "gestion/export/retours/<int:survey_id>.<slug:file_format>",
        views.survey_export,
        name="outcomes-survey-export",
    ),
]
