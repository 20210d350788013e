"""Signing in, without an organization yet: the login page and the password reset by email
(django-allauth's views, in the site's layout under templates/account/). Only the allauth
pages the product uses are routed: there is no sign-up, no email management."""

from allauth.account import views as allauth_views
from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from org import account_views

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    # allauth's own pages send people to "account_login": the same page.
    path("login/", account_views.LoginView.as_view(), name="account_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/inactive/", allauth_views.account_inactive, name="account_inactive"),
    path("password/reset/", allauth_views.password_reset, name="account_reset_password"),
    path(
        "password/reset/done/",
        allauth_views.password_reset_done,
        name="account_reset_password_done",
    ),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        account_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password/reset/key/done/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
]
