"""The signed-in person's own account: logging in (django-allauth's login, with our throttle),
the password, and logging out on every device.

Logging out everywhere re-hashes the person's password (they type it to confirm). Django keeps
a hash derived from the password hash in every session and drops a session whose hash no
longer matches on its next request; a new salt gives a new hash, so every session of the
person ends, on any session store, without a query per request. It also ends the addresses of
their calendar feeds (see org.services.login_end_everywhere). Changing the password does the
same for the other devices' sessions (Django's PasswordChangeView keeps the current session).
"""

from __future__ import annotations

import datetime
import functools

from allauth.account import views as allauth_views
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes import views as recovery_codes_views
from allauth.mfa.totp import views as totp_views
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_POST

from org.forms import SingleSignOnStartForm
from org.services import login_end_everywhere
from org.throttle import ThrottledLoginForm, bad_link_opened, bad_link_wait, client_address


class LoginView(allauth_views.LoginView):
    """allauth's login page (which goes on to two-factor when the person has it) with the
    throttle; a throttled attempt answers 429."""

    form_class = ThrottledLoginForm

    def get_form_class(self) -> type[ThrottledLoginForm]:
        return ThrottledLoginForm

    def get_context_data(self, **kwargs) -> dict:
        return {
            **super().get_context_data(**kwargs),
            "sso_form": SingleSignOnStartForm(prefix="sso"),
        }

    def form_invalid(self, form: ThrottledLoginForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(forms.forms.NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with the password validators of AUTH_PASSWORD_VALIDATORS."""

    template_name = "account/password_change.html"
    success_url = reverse_lazy("account:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "account/password_change_done.html"


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Type your password to confirm."},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password


def _account_page(request: HttpRequest, form: ConfirmPasswordForm, status: int = 200):
    context = {"form": form, "two_factor_on": two_factor_on(request.user)}
    return render(request, "account/page.html", context, status=status)


@require_GET
def account_page(request: HttpRequest) -> HttpResponse:
    return _account_page(request, ConfirmPasswordForm(user=request.user))


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    form = ConfirmPasswordForm(request.POST, user=request.user)
    if not form.is_valid():
        return _account_page(request, form, status=400)
    login_end_everywhere(user=request.user, password=form.cleaned_data["password"])
    logout(request)
    messages.success(request, "You are logged out on every device, this one included.")
    return redirect("login")


def refuse_key_guessing(view):
    """Wrap a view that checks the key in its URL: an address that opened too many bad links
    (org/throttle.py) gets 429 before the key is looked at, and each bad key is counted. The
    view says a key was bad with token_fail in its template context (allauth's reset page and
    our invitation page both do)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        address = client_address(request)
        if bad_link_wait(address) > datetime.timedelta(0):
            return render(request, "429.html", status=429)
        response = view(request, *args, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if context.get("token_fail"):
            bad_link_opened(address)
        return response

    return wrapped


password_reset_from_key = refuse_key_guessing(allauth_views.password_reset_from_key)


def two_factor_on(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def with_two_factor_on(view):
    """allauth.mfa's pages for turning two-factor off and for the recovery codes answer 404
    when two-factor is off; here they send the person to the two-factor page instead."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not two_factor_on(request.user):
            return redirect("mfa_index")
        return view(request, *args, **kwargs)

    return wrapped


deactivate_totp = with_two_factor_on(totp_views.deactivate_totp)
view_recovery_codes = require_GET(with_two_factor_on(recovery_codes_views.view_recovery_codes))
download_recovery_codes = require_GET(
    with_two_factor_on(recovery_codes_views.download_recovery_codes)
)
generate_recovery_codes = with_two_factor_on(recovery_codes_views.generate_recovery_codes)
