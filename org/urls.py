from django.urls import path

from org import views

app_name = "org"

urlpatterns = [
    path("switch/", views.switch_organization, name="switch"),
    path("members/", views.member_list, name="member_list"),
]
