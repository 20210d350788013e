"""The partnership health page."""

from django.urls import path

from partnerships.health import views

app_name = "health"

urlpatterns = [
    path("", views.health_page, name="page"),
    path("brokers/", views.health_brokers, name="brokers"),
    path("trend/", views.health_trend, name="trend"),
    path("remedy/<str:key>/", views.remedy, name="remedy"),
    path("accept/<str:key>/", views.accept, name="accept"),
]
