from django.urls import path

from scenarios import views

app_name = "scenarios"

urlpatterns = [
    path("", views.scenario_list, name="list"),
    path("compare/", views.compare_page, name="compare"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.rename, name="rename"),
    path("<int:pk>/copy/", views.copy, name="copy"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/steps/<str:kind>/", views.step_add, name="step_add"),
    path("<int:pk>/steps/<int:step_pk>/remove/", views.step_remove, name="step_remove"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/diagram/", views.diagram, name="diagram"),
    path("<int:pk>/health/", views.health, name="health"),
    path("<int:pk>/brokers/", views.brokers, name="brokers"),
    path("<int:pk>/members/<int:member_pk>/", views.member_place, name="member"),
    path(
        "<int:pk>/partnerships/<int:partnership_pk>/",
        views.partnership_page,
        name="partnership",
    ),
]
