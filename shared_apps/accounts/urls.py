from django.urls import path

from shared_apps.accounts import views

urlpatterns = [
    path("", views.account, name="account"),
    path("verification/", views.otp_verify_view, name="otp-verify"),
    path("double-authentification/", views.otp_setup_view, name="otp-setup"),
    path("double-authentification/codes/", views.recovery_codes_renew, name="recovery-codes-renew"),
    path("double-authentification/desactiver/", views.two_factor_off, name="two-factor-off"),
    path("mot-de-passe/", views.password_change_view, name="password-change"),
    path("deconnexion-partout/", views.logout_everywhere, name="logout-everywhere"),
    path("confirmer/", views.reauthenticate, name="reauthenticate"),
    path("lien-de-connexion/<str:token>/", views.signin_link, name="signin-link"),
]
