from django.urls import path

from tenant_apps.privacy import views

urlpatterns = [
    path("gestion/journal/", views.manage_audit_log, name="manage-audit-log"),
    path("gestion/registre/", views.manage_register, name="manage-register"),
    path("gestion/conservation/", views.manage_retention, name="manage-retention"),
    path("espace/mes-donnees/", views.my_data, name="my-data"),
    path("espace/mes-donnees/effacer/", views.erase_me, name="erase-me"),
    path("donnees-effacees/", views.erased, name="erased"),
]
