"""Scenario pages: the list, a scenario's before → after with its steps, the step forms, its
diagram, health and a member's place in it, apply, compare. Admins and leaders only."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from org import dates
from org.access import WHOLE_ORGANIZATION, require_membership, require_role
from org.audit import audit_record
from org.fragments import render_page_or_fragment
from org.models import Member, OrgMembership
from partnerships import graph, rules
from partnerships.diagram import drawing
from partnerships.diagram.selectors import paths_from_leadership
from partnerships.health.remedies import KIND_WORDS
from partnerships.models import Partnership
from scenarios import compare, services
from scenarios.apply import (
    ApplyRefused,
    find_conflicts,
    scenario_apply,
    too_late,
    who_may_apply,
)
from scenarios.facts import live_facts
from scenarios.forms import STEP_FORMS, STEP_TITLES, ScenarioForm
from scenarios.models import Scenario, ScenarioStep, StepKind
from scenarios.state import World

SCENARIOS_PER_PAGE = 25
ONLY = "Only the organization's admins and leaders draft and read scenarios."
# The state's error keys, as the step forms name their fields.
FIELD_OF = {
    "member": "member_query",
    "from_member": "member_query",
    "team": "member_query",
    "to_member": "other_query",
    "other": "other_query",
    "person": "other_query",
    "to_quadrant": "to_quadrant",
}


def _membership(request: HttpRequest) -> OrgMembership:
    return require_role(request, *WHOLE_ORGANIZATION, message=ONLY)


def _scenario(request: HttpRequest, pk: int) -> tuple[Scenario, OrgMembership]:
    """The scenario of the signed-in user's organization (404 for another's), then the role."""
    membership = require_membership(request)
    scenario = get_object_or_404(Scenario, organization=membership.organization, pk=pk)
    scenario.organization = membership.organization  # loaded with the role already
    return scenario, _membership(request)


_draft = services.require_draft


@require_http_methods(["GET", "POST"])
def scenario_list(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    organization = membership.organization
    form = ScenarioForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        scenario = form.save(commit=False)
        scenario.organization = organization
        scenario.created_by = request.user
        scenario.save()
        audit_record(
            by=request.user,
            action="created",
            obj=scenario,
            after={"name": scenario.name, "effective_on": scenario.effective_on.isoformat()},
        )
        messages.success(request, f"Scenario “{scenario.name}” created: add its first step.")
        return redirect("scenarios:detail", scenario.pk)
    scenarios = (
        Scenario.objects.for_org(organization)
        .annotate(step_count=Count("steps"))
        .order_by("status", "-created_at", "-pk")
    )
    page = Paginator(scenarios, SCENARIOS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "scenarios/list.html",
        {"form": form, "page": page, "scenarios": page.object_list},
        status=400 if form.errors else 200,
    )


def _steps(scenario: Scenario) -> list[ScenarioStep]:
    return list(scenario.steps.order_by("position"))


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario, membership = _scenario(request, pk)
    steps = _steps(scenario)
    found = brokers = None
    if scenario.is_draft:  # an applied scenario's changes are the live data now
        stamped = compare.stamp(scenario, steps)
        found = compare.cached_outcome(scenario, stamped=stamped, steps=steps)
        brokers = compare.brokers(scenario, if_cached=True, stamped=stamped)
    context = {
        "brokers": brokers,
        "scenario": scenario,
        "steps": steps,
        "outcome": found,
        "step_kinds": list(STEP_TITLES.items()),
        "apply_refusal": who_may_apply(scenario, steps, membership) if steps else "",
        "others": Scenario.objects.for_org(scenario.organization)
        .filter(status=Scenario.Status.DRAFT)
        .exclude(pk=scenario.pk)[:50],
    }
    return render(request, "scenarios/detail.html", context)


@require_http_methods(["GET", "POST"])
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    scenario, membership = _scenario(request, pk)
    _draft(scenario)
    before = {"name": scenario.name, "effective_on": scenario.effective_on.isoformat()}
    form = ScenarioForm(
        request.POST or None, instance=scenario, organization=membership.organization
    )
    if request.method == "POST" and form.is_valid():
        # The steps keep the facts recorded when they were drafted: a live change since
        # still refuses the apply (a copy drafts them again on today's data).
        with transaction.atomic():
            scenario = form.save()
            audit_record(
                by=request.user,
                action="changed",
                obj=scenario,
                before=before,
                after={"name": scenario.name, "effective_on": scenario.effective_on.isoformat()},
            )
        messages.success(request, "Scenario saved.")
        return redirect("scenarios:detail", scenario.pk)
    return render(
        request,
        "scenarios/rename.html",
        {"form": form, "scenario": scenario},
        status=400 if form.errors else 200,
    )


@require_POST
def copy(request: HttpRequest, pk: int) -> HttpResponse:
    scenario, _membership_ = _scenario(request, pk)
    with transaction.atomic():
        steps = _steps(scenario)
        day = max(scenario.effective_on, scenario.organization.today())
        twin = Scenario.objects.create(
            organization=scenario.organization,
            name=f"Copy of {scenario.name}"[:200],
            effective_on=day,
            created_by=request.user,
        )
        for step in steps:
            step.pk = None
            step.scenario = twin
            step.recorded = live_facts(step, day)
            step.save()
        audit_record(
            by=request.user,
            action="created",
            obj=twin,
            after={"name": twin.name, "copied_from": scenario.pk},
        )
    messages.success(request, f"Copied as “{twin.name}”: a draft you can change.")
    return redirect("scenarios:detail", twin.pk)


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    scenario, _membership_ = _scenario(request, pk)
    _draft(scenario)
    if request.method == "POST":
        with transaction.atomic():
            audit_record(
                by=request.user, action="removed", obj=scenario, before={"name": scenario.name}
            )
            scenario.delete()
        messages.success(request, f"Scenario “{scenario.name}” deleted. Live data is unchanged.")
        return redirect("scenarios:list")
    return render(
        request, "scenarios/delete.html", {"scenario": scenario, "count": scenario.steps.count()}
    )


@require_http_methods(["GET", "POST"])
def step_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    scenario, membership = _scenario(request, pk)
    _draft(scenario)
    form_class = STEP_FORMS.get(kind)
    if form_class is None:
        raise Http404("No such kind of step.")
    form = form_class(
        request.POST or None, organization=scenario.organization, day=scenario.effective_on
    )
    if request.method == "POST" and form.is_valid():
        world = compare.after_world(scenario)
        fields = form.step_fields()
        step = ScenarioStep(kind=form.cleaned_data.get("change") or form.kind, **fields)
        if step.kind == StepKind.END_RELATIONSHIP:
            _offer_relationships(form, world, step)
        if not form.errors:
            try:
                step = services.step_draft(
                    scenario=scenario, step=step, membership=membership, world=world
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for key, errors in error.error_dict.items():
                        form.add_error(FIELD_OF.get(key), errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, f"Step {step.position} added: {step.label}.")
                return redirect("scenarios:detail", scenario.pk)
    context = {
        "scenario": scenario,
        "form": form,
        "kind": kind,
        "title": STEP_TITLES[kind],
    }
    # Asked to pick among the matches is a step of the form, not a mistake: 200.
    refused = form.errors and not form.only_asks_to_pick
    return render(request, "scenarios/step_form.html", context, status=400 if refused else 200)


def _offer_relationships(form, world: World, step: ScenarioStep) -> None:
    """The found member's live relationships in the scenario, offered to pick the one to end."""
    member = form.cleaned_data["member"]
    offered = [
        (line.pk, world.line_words(line))
        for line in world.lines.values()
        if member.pk in (line.from_member, line.to_member) and line.pk > 0
    ]
    form.offer(offered)
    if not offered:
        form.add_error(
            "member_query",
            f"{member.name} has no live relationship active on the effective day in this scenario.",
        )
    elif step.relationship_id not in dict(offered):
        form.add_error("relationship", "Pick the relationship to end.")


