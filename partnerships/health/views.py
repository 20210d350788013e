"""The partnership health page: where the message of an objective can be lost, and what to do.

Every role may read it. Admins and leaders see the whole organization; managers and members
see the analysis of the partnerships they belong to, as on the diagram. An objective this role
cannot see, or another organization's, answers 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from org.access import WHOLE_ORGANIZATION, require_membership, require_role
from org.fragments import render_page_or_fragment, wants_fragment
from org.models import OrgMembership, Quadrant
from partnerships import graph, rules, services
from partnerships.health import hooks
from partnerships.health.analysis import (
    ANY,
    NEVER,
    RISKS_SHOWN,
    RiskEntry,
    find_group,
    health_report,
    health_with_brokers,
    ranked_risks,
    remedy_plan,
    report_and_brokers,
    risk_trend,
)
from partnerships.health.forms import AcceptRiskForm, HealthFilterForm, RemedyForm
from partnerships.health.remedies import RiskGroup
from partnerships.models import AcceptedRisk

TEMPLATE = "health/health.html"
# How many cards the first screen shows; the rest wait behind "all risks".
CARDS_SHOWN = 10
SEVERITY_WORDS = {
    "high": "High: the message never arrives, or hangs on one member.",
    "medium": "Medium: it arrives, but through one channel only, or without a direct line.",
    "low": "Low: a gap in a partnership or a manager's reach, no member cut off.",
}

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
    # What `manage.py refresh_health` computed ahead is shown even when changes came since
    # (the page says so and offers them), unless the reader asked for the latest (live=1).
    live = request.GET.get("live") == "1"
    ahead = NEVER if live else ANY
    if compute_brokers:
        report, brokers = health_with_brokers(scope, ahead=ahead)
    else:
        report, brokers = report_and_brokers(scope, ahead=ahead)
    quadrant = form.cleaned_data["quadrant"] or None
    brokers_context = {
        "brokers": brokers,
        "broker_rows": [
            {"broker": broker, "quadrant": Quadrant(broker.quadrant)} for broker in brokers.ranked
        ]
        if brokers is not None
        else [],
        "brokers_href": reverse("health:brokers")
        + form.query(quadrant=quadrant, live=1 if live else None),
    }
    if compute_brokers and wants_fragment(request):
        return render_page_or_fragment(request, TEMPLATE, brokers_context, fragment="#brokers")
    page_number = form.cleaned_data.get("page") or 1
    if page_number > 1:  # past the first page, which the report holds
        every = ranked_risks(scope, quadrant)
        start = (page_number - 1) * RISKS_SHOWN
        risks, more = every[start : start + RISKS_SHOWN], max(0, len(every) - start - RISKS_SHOWN)
    else:
        risks, more = report.risks_in(quadrant)
    page = reverse("health:page")
    accepted = list(
        AcceptedRisk.objects.for_org(scope.organization).in_force_on(scope.organization.today())
    )
    cards = _cards(report.groups, accepted, membership, scope, form)
    risk_links = {q: page + form.query(quadrant=q, page=None) for q in graph.QUADRANTS}
    context = {
        "form": form,
        "scope": scope,
        "report": report,
        "risks": [_risk_row(entry) for entry in risks],
        "more_risks": more,
        "risks_shown": RISKS_SHOWN,
        "first_rank": (page_number - 1) * RISKS_SHOWN + 1,
        "next_page_href": page + form.query(risks="all", page=page_number + 1) if more else "",
        "previous_page_href": page + form.query(risks="all", page=page_number - 1)
        if page_number > 1
        else "",
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
        "all_risks_href": page + form.query(quadrant=None, risks="all", page=None),
        "cards": cards["shown"],
        "more_cards": cards["more"],
        "accepted": cards["accepted"],
        "severity_words": SEVERITY_WORDS,
        "show_all": bool(quadrant) or form.cleaned_data.get("risks") == "all",
        "all_list_href": page + form.query(risks="all"),
        **brokers_context,
        "freshness": _freshness(report),
        "live_href": page + form.query(live=1),
        "diagram_href": reverse("diagram:diagram") + form.query(quadrant=None),
        "trend_href": reverse("health:trend") + form.query(quadrant=None, risks=None),
        # issue 21: channels whose members missed two quarters of sessions running
        "weak": hooks.weak_channel_groups(scope.organization, scope.day),
    }
    return render_page_or_fragment(request, TEMPLATE, context, fragment="#report")


def _freshness(report) -> str:
    """ "just now", "12 minutes ago", "3 hours ago": when the analysis shown was computed."""
    if report.computed_at is None:
        return ""
    minutes = int((timezone.now() - report.computed_at).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    count, unit = (
        (minutes, "minute")
        if minutes < 60
        else (minutes // 60, "hour")
        if minutes < 48 * 60
        else (minutes // (24 * 60), "day")
    )
    return f"{count} {unit}{'' if count == 1 else 's'} ago"


@require_GET
def health_trend(request: HttpRequest) -> HttpResponse:
    """Per kind of risk, the scope's day against the end of the quarter before: a section
    htmx fetches once the page has loaded, or a page of its own without JavaScript."""
    membership = require_membership(request)
    form = HealthFilterForm(request.GET, membership=membership)
    if not form.is_valid():
        if form.names_unknown_objective:
            raise Http404("No such objective.")
        return HttpResponse("These filters cannot be used.", status=400)
    scope = form.scope()
    last_quarter_end, rows = risk_trend(scope)
    context = {"scope": scope, "trend": rows, "last_quarter_end": last_quarter_end}
    return render_page_or_fragment(
        request, "health/trend.html", context, fragment="#trend", status=200
    )


def _cards(groups, accepted, membership: OrgMembership, scope, form) -> dict:
    """The groups as cards: those accepted and still before their review apart, the first
    CARDS_SHOWN of the others, and what each card may offer this role today."""
    kept = {risk.key: risk for risk in accepted}
    acts = membership.sees_whole_organization and scope.day == scope.organization.today()
    objective = f"?objective={scope.objective.pk}" if scope.objective is not None else ""
    rows, aside = [], []
    for group in groups:
        row = {
            "group": group,
            "severity": group.severity.name.lower(),
            "more_named": group.count - len(group.named),
            "named": [
                {
                    "name": name,
                    "href": reverse(
                        "partnerships:partnership_detail"
                        if group.names_partnerships
                        else "partnerships:member_detail",
                        args=[pk],
                    ),
                }
                for pk, name in group.named
            ],
            "list_href": reverse("health:page")
            + form.query(quadrant=group.quadrant or None, risks="all")
            + "#risks",
            "remedy_href": reverse("health:remedy", args=[group.key]) + objective
            if acts and group.proposals
            else "",
            "accept_href": reverse("health:accept", args=[group.key]) + objective if acts else "",
            "form_href": _form_href(group) if acts else "",
        }
        if group.key in kept:
            aside.append({**row, "accepted": kept[group.key]})
        else:
            rows.append(row)
    return {"shown": rows[:CARDS_SHOWN], "more": len(rows) - CARDS_SHOWN, "accepted": aside}


def _form_href(group: RiskGroup) -> str:
    """The add-relationship form a card without proposals points to, filled in."""
    if group.prefill is None:
        return ""
    partnership, source, target = group.prefill
    query = urlencode({"from": source, "to": target})
    return reverse("partnerships:partnership_detail", args=[partnership]) + f"?{query}#add-heading"


def _acting_on_group(request: HttpRequest, key: str, data) -> tuple:
    """The leader or admin, their remedy form, and the card's group in today's analysis (404
    when no card has that key, or the objective is not this organization's)."""
    membership = require_role(
        request,
        *WHOLE_ORGANIZATION,
        message="Only the organization's leaders and admins act on its risks.",
    )
    form = RemedyForm(data, membership=membership)
    if not form.is_valid() and form.names_unknown_objective:
        raise Http404("No such objective.")
    group = find_group(health_report(form.scope()), key)
    if group is None:
        raise Http404("That risk is no longer on the health page.")
    return membership, form, group


@require_http_methods(["GET", "POST"])
def remedy(request: HttpRequest, key: str) -> HttpResponse:
    """A card's remedy: choose the partnership, see exactly what will be created, apply it
    in one transaction (audited as one entry), back to the health page."""
    data = request.POST if request.method == "POST" else request.GET
    membership, form, group = _acting_on_group(request, key, data)
    plan = None
    partnership = form.cleaned_data.get("partnership") if form.is_valid() else None
    if not group.proposals:  # the page says what to do instead
        partnership = None
        if request.method == "POST":
            form.add_error(None, "This risk has no relationships to apply: see its next step.")
    if partnership is not None:
        plan = remedy_plan(group, partnership, membership.organization.today())
        if request.method == "POST":
            applied = _apply(request, membership, form, plan)
            if applied is not None:
                return applied
    elif request.method == "POST" and form.is_valid() and group.proposals:
        form.add_error("partnership", "Choose the partnership these relationships serve.")
    context = {"form": form, "group": group, "plan": plan, "key": key, "in_card": request.htmx}
    status = 400 if form.errors else 200
    return render_page_or_fragment(
        request, "health/remedy.html", context, fragment="#remedy", status=status
    )


def _apply(request, membership, form, plan) -> HttpResponse | None:
    if form.cleaned_data["fingerprint"] != plan.fingerprint:
        form.add_error(None, "The map changed since this preview: check the new list, then apply.")
        return None
    if not plan.pairs:
        form.add_error(None, f"{plan.partnership.name} already holds every one of them.")
        return None
    try:
        created = services.relationships_add_many(
            partnership=plan.partnership,
            pairs=plan.pairs,
            starts_on=plan.day,
            by=request.user,
            acting=membership,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    count = len(created)
    messages.success(
        request,
        f"{count} relationship{'' if count == 1 else 's'} added to {plan.partnership.name}.",
    )
    # Back to the page with the analysis computed again, whatever was computed ahead: the
    # leader sees the risk the remedy closed go away.
    query = form.health_query()
    return redirect(reverse("health:page") + (f"{query}&live=1" if query else "?live=1"))


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, key: str) -> HttpResponse:
    """Accept a card's risk until a review date, for a reason (audited)."""
    membership, filters, group = _acting_on_group(request, key, request.GET)
    form = AcceptRiskForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_accept(
                organization=membership.organization,
                key=group.key,
                label=group.sentence,
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Accepted until {form.cleaned_data['review_on']:%d %b %Y}.")
            return redirect(reverse("health:page") + filters.health_query())
    context = {
        "form": form,
        "group": group,
        "key": key,
        "filters": filters,
        "in_card": request.htmx,
    }
    status = 400 if form.errors else 200
    return render_page_or_fragment(
        request, "health/accept.html", context, fragment="#accept", status=status
    )
