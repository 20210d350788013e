"""The partnership health page: where the message of an objective can be lost, and what to do.

Every role may read it. Admins and leaders see the whole organization; managers and members
see the analysis of the partnerships they belong to, as on the diagram. An objective this role
cannot see, or another organization's, answers 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from org.access import require_membership
from org.fragments import render_page_or_fragment, wants_fragment
from org.models import Quadrant
from partnerships import graph, rules
from partnerships.health.analysis import (
    RISKS_SHOWN,
    RiskEntry,
    health_with_brokers,
    report_and_brokers,
)
from partnerships.health.forms import HealthFilterForm

TEMPLATE = "health/health.html"

# The channels a member of each quadrant can hear through (leaders and managers: direct only).
_POSSIBLE = {q: len(rules.POSSIBLE_CHANNELS[q]) for q in rules.QUADRANTS}


def _risk_row(entry: RiskEntry) -> dict:
    risk = entry.risk
    if entry.member_id is not None:
        subject, href = (
            entry.member_name,
            reverse("partnerships:member_detail", args=[entry.member_id]),
        )
    else:
        subject = entry.partnership_name
        href = reverse("partnerships:partnership_detail", args=[risk.partnership_id])
    return {
        "entry": entry,
        "risk": risk,
        "subject": subject,
        "href": href,
        "severity": risk.severity.name.lower(),
        "next_step": risk.next_step[:1].upper() + risk.next_step[1:] + ".",
    }


def _quadrant_rows(report, risk_links: dict[str, str]) -> list[dict]:
    rows = []
    for quadrant in graph.QUADRANTS:
        summary = report.summary[quadrant]
        shares = [
            round(share * 100) if channels <= _POSSIBLE[quadrant] else None
            for channels, share in enumerate(summary.shares)
        ]
        rows.append(
            {
                "quadrant": Quadrant(quadrant),
                "members": summary.members,
                # Objectives start in leadership: its members are reached by definition, so
                # its channel counts would only read as missing channels.
                "by_definition": quadrant == graph.LEADERSHIP,
                "cells": list(zip(summary.by_channel_count, shares, strict=True)),
                "risks": report.risk_counts_by_quadrant.get(quadrant, 0),
                "risks_href": risk_links[quadrant],
            }
        )
    return rows


@require_GET
def health_page(request: HttpRequest) -> HttpResponse:
    """Headline numbers, channel coverage by quadrant, the ranked risks with a next step each,
    and the brokers, for the organization or one objective as of a day.

    The brokers take longer to find than everything else together on a large organization:
    unless they are cached, the page comes without them and htmx fetches them right after
    (health_brokers); without JavaScript, a link asks for the page with them."""
    return _health(request, compute_brokers=False)


@require_GET
def health_brokers(request: HttpRequest) -> HttpResponse:
    """The brokers section for htmx, or the whole page with the brokers found."""
    return _health(request, compute_brokers=True)


def _health(request: HttpRequest, *, compute_brokers: bool) -> HttpResponse:
    membership = require_membership(request)
    form = HealthFilterForm(request.GET, membership=membership)
    if not form.is_valid():
        if form.names_unknown_objective:
            raise Http404("No such objective.")
        context = {"form": form, "invalid": True}
        return render_page_or_fragment(request, TEMPLATE, context, fragment="#report", status=400)
    scope = form.scope()
    if compute_brokers:
        report, brokers = health_with_brokers(scope)
    else:
        report, brokers = report_and_brokers(scope)
    quadrant = form.cleaned_data["quadrant"] or None
    brokers_context = {
        "brokers": brokers,
        "broker_rows": [
            {"broker": broker, "quadrant": Quadrant(broker.quadrant)} for broker in brokers.ranked
        ]
        if brokers is not None
        else [],
        "brokers_href": reverse("health:brokers") + form.query(quadrant=quadrant),
    }
    if compute_brokers and wants_fragment(request):
        return render_page_or_fragment(request, TEMPLATE, brokers_context, fragment="#brokers")
    risks, more = report.risks_in(quadrant)
    page = reverse("health:page")
    risk_links = {q: page + form.query(quadrant=q) for q in graph.QUADRANTS}
    context = {
        "form": form,
        "scope": scope,
        "report": report,
        "risks": [_risk_row(entry) for entry in risks],
        "more_risks": more,
        "risks_shown": RISKS_SHOWN,
        "quadrant": Quadrant(quadrant) if quadrant else None,
        "quadrant_rows": _quadrant_rows(report, risk_links),
        "quadrant_links": [
            {
                "quadrant": Quadrant(q),
                "count": report.risk_counts_by_quadrant.get(q, 0),
                "href": risk_links[q],
                "current": q == quadrant,
            }
            for q in graph.QUADRANTS
        ],
        "all_risks_href": page + form.query(quadrant=None),
        **brokers_context,
        "diagram_href": reverse("diagram:diagram") + form.query(quadrant=None),
    }
    return render_page_or_fragment(request, TEMPLATE, context, fragment="#report")
