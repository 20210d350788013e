"""Who has access: the admins' pages of people and their logins (/org/access/), and the page
an invitation's link opens (/invitation/<key>/), which needs no login."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login as start_session
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from org import invitations as service
from org.access import require_membership, require_role
from org.access_forms import AccessFilterForm, ChoosePasswordForm, InviteManyForm, RoleForm
from org.account_views import refuse_key_guessing
from org.fragments import render_page_or_fragment
from org.middleware import SESSION_KEY
from org.models import PERSON_QUADRANTS, Invitation, Member, OrgMembership, Quadrant, Role
from org.single_sign_on import single_sign_on_for_email

PEOPLE_PER_PAGE = 50
ONLY_ADMINS = "Only the organization's admins can see and change who has access."


def require_access_admin(request: HttpRequest) -> OrgMembership:
    return require_role(request, Role.ADMIN, message=ONLY_ADMINS)


def get_person(request: HttpRequest, pk: int) -> Member:
    """A person of the admin's organization (404 for a team or anyone else's), for an admin."""
    organization = require_membership(request).organization
    person = get_object_or_404(Member, organization=organization, kind=Member.Kind.PERSON, pk=pk)
    require_access_admin(request)
    person.organization = organization  # the same row; spares a query
    return person


def get_invitation(request: HttpRequest, pk: int) -> Invitation:
    organization = require_membership(request).organization
    invitation = get_object_or_404(
        Invitation.objects.select_related("member"), organization=organization, pk=pk
    )
    require_access_admin(request)
    invitation.organization = invitation.member.organization = organization
    return invitation


def get_login(request: HttpRequest, pk: int) -> OrgMembership:
    organization = require_membership(request).organization
    login = get_object_or_404(
        OrgMembership.objects.select_related("user", "member"), organization=organization, pk=pk
    )
    require_access_admin(request)
    login.organization = organization
    return login


def link_maker(request: HttpRequest) -> Callable[[str], str]:
    return lambda key: request.build_absolute_uri(reverse("invitation_accept", args=[key]))


def send_or_warn(request: HttpRequest, sent: list) -> bool:
    """Mail the invitations; a mail server that fails leaves them saved, to be resent."""
    try:
        service.invitations_send(sent, link_maker(request))
    except (OSError, smtplib.SMTPException):
        messages.warning(
            request,
            "The invitation is saved, but the mail could not be sent. Try “Send again” later.",
        )
        return False
    return True


# --- the list ------------------------------------------------------------------------------------


@require_GET
def people(request: HttpRequest) -> HttpResponse:
    """Every active person with their login state, role and last sign-in; filtered, searched,
    paginated."""
    organization = require_access_admin(request).organization
    form = AccessFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid filter.")
    data = form.cleaned_data
    found = service.people_with_access(
        organization, q=data["q"], state=data["state"], role=data["role"]
    )
    page = Paginator(found, PEOPLE_PER_PAGE).get_page(data["page"])
    rows = service.access_of(organization, list(page.object_list))
    unlinked = []
    if page.number == 1 and data["state"] in ("", "active", "disabled"):
        unlinked = [
            service.Access(None, login, None)
            for login in service.logins_without_person(organization, q=data["q"], role=data["role"])
            if data["state"] != "disabled" or login.is_disabled
            if data["state"] != "active" or not login.is_disabled
        ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "unlinked": unlinked,
        "filtered": form.filtered,
    }
    return render_page_or_fragment(request, "org/access/people.html", context, fragment="#results")


# --- one person ----------------------------------------------------------------------------------


def render_access(
    request: HttpRequest,
    access: service.Access,
    *,
    role_form: RoleForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    initial_role = access.login.role if access.login else Role.MEMBER
    context = {
        "access": access,
        "person": access.member,
        "role_form": role_form or RoleForm(initial={"role": initial_role}),
        "error": error,
        "is_you": access.login is not None and access.login.user_id == request.user.pk,
        "days": service.INVITATION_DAYS,
    }
    return render(request, "org/access/person.html", context, status=status)


def access_page_of(login: OrgMembership) -> str:
    if login.member_id:
        return reverse("access:person", args=[login.member_id])
    return reverse("access:login", args=[login.pk])


@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_person(request, pk)
    return render_access(request, service.access_of_person(member.organization, member))


@require_GET
def login_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A login of the organization; one linked to a person is shown on the person's page."""
    login = get_login(request, pk)
    if login.member_id:
        return redirect("access:person", login.member_id)
    return render_access(request, service.Access(None, login, None))


