from django.urls import path

from org import audit_views, settings_views, views

app_name = "org"

urlpatterns = [
    path("switch/", views.switch_organization, name="switch"),
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_new, name="member_new"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/people/", views.member_people, name="member_people"),
    path(
        "members/<int:pk>/people/search/",
        views.member_people_search,
        name="member_people_search",
    ),
    path("audit/", audit_views.audit_log, name="audit"),
    path("settings/", settings_views.organization_settings, name="settings"),
    path("settings/two-factor/", settings_views.two_factor_requirement, name="two_factor"),
    path("settings/pulse/", settings_views.pulse_threshold, name="pulse_threshold"),
    path("settings/single-sign-on/", settings_views.single_sign_on, name="single_sign_on"),
]
