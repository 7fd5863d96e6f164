from django.urls import path

from tenant_apps.surveys import views

urlpatterns = [
    path("retours/", views.feedback, name="feedback"),
    path("retours/<int:surveyinvitation_id>/", views.survey_answer_page, name="survey-answer"),
    path("retours/lien/<str:token>/", views.survey_answer_link, name="survey-answer-link"),
    path("gestion/retours/", views.manage_surveys, name="manage-surveys"),
    path("gestion/retours/reglages/", views.manage_survey_settings, name="manage-survey-settings"),
    path("gestion/retours/<int:survey_id>/", views.manage_survey, name="manage-survey"),
    path(
        "gestion/retours/<int:survey_id>/envoyer/",
        views.manage_survey_send,
        name="manage-survey-send",
    ),
    path(
        "gestion/retours/<int:survey_id>/resultats/",
        views.manage_survey_results,
        name="manage-survey-results",
    ),
    path("gestion/annonces/", views.manage_announcements, name="manage-announcements"),
]
