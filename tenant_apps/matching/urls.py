from django.urls import path

from tenant_apps.matching import views

urlpatterns = [
    path("binome/", views.my_pairing, name="my-pairing"),
    path("binome/demander/<int:mentor_id>/", views.request_send, name="request-send"),
    path(
        "binome/demandes/<int:request_id>/<slug:answer>/",
        views.request_answer,
        name="request-answer",
    ),
    path("gestion/binomes/", views.manage_matches, name="manage-matches"),
    path("gestion/binomes/lancer/", views.manage_run, name="manage-run"),
    path("gestion/binomes/publier/", views.manage_publish, name="manage-publish"),
    path("gestion/binomes/ajouter/", views.manage_add, name="manage-add"),
    path(
        "gestion/binomes/chercher/mentores/",
        views.manage_pair_search,
        {"role": "mentee"},
        name="manage-pair-search-mentee",
    ),
    path(
        "gestion/binomes/chercher/mentors/",
        views.manage_pair_search,
        {"role": "mentor"},
        name="manage-pair-search-mentor",
    ),
    path(
        "gestion/binomes/<int:match_id>/<slug:action>/",
        views.manage_match_action,
        name="manage-match-action",
    ),
]
