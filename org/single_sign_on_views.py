"""Signing in with the organization's identity provider: the login page's email form sends the
person there (start), and the provider sends them back (callback). The protocol is
org/openid_connect.py; who may come in is org/single_sign_on.py."""

from __future__ import annotations

import datetime

from allauth.account.utils import perform_login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from org import openid_connect
from org.forms import SingleSignOnStartForm
from org.middleware import SESSION_KEY
from org.models import SingleSignOn
from org.single_sign_on import may_enter, sign_on_login, single_sign_on_for_email
from org.throttle import SIGN_ON_PROBE, bad_link_opened, bad_link_wait, client_address

# What the callback needs, kept in the session between the two requests.
PENDING_KEY = "single_sign_on_pending"


def _refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    return render(request, "account/single_sign_on_refused.html", {"reason": reason}, status=status)


def _callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("single_sign_on_callback"))


def _safe_next(request: HttpRequest) -> str:
    """Where to go after signing in, when it is a page of this site."""
    wanted = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if allowed else ""


@login_not_required
@never_cache
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    form = SingleSignOnStartForm(request.POST, prefix="sso")
    if not form.is_valid():
        return _refused(request, form.errors["email"][0], status=400)
    email = form.cleaned_data["email"]
    # Emails no organization signs in with are counted per address, so the form cannot be used
    # to find out, domain after domain, which organizations are here.
    address = client_address(request)
    if bad_link_wait(address, SIGN_ON_PROBE) > datetime.timedelta(0):
        return _refused(
            request,
            "Too many emails were tried from this address. Wait a few minutes and try again, "
            "or log in with your username and password.",
            status=429,
        )
    config = single_sign_on_for_email(email)
    if config is None:
        bad_link_opened(address, SIGN_ON_PROBE)
        return _refused(
            request,
            "No organization here signs in with single sign-on for that email. Log in with "
            "your username and password, or ask an admin of your organization.",
        )
    try:
        discovery = openid_connect.discover(config.issuer)
    except openid_connect.SignOnFailed as failure:
        return _refused(request, str(failure), status=502)
    url, pending = openid_connect.authorization_request(
        discovery=discovery,
        client_id=config.client_id,
        redirect_uri=_callback_url(request),
        login_hint=email,
    )
    request.session[PENDING_KEY] = {
        **pending.as_dict(),
        "organization": config.organization_id,
        "next": _safe_next(request),
    }
    return redirect(url)


@login_not_required
@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    kept = request.session.pop(PENDING_KEY, None)
    if not kept:
        return _refused(request, "This sign-in has expired or was not started here. Start again.")
    config = (
        SingleSignOn.objects.filter(organization_id=kept["organization"], enabled=True)
        .select_related("organization")
        .first()
    )
    if config is None:
        return _refused(request, "Your organization has turned single sign-on off.")
    pending = openid_connect.Pending(
        state=kept["state"], nonce=kept["nonce"], code_verifier=kept["code_verifier"]
    )
    try:
        claims = openid_connect.complete(
            discovery=openid_connect.discover(config.issuer),
            client_id=config.client_id,
            client_secret=config.client_secret,
            redirect_uri=_callback_url(request),
            pending=pending,
            answer=request.GET.dict(),
        )
    except openid_connect.SignOnFailed as failure:
        return _refused(request, str(failure))
    email = str(claims.get("email", ""))
    entry = None
    if claims.get("email_verified", True) is not False:
        entry = may_enter(config.organization, email)
    if entry is None:
        return _refused(
            request,
            f"{email or 'Your login'} has no access to {config.organization.name} yet. Ask an "
            "admin of your organization to invite you.",
        )
    user = sign_on_login(entry=entry)
    request.session[SESSION_KEY] = config.organization_id
    return perform_login(
        request,
        user,
        email_verification="none",
        redirect_url=kept.get("next") or None,
    )
