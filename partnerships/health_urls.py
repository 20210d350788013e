"""The partnership health page."""

from django.urls import path

from partnerships import health_views as views

app_name = "health"

urlpatterns = [
    path("", views.health_page, name="page"),
    path("brokers/", views.health_brokers, name="brokers"),
]
