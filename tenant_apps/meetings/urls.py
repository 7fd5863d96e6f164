from django.urls import path

from tenant_apps.meetings import views

urlpatterns = [
    path("rendez-vous/", views.meetings_list, name="meetings"),
    path("rendez-vous/proposer/", views.meeting_propose_view, name="meeting-propose"),
    path("rendez-vous/<int:meeting_id>/", views.meeting_detail, name="meeting-detail"),
    path(
        "rendez-vous/<int:meeting_id>/acces-visio/",
        views.meeting_join_status,
        name="meeting-join-status",
    ),
    path("rendez-vous/<int:meeting_id>/visio", views.meeting_join, name="meeting-join"),
    path(
        "rendez-vous/<int:meeting_id>/accepter/", views.meeting_accept_view, name="meeting-accept"
    ),
    path(
        "rendez-vous/<int:meeting_id>/refuser/", views.meeting_decline_view, name="meeting-decline"
    ),
    path("rendez-vous/<int:meeting_id>/deplacer/", views.meeting_move_view, name="meeting-move"),
    path("rendez-vous/<int:meeting_id>/annuler/", views.meeting_cancel_view, name="meeting-cancel"),
    path("rendez-vous/<int:meeting_id>/bilan/", views.meeting_outcome_view, name="meeting-outcome"),
    path("rendez-vous/<int:meeting_id>/notes/", views.meeting_note_view, name="meeting-note"),
    path(
        "rendez-vous/<int:meeting_id>/suites/",
        views.meeting_next_steps_view,
        name="meeting-next-steps",
    ),
    path("gestion/rendez-vous/", views.manage_meetings, name="manage-meetings"),
]
