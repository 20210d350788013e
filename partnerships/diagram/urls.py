"""The quadrant diagram's pages, under /diagram/."""

from django.urls import path

from partnerships.diagram import views

app_name = "diagram"

urlpatterns = [
    path("", views.diagram_page, name="diagram"),
    path("quadrants/<str:quadrant>/", views.quadrant_panel, name="quadrant"),
    path("flows/<str:flow>/", views.flow_panel, name="flow"),
    path("search/", views.member_search, name="search"),
    path("members/<int:pk>/", views.member_place, name="member"),
    path("partnerships/<int:pk>/", views.partnership_page, name="partnership"),
    path("export.svg", views.export_svg, name="export_svg"),
    path("export.csv", views.export_csv, name="export_csv"),
]
