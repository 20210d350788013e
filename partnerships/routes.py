"""The partnerships app's pages: objectives, partnerships, relationships, what changed."""

from django.urls import path

from partnerships import views

app_name = "partnerships"

urlpatterns = [
    path("objectives/", views.objective_list, name="objective_list"),
    path("objectives/new/", views.objective_create, name="objective_create"),
    path("objectives/<int:pk>/", views.objective_detail, name="objective_detail"),
    path("objectives/<int:pk>/remove/", views.objective_remove, name="objective_remove"),
    path("objectives/undo/<int:entry_pk>/", views.objective_restore, name="objective_restore"),
    path("partnerships/", views.partnership_list, name="partnership_list"),
    path("partnerships/new/", views.partnership_create, name="partnership_create"),
    path("partnerships/changes/", views.changes, name="changes"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership_detail"),
    path("partnerships/<int:pk>/dissolve/", views.partnership_dissolve, name="dissolve"),
    path("partnerships/<int:pk>/remove/", views.partnership_remove, name="partnership_remove"),
    path("partnerships/<int:pk>/relationships/", views.relationship_add, name="relationship_add"),
    path(
        "partnerships/<int:pk>/relationships/type/",
        views.relationship_type_preview,
        name="relationship_type_preview",
    ),
    path(
        "partnerships/<int:pk>/relationships/members/<str:side>/",
        views.relationship_member_search,
        name="relationship_member_search",
    ),
    path(
        "partnerships/<int:pk>/relationships/<int:relationship_pk>/end/",
        views.relationship_end,
        name="relationship_end",
    ),
    path(
        "partnerships/<int:pk>/relationships/<int:relationship_pk>/remove/",
        views.relationship_remove,
        name="relationship_remove",
    ),
    path(
        "partnerships/undo/<int:entry_pk>/",
        views.relationship_restore,
        name="relationship_restore",
    ),
    # A member's page, moving and archiving them live here since they read and end
    # relationships (org, below partnerships, knows nothing of them).
    path("org/members/<int:pk>/", views.member_detail, name="member_detail"),
    path("org/members/<int:pk>/move/", views.member_move, name="member_move"),
    path("org/members/<int:pk>/moves/<int:move_pk>/remove/", views.move_remove, name="move_remove"),
    path("org/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("org/members/<int:pk>/archive/", views.member_archive, name="member_archive"),
    path("org/members/<int:pk>/seat/", views.team_seat, name="team_seat"),
    path("partnerships/members/<int:pk>/", views.member_partnerships, name="member_partnerships"),
]
