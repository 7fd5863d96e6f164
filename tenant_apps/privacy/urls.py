from django.urls import path

from tenant_apps.privacy import views

urlpatterns = [
    path("gestion/journal/", views.manage_audit_log, name="manage-audit-log"),
    path("espace/mes-donnees/", views.my_data, name="my-data"),
]