@require_POST
def step_remove(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    scenario, _membership_ = _scenario(request, pk)
    _draft(scenario)
    step = get_object_or_404(ScenarioStep, scenario=scenario, pk=step_pk)
    with transaction.atomic():
        step.delete()
        for position, later in enumerate(scenario.steps.order_by("position"), start=1):
            if later.position != position:
                later.position = position
                later.save(update_fields=["position"])
        audit_record(
            by=request.user, action="step removed", obj=scenario, before={"label": step.label}
        )
    messages.success(request, f"Step removed: {step.label}.")
    return redirect("scenarios:detail", scenario.pk)


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    scenario, membership = _scenario(request, pk)
    _draft(scenario)
    steps = _steps(scenario)
    refusal = who_may_apply(scenario, steps, membership)
    if refusal:
        raise PermissionDenied(refusal)
    conflicts = find_conflicts(scenario, steps)
    late = too_late(scenario)
    if request.method == "POST" and steps and not conflicts and not late:
        try:
            scenario_apply(scenario=scenario, membership=membership)
        except ApplyRefused as refused:
            conflicts = refused.conflicts
        else:
            messages.success(
                request,
                f"Scenario “{scenario.name}” applied as of its effective date: "
                f"{len(steps)} step{'s' if len(steps) != 1 else ''}, one change set in the "
                "audit trail.",
            )
            return redirect("scenarios:detail", scenario.pk)
    status = 409 if request.method == "POST" and (conflicts or late or not steps) else 200
    return render(
        request,
        "scenarios/apply.html",
        {"scenario": scenario, "steps": steps, "conflicts": conflicts, "too_late": late},
        status=status,
    )


@require_GET
def diagram(request: HttpRequest, pk: int) -> HttpResponse:
    scenario, _membership_ = _scenario(request, pk)
    counts = compare.diagram_counts(scenario)
    overview = drawing.Overview.build(
        quadrant_counts=counts.quadrants,
        flow_counts=counts.flows,
        names=counts.names,
        title=f"Scenario {scenario.name}, as of {dates.day(scenario.effective_on)}",
    )
    query = request.GET.get("q", "").strip()[:100]
    matches = compare.search(scenario, query) if query else []
    return render(
        request,
        "scenarios/diagram.html",
        {
            "scenario": scenario,
            "overview": overview,
            "svg": mark_safe(drawing.render_overview(overview)),  # noqa: S308 - escaped there
            "compact_svg": mark_safe(drawing.render_compact(overview)),  # noqa: S308
            "query": query,
            "matches": matches,
        },
    )


@require_GET
def health(request: HttpRequest, pk: int) -> HttpResponse:
    scenario, _membership_ = _scenario(request, pk)
    before, after = compare.health_reports(scenario)
    kinds = [
        (
            words,
            before.risk_counts_by_kind.get(str(kind), 0),
            after.risk_counts_by_kind.get(str(kind), 0),
        )
        for kind, words in KIND_WORDS.items()
    ]
    return render(
        request,
        "scenarios/health.html",
        {
            "scenario": scenario,
            "before": before,
            "after": after,
            "kinds": [row for row in kinds if row[1] or row[2]],
        },
    )


@require_GET
def brokers(request: HttpRequest, pk: int) -> HttpResponse:
    """Who carries the most paths, before and after: loaded after the page (it takes the
    longest to work out), or a page of its own without JavaScript."""
    scenario, _membership_ = _scenario(request, pk)
    context = {"scenario": scenario, "brokers": compare.brokers(scenario)}
    return render_page_or_fragment(
        request, "scenarios/brokers.html", context, fragment="scenarios/_brokers.html"
    )


@dataclasses.dataclass
class Place:
    name: str
    quadrant: str
    incoming: list[str]
    outgoing: list[str]
    paths: list[list[str]]


def place_in(world: World, member_pk: int) -> Place | None:
    person = world.members.get(member_pk)
    if person is None or not person.active:
        return None
    edges = [(line.from_member, line.to_member) for line in world.lines.values()]
    leaders = {pk for pk, p in world.members.items() if p.quadrant == rules.LEADERSHIP}
    paths = paths_from_leadership(edges, leaders, member_pk)
    return Place(
        name=person.name,
        quadrant=rules.QUADRANT_NAMES[person.quadrant],
        incoming=sorted(
            world.line_words(line) for line in world.lines.values() if line.to_member == member_pk
        ),
        outgoing=sorted(
            world.line_words(line) for line in world.lines.values() if line.from_member == member_pk
        ),
        paths=[[world.name(pk) for pk in path] for path in paths],
    )


@require_GET
def member_place(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    scenario, _membership_ = _scenario(request, pk)
    before, after, _done, _problems = compare.worlds(scenario)
    member = get_object_or_404(Member, organization=scenario.organization, pk=member_pk)
    return render(
        request,
        "scenarios/member.html",
        {
            "scenario": scenario,
            "member": member,
            "places": [
                ("Live", place_in(before, member_pk)),
                ("In the scenario", place_in(after, member_pk)),
            ],
        },
    )


@dataclasses.dataclass
class PartnershipSide:
    by_type: list[tuple[str, list[str]]]
    triads: list[str]
    count: int


def partnership_in(world: World, partnership_pk: int) -> PartnershipSide:
    lines = [line for line in world.lines.values() if line.partnership == partnership_pk]
    edges = [(line.from_member, line.to_member, line.type) for line in lines]
    return PartnershipSide(
        by_type=[
            (
                rules.TYPE_NAMES[kind],
                sorted(world.line_words(line) for line in lines if line.type == kind),
            )
            for kind in (rules.DIRECT, rules.INFLUENTIAL, rules.GUIDANCE)
        ],
        triads=sorted(
            ", ".join(world.name(pk) for pk in triad["members"])
            for triad in graph.complete_triads(edges)
        ),
        count=len(lines),
    )


@require_GET
def partnership_page(request: HttpRequest, pk: int, partnership_pk: int) -> HttpResponse:
    """A partnership's relationships by channel and its complete triads, live and in the
    scenario."""
    scenario, _membership_ = _scenario(request, pk)
    partnership = get_object_or_404(
        Partnership, organization=scenario.organization, pk=partnership_pk
    )
    before, after, _done, _problems = compare.worlds(scenario)
    return render(
        request,
        "scenarios/partnership.html",
        {
            "scenario": scenario,
            "partnership": partnership,
            "sides": [
                ("Live", partnership_in(before, partnership.pk)),
                ("In the scenario", partnership_in(after, partnership.pk)),
            ],
        },
    )


@require_GET
def compare_page(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    scenarios = list(
        Scenario.objects.for_org(membership.organization).filter(status=Scenario.Status.DRAFT)
    )
    by_pk = {str(s.pk): s for s in scenarios}
    picked = [by_pk[k] for k in (request.GET.get("a", ""), request.GET.get("b", "")) if k in by_pk]
    outcomes = [(s, compare.cached_outcome(s)) for s in picked]
    return render(
        request,
        "scenarios/compare.html",
        {
            "scenarios": scenarios,
            "outcomes": outcomes,
            "a": request.GET.get("a", ""),
            "b": request.GET.get("b", ""),
        },
    )
