from django.urls import path

from tenant_apps.mentoring import views

urlpatterns = [
    path("profil/presentation/", views.profile_edit, name="profile-edit"),
    path("profil/photo/<int:participant_id>/", views.profile_photo, name="profile-photo"),
    path("binome/mentors/", views.mentor_browse, name="mentor-browse"),
    path("binome/<int:match_id>/", views.pair_page, name="pair"),
    path("binome/<int:match_id>/messages/", views.pair_messages, name="pair-messages"),
    path("binome/<int:match_id>/objectifs/", views.goal_add, name="goal-add"),
    path("binome/objectifs/<int:goal_id>/", views.goal_edit, name="goal-edit"),
    path("binome/objectifs/<int:goal_id>/statut/", views.goal_status, name="goal-status"),
    path("binome/objectifs/<int:goal_id>/supprimer/", views.goal_remove, name="goal-remove"),
    path("gestion/accompagnement/", views.manage_mentoring, name="manage-mentoring"),
    path("gestion/objectifs/", views.manage_goal_templates, name="manage-goal-templates"),
    path(
        "gestion/objectifs/<int:goaltemplate_id>/",
        views.manage_goal_template,
        name="manage-goal-template",
    ),
]
