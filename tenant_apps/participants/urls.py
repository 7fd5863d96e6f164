from django.contrib.auth.views import LogoutView
from django.urls import path

from tenant_apps.participants import views

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", LogoutView.as_view(), name="logout"),
    path("acces/<str:token>/", views.access_link, name="access-link"),
    path("espace/", views.my_space, name="my-space"),
]