def refused(request: HttpRequest, access: service.Access, error: ValidationError, **kw):
    return render_access(request, access, error=" ".join(error.messages), status=409, **kw)


@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_person(request, pk)
    form = RoleForm(request.POST)
    access = service.access_of_person(member.organization, member)
    if not form.is_valid():
        return render_access(request, access, role_form=form, status=400)
    try:
        invitation, key = service.invitation_create(
            member=member, role=form.cleaned_data["role"], by=request.user
        )
    except ValidationError as error:
        return refused(request, access, error, role_form=form)
    if send_or_warn(request, [(invitation, key)]):
        messages.success(request, f"Invited {member.name} ({invitation.email}).")
    return redirect("access:person", member.pk)


@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation(request, pk)
    try:
        key = service.invitation_resend(invitation=invitation, by=request.user)
    except ValidationError as error:
        member = invitation.member
        return refused(request, service.access_of_person(member.organization, member), error)
    if send_or_warn(request, [(invitation, key)]):
        messages.success(
            request, f"Sent a new link to {invitation.email}; the earlier one no longer works."
        )
    return redirect("access:person", invitation.member_id)


@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation(request, pk)
    try:
        service.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        member = invitation.member
        return refused(request, service.access_of_person(member.organization, member), error)
    messages.success(request, f"Withdrew the invitation of {invitation.member.name}.")
    return redirect("access:person", invitation.member_id)


def _login_access(login: OrgMembership) -> service.Access:
    if login.member_id:
        return service.access_of_person(login.organization, login.member)
    return service.Access(None, login, None)


