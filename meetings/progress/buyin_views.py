"""The buy-in page (issue 21): a person sees their own; a facilitator their partnership's
members, with a decline over two quarters flagged; leaders and admins only sums by
partnership and quadrant, for groups of at least k people (meetings/progress/buyin.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from meetings.access import in_org_timezone
from meetings.progress import buyin, selectors
from meetings.progress.forms import QuarterForm
from org.access import require_membership


@require_GET
@in_org_timezone
def buy_in_page(request: HttpRequest) -> HttpResponse:
    membership = require_membership(request)
    organization = membership.organization
    choices = selectors.past_quarter_choices(organization)
    form = QuarterForm(request.GET or None, quarters=choices)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest("Invalid quarter.")
    quarter = form.quarter() if form.is_bound else form.default
    quarters = selectors.quarters_up_to(quarter)
    member = membership.member if membership.member_id is not None else None
    mine = None
    facilitated = []
    if member is not None:
        (mine,) = buyin.buy_in(organization, quarters, member_ids=[member.pk]) or [None]
        for partnership in buyin.facilitated(organization, member, quarters):
            people = buyin.buy_in(organization, quarters, partnership_ids=[partnership.pk])
            facilitated.append((partnership, people))
    by_partnership = by_quadrant = None
    if membership.sees_whole_organization:
        by_partnership, by_quadrant = buyin.groups(organization, quarter)
    context = {
        "quarter": quarter,
        "quarters": choices,
        "trend": quarters,
        "mine": mine,
        "facilitated": facilitated,
        "by_partnership": by_partnership,
        "by_quadrant": by_quadrant,
        "k": selectors.min_raters(organization),
    }
    return render(request, "meetings/progress/buy_in.html", context)
