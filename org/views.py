"""Views for the organization's structure: switching organizations, health, people and teams."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from org.access import require_membership
from org.forms import MemberFilterForm
from org.middleware import SESSION_KEY, current_membership, load_memberships
from org.models import Member


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
    return redirect("org:member_list")


@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    """Make another of the user's organizations the current one."""
    raw = request.POST.get("organization", "")
    ids = {m.organization_id for m in load_memberships(request)}
    if not raw.isdigit() or int(raw) not in ids:
        return HttpResponseBadRequest("You do not belong to that organization.")
    request.session[SESSION_KEY] = int(raw)
    return redirect("home")


@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    """People and teams, grouped by quadrant, searchable and paginated."""
    membership = require_membership(request)
    form = MemberFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponseBadRequest("Invalid filter.")
    filters = form.cleaned_data if form.is_bound else {}
    members = (
        Member.objects.for_org(membership.organization)
        .search(filters.get("q") or "")
        .in_quadrant_order()
    )
    if filters.get("quadrant"):
        members = members.filter(quadrant=filters["quadrant"])
    if not filters.get("archived"):
        members = members.active_on(membership.organization.today())
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    template_name = "org/member_list.html"
    if request.htmx:
        template_name += "#results"
    context = {"form": form, "page": page, "can_edit": membership.can_edit_structure}
    return render(request, template_name, context)
