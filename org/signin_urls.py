"""Signing in, without an organization yet: the login page and the password reset by email
(django-allauth's views, in the site's layout under templates/account/), two-factor
(allauth.mfa, under templates/mfa/) and single sign-on with the organization's identity
provider (org/single_sign_on.py). Only the allauth pages the product uses are routed: there
is no sign-up, no email management."""

from allauth.account import views as allauth_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.totp import views as totp_views
from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from org import account_views, single_sign_on_views

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    # allauth's own pages send people to "account_login": the same page.
    path("login/", account_views.LoginView.as_view(), name="account_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on: the login page's email form, and where identity providers send people back.
    path("login/sso/", single_sign_on_views.start, name="single_sign_on_start"),
    path(
        "login/sso/callback/",
        single_sign_on_views.callback,
        name="single_sign_on_callback",
    ),
    # Two-factor: allauth.mfa's pages (TOTP and recovery codes, no security keys), and the
    # password asked again before changing them.
    path("account/two-factor/", mfa_views.index, name="mfa_index"),
    path("account/two-factor/authenticate/", mfa_views.authenticate, name="mfa_authenticate"),
    path(
        "account/two-factor/reauthenticate/",
        mfa_views.reauthenticate,
        name="mfa_reauthenticate",
    ),
    path("account/two-factor/totp/activate/", totp_views.activate_totp, name="mfa_activate_totp"),
    path(
        "account/two-factor/totp/deactivate/",
        account_views.deactivate_totp,
        name="mfa_deactivate_totp",
    ),
    path(
        "account/two-factor/recovery-codes/",
        account_views.view_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        "account/two-factor/recovery-codes/generate/",
        account_views.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path(
        "account/two-factor/recovery-codes/download/",
        account_views.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
    path(
        "account/reauthenticate/",
        allauth_views.reauthenticate,
        name="account_reauthenticate",
    ),
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
