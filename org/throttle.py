"""The login throttle: too many failed logins for one username, or from one address, and the
login page refuses to try another password for a while.

Every attempt is written to the LoginAttempt table before the password is checked, then
counted with the other attempts of the last LOGIN_LOCKOUT_MINUTES; a success deletes the
username's attempts. Counting rows in the database (rather than a per-process cache) means
every gunicorn process on every host sees the same count, and attempts made in parallel
count each other.

Limits (settings, from environment variables): LOGIN_FAILURES_PER_USERNAME (default 5) and
LOGIN_FAILURES_PER_ADDRESS (default 20) within LOGIN_LOCKOUT_MINUTES (default 15). A locked
username stays locked even for the right password until its failures age out; that also lets
someone who knows a username keep its owner out for a while, the usual price of a
per-account limit.
"""

from __future__ import annotations

import datetime
import ipaddress
import math

from allauth.account.forms import LoginForm
from allauth.core import context as allauth_context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from org.models import LoginAttempt, OrgMembership


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address: REMOTE_ADDR, or, behind a reverse proxy that says so in
    CLIENT_ADDRESS_HEADER, the last address that proxy wrote in that header."""
    raw = request.META.get("REMOTE_ADDR", "")
    header = settings.CLIENT_ADDRESS_HEADER
    if header:
        forwarded = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        if forwarded.strip():
            raw = forwarded.split(",")[-1]
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def _window_start(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _wait(attempts, limit: int, now: datetime.datetime) -> datetime.timedelta:
    """How long until fewer than `limit` of these attempts remain in the window."""
    times = list(attempts.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return datetime.timedelta(0)
    return times[-1] + datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES) - now


def attempt_begin(username: str, address: str | None) -> tuple[LoginAttempt, datetime.timedelta]:
    """Record an attempt; with it, how long the username or address must still wait (zero
    when neither has reached its limit of failures)."""
    now = timezone.now()
    username = username.casefold()[:150]
    LoginAttempt.objects.filter(at__lt=_window_start(now)).delete()
    attempt = LoginAttempt.objects.create(username=username, address=address, at=now)
    recent = LoginAttempt.objects.filter(at__gte=_window_start(now)).exclude(pk=attempt.pk)
    wait = _wait(recent.filter(username=username), settings.LOGIN_FAILURES_PER_USERNAME, now)
    if address is not None:
        by_address = _wait(recent.filter(address=address), settings.LOGIN_FAILURES_PER_ADDRESS, now)
        wait = max(wait, by_address)
    return attempt, wait


def attempt_succeeded(attempt: LoginAttempt) -> None:
    """The username logged in: its failures are forgiven (the address's others are not)."""
    LoginAttempt.objects.filter(username=attempt.username).delete()


class ThrottledLoginForm(LoginForm):
    """django-allauth's login form (username or email, then the password), refusing to check a
    password once the username or the address has failed too often.

    The field is posted as `username`, as before allauth, so password managers and bookmarked
    forms keep working. allauth's own "login_failed" limit counts in the cache, which is per
    process without REDIS_URL; this one counts in the database, so it is switched off in
    settings and this one holds.
    """

    error_messages = {
        "throttled": "Too many failed logins for this account or from this address. Wait "
        "%(minutes)s minute%(plural)s and try again, or ask an admin of your organization to "
        "set a new password for you.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        field = self.fields.pop("login")
        field.label = "Username or email"
        field.widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields = {"username": field, **self.fields}
        self.fields["password"].help_text = ""  # the page links to the reset once, below
        for each in self.fields.values():
            each.widget.attrs.pop("placeholder", None)

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        self.cleaned_data["login"] = username.strip()
        attempt, wait = attempt_begin(username.strip(), client_address(self.request))
        if wait > datetime.timedelta(0):
            attempt.delete()  # a refused attempt is not counted: waiting is enough
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": minutes, "plural": "" if minutes == 1 else "s"},
            )
        cleaned = super().clean()  # raises on a wrong password, and the attempt stays counted
        attempt_succeeded(attempt)
        self._refuse_when_turned_off(getattr(self, "user", None))
        return cleaned

    @staticmethod
    def _refuse_when_turned_off(user) -> None:
        """The right password of a login an admin turned off everywhere it had access: say so
        here, rather than letting it in to be logged out on its next page."""
        if user is None or user.is_superuser:
            return
        memberships = list(OrgMembership.objects.filter(user=user).select_related("organization"))
        if memberships and all(m.is_disabled for m in memberships):
            names = ", ".join(sorted(m.organization.name for m in memberships))
            raise forms.ValidationError(
                f"Your access to {names} was turned off by one of its admins. Ask them if you "
                "think it is a mistake.",
                code="turned_off",
            )


# --- guessing the keys of emailed links, probing for single sign-on --------------------------

# The LoginAttempt.username that marks a link whose key did not check out, and a single sign-on
# start for an email no organization signs in with. Django usernames cannot hold parentheses,
# so no person's failures are mixed with these.
BAD_LINK = "(bad link)"
SIGN_ON_PROBE = "(sign-on probe)"


def bad_link_wait(address: str | None, marker: str = BAD_LINK) -> datetime.timedelta:
    """How long this address must wait before its next link is checked: after
    LOGIN_FAILURES_PER_ADDRESS bad keys (reset or invitation links) within the window. With
    `marker=SIGN_ON_PROBE`, the same for emails tried at the single sign-on form."""
    if address is None:
        return datetime.timedelta(0)
    now = timezone.now()
    recent = LoginAttempt.objects.filter(
        username=marker, address=address, at__gte=_window_start(now)
    )
    return _wait(recent, settings.LOGIN_FAILURES_PER_ADDRESS, now)


def bad_link_opened(address: str | None, marker: str = BAD_LINK) -> None:
    LoginAttempt.objects.create(username=marker, address=address)


# --- the two-factor code ------------------------------------------------------------------------


class ThrottledCodeMixin:
    """allauth.mfa's code forms count a wrong code under allauth's "login_failed" limit, which
    is switched off here (it counts in the per-process cache). A wrong two-factor code counts
    instead as a failed login of that username, in the database, with the password's: after
    LOGIN_FAILURES_PER_USERNAME failures (or LOGIN_FAILURES_PER_ADDRESS from one address)
    within LOGIN_LOCKOUT_MINUTES no code is checked, the right one neither."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("placeholder", None)

    def clean_code(self) -> str:
        username = self.user.get_username()
        attempt, wait = attempt_begin(username, client_address(allauth_context.request))
        if wait > datetime.timedelta(0):
            attempt.delete()
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            raise forms.ValidationError(
                ThrottledLoginForm.error_messages["throttled"],
                code="throttled",
                params={"minutes": minutes, "plural": "" if minutes == 1 else "s"},
            )
        code = super().clean_code()  # raises on a wrong code, and the attempt stays counted
        attempt_succeeded(attempt)
        return code


class ThrottledAuthenticateForm(ThrottledCodeMixin, AuthenticateForm):
    """The code asked after the password."""


class ThrottledReauthenticateForm(ThrottledCodeMixin, ReauthenticateForm):
    """The code asked again before changing two-factor."""
