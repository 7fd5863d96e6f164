from django.contrib.auth.views import LogoutView
from django.urls import path

from shared_apps.accounts.middleware import otp_exempt
from tenant_apps.participants import views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", otp_exempt(LogoutView.as_view()), name="logout"),
    path("inscription/", views.register, name="register"),
    path("inscription/envoyee/", views.register_done, name="register-done"),
    path("acces/nouveau/", views.link_request, name="link-request"),
    path("acces/<str:token>/", views.access_link, name="access-link"),
    path("mot-de-passe/oublie/", views.password_reset, name="password-reset"),
    path(
        "mot-de-passe/nouveau/<str:token>/",
        views.password_reset_confirm_view,
        name="password-reset-confirm",
    ),
    path("profil/", views.profile, name="profile"),
    path("gestion/participants/", views.manage_participants, name="manage-participants"),
    path("gestion/participants/inviter/", views.manage_invite, name="manage-invite"),
    path(
        "gestion/participants/<int:participant_id>/",
        views.manage_participant,
        name="manage-participant",
    ),
    path("gestion/participants/import/", views.manage_import, name="manage-import"),
    path(
        "gestion/participants/<int:participant_id>/<slug:action>/",
        views.manage_participant_action,
        name="manage-participant-action",
    ),
]
