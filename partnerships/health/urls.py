"""The partnership health page."""

from django.urls import path

from partnerships.health import views

app_name = "health"

urlpatterns = [
    path("", views.health_page, name="page"),
    path("brokers/", views.health_brokers, name="brokers"),
]
