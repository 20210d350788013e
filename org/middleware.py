"""Attach the signed-in user's current organization and role to every request."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.functional import SimpleLazyObject
from django_htmx.http import HttpResponseClientRedirect

from org.models import OrgMembership

SESSION_KEY = "current_organization_id"


def load_memberships(request: HttpRequest) -> list[OrgMembership]:
    """All of the user's roles whose access is on, one query; cached on the request (with the
    ones an admin turned off, in request._disabled_memberships)."""
    if not hasattr(request, "_org_memberships"):
        loaded = []
        if request.user.is_authenticated:
            loaded = list(
                OrgMembership.objects.filter(user=request.user)
                .select_related("organization", "member")
                .order_by("organization__name", "organization_id")
            )
        request._org_memberships = [m for m in loaded if not m.is_disabled]
        request._disabled_memberships = [m for m in loaded if m.is_disabled]
    return request._org_memberships


def access_turned_off(request: HttpRequest) -> OrgMembership | None:
    """The membership an admin turned off that this session was using: the session's current
    organization, or the only kind of access the person had. None when the session may go on."""
    active = load_memberships(request)
    disabled = request._disabled_memberships
    if not disabled:
        return None
    wanted = request.session.get(SESSION_KEY)
    for membership in disabled:
        if membership.organization_id == wanted or not active:
            return membership
    return None


def current_membership(request: HttpRequest) -> OrgMembership | None:
    memberships = load_memberships(request)
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.organization_id == wanted:
            return membership
    return memberships[0]


class CurrentOrganizationMiddleware:
    """Sets request.membership (OrgMembership or None) and request.organization lazily."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = SimpleLazyObject(lambda: current_membership(request))
        request.organization = SimpleLazyObject(
            lambda: request.membership.organization if request.membership else None
        )
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        """A session whose access an admin turned off ends on its next request (for a page that
        needs a login; the roles read here are the ones the page reads anyway, so it costs no
        query)."""
        if not getattr(view_func, "login_required", True) or not request.user.is_authenticated:
            return None
        membership = access_turned_off(request)
        if membership is None:
            return None
        logout(request)
        messages.error(
            request,
            f"Your access to {membership.organization.name} was turned off by one of its "
            "admins. Ask them if you think it is a mistake.",
        )
        login_url = resolve_url(settings.LOGIN_URL)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(login_url)
        return redirect(login_url)


# The pages an admin who must turn on two-factor may still open: the two-factor pages
# themselves, confirming their password before them, and logging out.
TWO_FACTOR_SETUP_PAGES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "logout",
    }
)


class AdminsUseTwoFactorMiddleware:
    """When the current organization says "admins must use two-factor", an admin without an
    authenticator app is sent to set one up before any other page (the organization's
    settings page, /org/settings/, turns it on). Costs a query only for such admins. Logins
    made by single sign-on (no password) are left to the identity provider's own two-factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or not request.user.has_usable_password():
            # A login without a password signs in with the organization's identity provider,
            # whose own second factor applies (and nothing here could confirm it is them).
            return None
        match = request.resolver_match
        if match is None or match.url_name in TWO_FACTOR_SETUP_PAGES:
            return None
        membership = current_membership(request)
        if membership is None or not membership.is_admin:
            return None
        if not membership.organization.admins_use_two_factor:
            return None
        if Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
            return None
        return redirect("mfa_activate_totp")
