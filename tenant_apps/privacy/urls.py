from django.urls import path

from tenant_apps.privacy import views

# Included before the participants' URLs (saas/urls_tenants.py): the manager's erasure answers
# on the participants' action URL, /gestion/participants/<id>/effacer/.
urlpatterns = [
    path("confidentialite/", views.privacy, name="privacy"),
    path("sous-traitants/", views.subprocessors_page, name="subprocessors"),
    path("mentions-legales/", views.legal_notice, name="legal-notice"),
    path(
        "gestion/participants/<int:participant_id>/effacer/",
        views.manage_participant_erase,
        name="manage-participant-erase",
    ),
    path("gestion/journal/", views.manage_audit_log, name="manage-audit-log"),
    path("gestion/registre/", views.manage_register, name="manage-register"),
    path("gestion/conservation/", views.manage_retention, name="manage-retention"),
    path("espace/mes-donnees/", views.my_data, name="my-data"),
    path("espace/mes-donnees/effacer/", views.erase_me, name="erase-me"),
    path("donnees-effacees/", views.erased, name="erased"),
]