@require_POST
def login_role(request: HttpRequest, pk: int) -> HttpResponse:
    login = get_login(request, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return render_access(request, _login_access(login), role_form=form, status=400)
    try:
        changed = service.login_set_role(
            login=login, role=form.cleaned_data["role"], by=request.user
        )
    except ValidationError as error:
        return refused(request, _login_access(login), error, role_form=form)
    messages.success(request, f"{service.login_name(changed)} is now {changed.get_role_display()}.")
    return redirect(access_page_of(login))


@require_POST
def login_disable(request: HttpRequest, pk: int) -> HttpResponse:
    login = get_login(request, pk)
    try:
        service.login_disable(login=login, by=request.user)
    except ValidationError as error:
        return refused(request, _login_access(login), error)
    messages.success(
        request,
        f"Turned off the access of {service.login_name(login)}: every session they had "
        "open here has ended.",
    )
    return redirect(access_page_of(login))


@require_POST
def login_enable(request: HttpRequest, pk: int) -> HttpResponse:
    login = get_login(request, pk)
    service.login_enable(login=login, by=request.user)
    messages.success(request, f"Turned the access of {service.login_name(login)} back on.")
    return redirect(access_page_of(login))


# --- many at once --------------------------------------------------------------------------------


def invitable_counts(organization) -> list[dict]:
    """Per quadrant of people: how many could be invited, and how many of them lack an email."""
    no_email = Q(email="")
    totals = (
        service.invitable_people(organization, [q.value for q in PERSON_QUADRANTS])
        .order_by()
        .aggregate(
            **{f"{q.value}_all": Count("pk", filter=Q(quadrant=q.value)) for q in PERSON_QUADRANTS},
            **{
                f"{q.value}_no_email": Count("pk", filter=Q(quadrant=q.value) & no_email)
                for q in PERSON_QUADRANTS
            },
        )
    )
    return [
        {
            "quadrant": Quadrant(q),
            "count": totals[f"{q.value}_all"],
            "without_email": totals[f"{q.value}_no_email"],
        }
        for q in PERSON_QUADRANTS
    ]


@require_http_methods(["GET", "POST"])
def invite_many(request: HttpRequest) -> HttpResponse:
    """Invite everyone of some quadrants who has no login yet, with one role."""
    organization = require_access_admin(request).organization
    status = 200
    if request.method == "POST":
        form = InviteManyForm(request.POST)
        if form.is_valid():
            done = service.invitations_create_many(
                organization=organization,
                quadrants=form.cleaned_data["quadrants"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
            role = Role(form.cleaned_data["role"]).label
            if send_or_warn(request, done.sent):
                count = len(done.sent)
                messages.success(
                    request,
                    f"Invited {count} {'person' if count == 1 else 'people'} as {role}.",
                )
            if done.without_email:
                names = ", ".join(p.name for p in done.without_email[:10])
                more = len(done.without_email) - 10
                messages.warning(
                    request,
                    f"Not invited, for want of an email address: {names}"
                    + (f" and {more} more." if more > 0 else "."),
                )
            return redirect(reverse("access:people") + "?state=invited")
        status = 400
    else:
        form = InviteManyForm()
    context = {"form": form, "counts": invitable_counts(organization)}
    return render(request, "org/access/invite_many.html", context, status=status)


# --- the invitation's link ------------------------------------------------------------------------


def _accept_mode(request: HttpRequest, invitation: Invitation) -> str:
    """What the page offers: a password for a new login, joining with the login the visitor is
    signed in with, logging in first, or logging out first (another login is signed in)."""
    user = request.user
    if user.is_authenticated:
        if (user.email or "").casefold() == invitation.email.casefold():
            return "join"
        return "other_login"
    if service.users_with_email(invitation.email).exists():
        return "log_in_first"
    return "new"


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def _invitation_accept(request: HttpRequest, key: str) -> HttpResponse:
    invitation = service.invitation_for_key(key)
    problem = service.invitation_problem(invitation)
    if problem:
        context = {
            "problem": problem,
            "message": service.INVITATION_PROBLEMS[problem],
            "token_fail": problem == "unknown",  # counted as a guess (refuse_key_guessing)
        }
        return TemplateResponse(
            request,
            "org/access/invitation_gone.html",
            context,
            status=404 if problem == "unknown" else 410,
        )
    mode = _accept_mode(request, invitation)
    form = ChoosePasswordForm(email=invitation.email, name=invitation.member.name)
    status, error = 200, ""
    if request.method == "POST":
        if mode == "new":
            form = ChoosePasswordForm(
                request.POST, email=invitation.email, name=invitation.member.name
            )
        if mode not in ("new", "join") or mode == "new" and not form.is_valid():
            status = 400
        else:
            try:
                login = service.invitation_accept(
                    invitation=invitation,
                    user=request.user if mode == "join" else None,
                    password=form.cleaned_data["password1"] if mode == "new" else "",
                )
            except ValidationError as refusal:
                status, error = 409, " ".join(refusal.messages)
            else:
                if mode == "new":
                    start_session(
                        request, login.user, backend="django.contrib.auth.backends.ModelBackend"
                    )
                request.session[SESSION_KEY] = login.organization_id
                messages.success(request, f"Welcome to {invitation.organization.name}.")
                return redirect("home")
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "mode": mode,
        "form": form,
        "error": error,
        "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
        "token_fail": False,
        "single_sign_on": _single_sign_on_of(invitation),
    }
    return TemplateResponse(request, "org/access/invitation_accept.html", context, status=status)


def _single_sign_on_of(invitation: Invitation) -> bool:
    """Whether the invited address signs in with the organization's identity provider (its
    domain is one of the organization's; org/single_sign_on.py honours the invitation)."""
    found = single_sign_on_for_email(invitation.email)
    return found is not None and found.organization_id == invitation.organization_id


invitation_accept = refuse_key_guessing(_invitation_accept)
