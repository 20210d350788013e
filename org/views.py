"""Views for the organization's structure: switching organizations, health, people and teams."""

from __future__ import annotations

import itertools
from operator import attrgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from org import services
from org.access import get_member, require_admin, require_membership
from org.forms import (
    MemberFilterForm,
    MemberForm,
    NewMemberKindForm,
    PeopleSearchForm,
    TeamPeopleForm,
)
from org.fragments import render_page_or_fragment
from org.middleware import SESSION_KEY, current_membership, load_memberships
from org.models import Member, OrgMembership, Quadrant


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Reports whether the database answers; 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse(
            {"status": "error", "database": str(exc.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        return render(request, "org/no_organization.html", status=403)
    if membership.sees_whole_organization:
        return redirect("diagram:diagram")  # leaders and admins start from the quadrant diagram
    if membership.member_id:
        return redirect("meetings:my_sessions")  # managers and members: their sessions this quarter
    return redirect("org:member_list")


@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    """Make another of the user's organizations the current one."""
    raw = request.POST.get("organization", "")
    ids = {str(m.organization_id): m.organization_id for m in load_memberships(request)}
    if raw not in ids:
        return HttpResponseBadRequest("You do not belong to that organization.")
    request.session[SESSION_KEY] = ids[raw]
    return redirect("home")


MEMBERS_PER_PAGE = 50


@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    """People and teams, grouped by quadrant, searchable and paginated."""
    membership = require_membership(request)
    organization = membership.organization
    form = MemberFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid filter.")
    filters = form.cleaned_data
    today = organization.today()
    members = Member.objects.for_org(organization).search(filters["q"])
    if not filters["archived"]:
        members = members.active_on(today)
    counts = members.count_by_quadrant()
    if filters["quadrant"]:
        members = members.filter(quadrant=filters["quadrant"])
    members = members.with_people_count().in_quadrant_order()
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(filters["page"])
    groups = [
        {"quadrant": Quadrant(q), "count": counts[q], "members": list(items)}
        for q, items in itertools.groupby(page.object_list, key=attrgetter("quadrant"))
    ]
    context = {
        "form": form,
        "page": page,
        "groups": groups,
        "quadrant_counts": [(q, counts[q.value]) for q in Quadrant],
        "total": sum(counts.values()),
        "filtered": bool(filters["q"] or filters["quadrant"]),
        "today": today,
        "can_edit": membership.can_edit_structure,
    }
    return render_page_or_fragment(request, "org/member_list.html", context, fragment="#results")


def load_member(request: HttpRequest, pk: int) -> tuple[OrgMembership, Member]:
    """The user's role and a member of their organization (404 for any other member)."""
    membership = require_membership(request)
    member = get_member(request, pk)
    member.organization = membership.organization  # the same row; spares a query
    return membership, member


def member_for_admin(request: HttpRequest, pk: int) -> Member:
    """The member (404 outside the organization), if the user may change the structure (403)."""
    _, member = load_member(request, pk)
    require_admin(request)
    return member


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: beside its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def member_saved(request: HttpRequest, member: Member, message: str) -> HttpResponse:
    """After a successful change: to the member's page (a client redirect for HTMX)."""
    messages.success(request, message)
    url = reverse("partnerships:member_detail", args=[member.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_http_methods(["GET", "POST"])
def member_new(request: HttpRequest) -> HttpResponse:
    """Add a person or a team (?kind=team starts with a team)."""
    membership = require_admin(request)
    organization = membership.organization
    if request.method == "POST":
        form = MemberForm(request.POST, organization=organization)
        if form.is_valid():
            try:
                member = services.member_create(
                    organization=organization, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return member_saved(request, member, f"Added {member.name}.")
    else:
        kind_form = NewMemberKindForm(request.GET)
        if not kind_form.is_valid():
            return HttpResponseBadRequest("Unknown kind of member.")
        kind = kind_form.cleaned_data["kind"] or Member.Kind.PERSON
        initial = {"kind": kind, "quadrant": Quadrant.TEAMS if kind == Member.Kind.TEAM else ""}
        form = MemberForm(organization=organization, initial=initial)
    context = {"form": form, "member": None}
    return render_page_or_fragment(request, "org/member_form.html", context, fragment="#form")


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_for_admin(request, pk)
    if request.method == "POST":
        form = MemberForm(request.POST, organization=member.organization, member=member)
        if form.is_valid():
            data = form.cleaned_data
            try:
                member = services.member_update(
                    member=member,
                    name=data["name"],
                    title=data["title"],
                    email=data["email"],
                    external_id=data["external_id"],
                    active_from=data["active_from"],
                    active_until=data["active_until"],
                    expected_version=data["version"] or None,
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return member_saved(request, member, f"Saved {member.name}.")
    else:
        form = MemberForm(organization=member.organization, member=member)
    context = {"form": form, "member": member}
    return render_page_or_fragment(request, "org/member_form.html", context, fragment="#form")


def _team_for_admin(request: HttpRequest, pk: int) -> Member:
    """The team (404 outside the organization, or for a person), if the user is an admin."""
    team = member_for_admin(request, pk)
    if not team.is_team:
        raise Http404("Only teams have people.")
    return team


def team_people_context(
    membership: OrgMembership, team: Member, form: TeamPeopleForm | None = None
) -> dict:
    can_edit = membership.can_edit_structure
    if can_edit and form is None:
        form = TeamPeopleForm(team=team)
    return {
        "team": team,
        "people": list(team.people.in_quadrant_order()),
        "today": membership.organization.today(),
        "can_edit": can_edit,
        "people_form": form,
    }


@require_GET
def member_people(request: HttpRequest, pk: int) -> HttpResponse:
    """A team's people. Its forms (add one, take one off, undo) post to the seat view of
    partnerships (partnerships:team_seat), which also gives or ends the team's direct line to
    them: a seat alone makes no relationship."""
    team = _team_for_admin(request, pk)
    membership = require_admin(request)
    context = {"member": team, **team_people_context(membership, team, None)}
    return render_page_or_fragment(
        request, "org/member_people.html", context, fragment="org/_team_people.html"
    )


@require_GET
def member_people_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The people matching the add form's search text: an HTMX fragment for a team's page.

    At most twenty active people not on the team yet, each a radio button; the person picked
    so far stays first and checked.
    """
    team = _team_for_admin(request, pk)
    form = PeopleSearchForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid search.")
    return render(request, "org/_people_choices.html", {"choices": form.choices(team)})
