from django.urls import path

from tenant_apps.programs import views

urlpatterns = [
    path("accessibilite/", views.accessibility_statement, name="accessibility"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("theme.css", views.theme_css, name="theme-css"),
    path("hors-ligne/", views.offline, name="offline"),
    path("icones/<slug:name>.png", views.icon, name="icon"),
    path("marque/logo.png", views.logo, name="logo"),
    path("gestion/parametres/", views.manage_settings, name="manage-settings"),
    path("gestion/questionnaire/", views.manage_questionnaire, name="manage-questionnaire"),
    path("gestion/questionnaire/nouvelle/", views.manage_question, name="manage-question-new"),
    path("gestion/questionnaire/<int:question_id>/", views.manage_question, name="manage-question"),
    path(
        "gestion/questionnaire/ensemble/<int:questionset_id>/",
        views.manage_question_set,
        name="manage-question-set",
    ),
    path(
        "gestion/questionnaire/ensemble/<int:questionset_id>/nouvelle/",
        views.manage_question_set_new,
        name="manage-question-set-new",
    ),
    path(
        "gestion/questionnaire/<int:question_id>/<slug:action>/",
        views.manage_question_action,
        name="manage-question-action",
    ),
]
