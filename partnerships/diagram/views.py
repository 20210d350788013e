"""The quadrant diagram pages: the box, its drill-down panels, search, one member's place,
a partnership's map, and the exports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from org import dates
from org.access import get_member, require_membership
from org.fragments import render_page_or_fragment, wants_fragment
from org.hrefs import href_maker
from org.models import Member, OrgMembership, Quadrant
from org.spreadsheets import attachment, csv_response
from partnerships import rules
from partnerships.diagram import drawing as diagram
from partnerships.diagram.forms import AsOfForm, DiagramFilterForm, SearchForm
from partnerships.diagram.selectors import (
    MAP_MEMBER_LIMIT,
    Counts,
    Person,
    cached_ego,
    diagram_counts,
    export_relationships,
    flow_relationships,
    flow_total,
    partnership_map,
    quadrant_members,
    quadrant_total,
    search_members,
)
from partnerships.health.analysis import UNREAD, data_version, health_url, quadrant_risk_counts
from partnerships.models import Partnership
from partnerships.scope import Scope

PANEL_PAGE_SIZE = 25
PANEL_TARGET = "#panel"


# --- helpers shared by the views ------------------------------------------------------------


def _filters(request: HttpRequest, membership: OrgMembership) -> DiagramFilterForm:
    return DiagramFilterForm(request.GET, membership=membership)


def _invalid(
    request: HttpRequest,
    form,
    template_name: str = "diagram/diagram.html",
    fragment: str = "#view",
    **context,
):
    """Bad filters: the form with its messages; 400, or 200 for htmx so that it swaps in."""
    context |= {"form": form, "invalid": True, "search_form": SearchForm()}
    return render_page_or_fragment(request, template_name, context, fragment=fragment, status=400)


def _overview(
    form: DiagramFilterForm,
    *,
    absolute=None,
    version: str | None = None,
    counts: Counts | None = None,
) -> diagram.Overview:
    """The aggregated box for the form's filters, with every part linking to its panel
    (counts cached under the data version when it is given, unless the caller has them)."""
    scope = form.scope()
    if counts is None:
        counts = diagram_counts(scope, version=version)
    query = form.query()
    link = absolute or (lambda url: url)
    return diagram.Overview.build(
        quadrant_counts=counts.quadrants,
        flow_counts=counts.flows,
        names=counts.names,
        quadrant_href={
            q: link(reverse("diagram:quadrant", args=[q]) + query) for q in rules.READING_ORDER
        },
        flow_href={
            (s, t): link(reverse("diagram:flow", args=[f"{s}{t}"]) + query)
            for s, t, _kind in (*rules.FLOWS, *rules.LOOPS)
        },
        title=_title(form),
    )


def _title(form: DiagramFilterForm) -> str:
    scope = form.scope()
    if scope.partnership is not None:
        subject = f"Partnership {scope.partnership.name}"
    elif scope.objective is not None:
        subject = f"Partnerships for {scope.objective.title}"
    elif scope.limited_to is not None:
        subject = "Your partnerships"
    else:
        subject = scope.organization.name
    return f"{subject}, as of {dates.day(scope.day)}"


def _risk_badges(form: DiagramFilterForm, version: str) -> dict[str, diagram.Badge]:
    """A badge on each quadrant that has risks, linking to them on the health page (which
    analyses the organization or an objective, not one partnership)."""
    scope = form.scope()
    if scope.partnership is not None:
        return {}
    counts = quadrant_risk_counts(scope, version=version)
    day = form.cleaned_data.get("as_of")
    return {
        q: diagram.Badge(
            n,
            f"{n} risk{'s' if n != 1 else ''} in {rules.QUADRANT_NAMES[q]}: see the "
            "partnership health",
            health_url(objective=scope.objective, day=day, quadrant=q),
        )
        for q, n in counts.items()
        if n
    }


def _diagram_context(
    form: DiagramFilterForm,
    selected: str = "",
    *,
    version: str | None = UNREAD,
    counts: Counts | None = None,
) -> dict:
    """The box for the form's filters; selected: the quadrant or flow whose panel is open.
    A caller that has read the data version, or the box's counts, passes them."""
    # One read of the data version serves the cached counts and the cached risk badges.
    if version == UNREAD:
        version = data_version(form.scope().organization)
    overview = replace(
        _overview(form, version=version, counts=counts),
        badges=_risk_badges(form, version),
        selected=selected,
    )
    query = form.query()
    return {
        "form": form,
        "scope": form.scope(),
        "overview": overview,
        "svg": mark_safe(render_overview_html(overview)),  # noqa: S308 - escaped in diagram.py
        "compact_svg": mark_safe(  # noqa: S308 - escaped in diagram.py
            diagram.render_compact(overview, panel_target=PANEL_TARGET)
        ),
        "query": query,
        "search_form": SearchForm(),
    }


def render_overview_html(overview: diagram.Overview) -> str:
    return diagram.render_overview(overview, panel_target=PANEL_TARGET)


def _parse_flow(flow: str) -> tuple[str, str]:
    if len(flow) != 2 or rules.type_for_quadrants(flow[0], flow[1]) is None:
        raise Http404("No such flow.")
    return flow[0], flow[1]


# --- the box and its panels -----------------------------------------------------------------


@require_GET
def diagram_page(request: HttpRequest) -> HttpResponse:
    """The organization as a box of four quadrants with the six flows between them."""
    membership = require_membership(request)
    form = _filters(request, membership)
    if not form.is_valid():
        return _invalid(request, form)
    context = _diagram_context(form)
    return render_page_or_fragment(request, "diagram/diagram.html", context, fragment="#view")


class _CountedPaginator(Paginator):
    """A paginator told its count (known already, or kept in the cache): a page costs its
    SELECT alone, not a COUNT over the whole list as well."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _panel_page(
    request: HttpRequest,
    scope: Scope,
    items,
    text: str,
    *,
    in_box: Callable[[Counts], int],
    total: Callable[[str | None], int],
):
    """The page of a drill-down list asked for, the data version read (or UNREAD) and the
    box's counts (or None) for the whole page to reuse.

    Without a search, the list holds what the box counts (in_box), so its count is not a
    COUNT over the whole list: the whole page reads it from the box's counts, which it
    shows anyway; the panel alone from the cache (`total`, given the version). A search's
    matches are counted."""
    version, counts = UNREAD, None
    whole_page = not wants_fragment(request)
    if whole_page or not text:  # one read of the data version serves the count and the box
        version = data_version(scope.organization)
    if text:
        paginator = Paginator(items, PANEL_PAGE_SIZE)
    elif whole_page:
        counts = diagram_counts(scope, version=version)
        paginator = _CountedPaginator(items, PANEL_PAGE_SIZE, count=in_box(counts))
    else:
        paginator = _CountedPaginator(items, PANEL_PAGE_SIZE, count=total(version))
    return paginator.get_page(request.GET.get("page")), version, counts


def _panel_response(
    request: HttpRequest,
    form: DiagramFilterForm,
    panel: dict,
    *,
    version: str | None = UNREAD,
    counts: Counts | None = None,
) -> HttpResponse:
    """A panel: the fragment for htmx (its results alone when searching), or the whole
    diagram page with the panel open (the data version and the box's counts passed on when
    the caller has them)."""
    fragment = "#panel_results" if request.htmx.target == "panel-results" else "#panel"
    if wants_fragment(request):  # the panel alone needs neither the box nor its counts
        context = {"form": form, "panel": panel, "query": form.query()}
    else:
        context = _diagram_context(
            form, selected=panel["selects"], version=version, counts=counts
        ) | {"panel": panel}
    return render_page_or_fragment(request, "diagram/diagram.html", context, fragment=fragment)


@require_GET
def quadrant_panel(request: HttpRequest, quadrant: str) -> HttpResponse:
    """The members a quadrant counts, searchable and paginated."""
    if quadrant not in rules.READING_ORDER:
        raise Http404("No such quadrant.")
    membership = require_membership(request)
    form = _filters(request, membership)
    if not form.is_valid():
        return _invalid(request, form)
    search = SearchForm(request.GET)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    scope = form.scope()
    page, version, counts = _panel_page(
        request,
        scope,
        quadrant_members(scope, quadrant, text),
        text,
        in_box=lambda counts: counts.quadrants[quadrant],
        total=lambda version: quadrant_total(scope, quadrant, version=version),
    )
    panel = {
        "kind": "quadrant",
        "quadrant": quadrant,
        "selects": quadrant,
        "title": rules.QUADRANT_NAMES[quadrant],
        "url": reverse("diagram:quadrant", args=[quadrant]),
        "search_form": search,
        "page": page,
    }
    return _panel_response(request, form, panel, version=version, counts=counts)


@require_GET
def flow_panel(request: HttpRequest, flow: str) -> HttpResponse:
    """The relationships an arrow counts, searchable and paginated."""
    source, target = _parse_flow(flow)
    membership = require_membership(request)
    form = _filters(request, membership)
    if not form.is_valid():
        return _invalid(request, form)
    search = SearchForm(request.GET)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    scope = form.scope()
    page, version, counts = _panel_page(
        request,
        scope,
        flow_relationships(scope, source, target, text),
        text,
        in_box=lambda counts: counts.flows.get((source, target), 0),
        total=lambda version: flow_total(scope, source, target, version=version),
    )
    kind = rules.type_for_quadrants(source, target)
    if source == target:
        title = f"Direct within {rules.QUADRANT_WORDS[source]}"
    else:
        title = (
            f"{rules.TYPE_NAMES[kind]}: {rules.QUADRANT_WORDS[source]} to "
            f"{rules.QUADRANT_WORDS[target]}"
        )
    panel = {
        "kind": "flow",
        "selects": flow,
        "type": kind,
        "legend": rules.LEGEND[kind],
        "title": title,
        "url": reverse("diagram:flow", args=[flow]),
        "search_form": search,
        "page": page,
    }
    return _panel_response(request, form, panel, version=version, counts=counts)


@require_GET
def member_search(request: HttpRequest) -> HttpResponse:
    """Members by name, title or team, as the user types in the diagram's search box."""
    membership = require_membership(request)
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render_page_or_fragment(
            request, "diagram/search.html", {"search_form": form}, fragment="#results", status=400
        )
    organization = membership.organization
    text = form.cleaned_data["q"]
    results = list(search_members(organization, organization.today(), text))
    context = {"search_form": form, "results": results, "text": text}
    return render_page_or_fragment(request, "diagram/search.html", context, fragment="#results")


# --- one member, one partnership ------------------------------------------------------------


def _node(member: Member | Person, href: Callable[[int], str], *, centre: bool = False):
    """A member in a drawing; href: the URL of a member's place (org.hrefs.href_maker)."""
    return diagram.Node(
        id=member.pk,
        quadrant=member.quadrant,
        name=member.name,
        href=href(member.pk),
        detail=member.title,
        centre=centre,
    )


def _edge(relationship, *, highlight: bool = False) -> diagram.Edge:
    return diagram.Edge(
        source=relationship.from_member_id,
        target=relationship.to_member_id,
        type=relationship.type,
        detail=relationship.carries,
        highlight=highlight,
    )


def _ego_drawing(place, member_href: Callable[[int], str]) -> tuple[str, int]:
    """The member at the centre, the partners on either side, the paths up to leadership.

    Returns the SVG and how many partners did not fit (they remain in the lists).
    """
    nodes = {place.member.pk: _node(place.member, member_href, centre=True)}
    for member in place.path_members.values():
        nodes.setdefault(member.pk, _node(member, member_href))
    path_ids = set(nodes)
    partners = [r.from_member for r in place.incoming] + [r.to_member for r in place.outgoing]
    room = dict.fromkeys(rules.READING_ORDER, diagram.network_capacity())
    for node in nodes.values():
        room[node.quadrant] -= 1
    left_out = 0
    for partner in partners:
        if partner.pk in nodes:
            continue
        if room[partner.quadrant] <= 0:
            left_out += 1
            continue
        room[partner.quadrant] -= 1
        nodes[partner.pk] = _node(partner, member_href)
    on_path = set(place.path_edge_types)
    edges = [
        _edge(r, highlight=(r.from_member_id, r.to_member_id) in on_path)
        for r in [*place.incoming, *place.outgoing]
    ]
    own_pairs = {(e.source, e.target) for e in edges}
    edges += [
        diagram.Edge(source=s, target=t, type=kind, highlight=True)
        for (s, t), kind in place.path_edge_types.items()
        if (s, t) not in own_pairs and s in path_ids and t in path_ids
    ]
    svg = diagram.render_network(
        list(nodes.values()), edges, title=f"{place.member.name} and their partners"
    )
    return svg, left_out


def _why_unreached(membership, member, place) -> dict | None:
    """Why no chain reaches a member who is not a leader, and where to fix it (None when one
    does): no relationship and no team seat, a seat that makes no relationship, or senders
    nobody reaches. Reads the member's seats only in the first two cases."""
    if member.quadrant == Quadrant.LEADERSHIP or place.paths:
        return None
    if place.incoming:
        return {"because": "senders", "teams": [], "href": reverse("health:page")}
    teams = (
        [] if member.is_team else [seat.team for seat in member.person_seats.select_related("team")]
    )
    if membership.can_edit_structure:
        href = (
            reverse("org:member_list") + "?quadrant=T"
            if not teams
            else reverse("org:member_people", args=[teams[0].pk])
        )
    else:
        href = reverse("health:page")
    return {"because": "seated" if teams else "nothing", "teams": teams, "href": href}


def _ego_lists(place, member_href: Callable[[int], str], query: str) -> dict:
    """The place's lists with each link written out: reversing a URL per line and step took
    longer than reading the place."""
    partnership_href = href_maker("partnerships:partnership_detail")

    def lines(by_type, partner: str):
        return [
            (
                kind,
                [
                    (
                        r,
                        member_href(getattr(r, partner).pk) + query,
                        partnership_href(r.partnership.pk),
                    )
                    for r in relationships
                ],
            )
            for kind, relationships in by_type
        ]

    return {
        "incoming": lines(place.incoming_by_type, "from_member"),
        "outgoing": lines(place.outgoing_by_type, "to_member"),
        "paths": [
            [(step, member_href(step.pk) + query) for step in path] for path in place.named_paths
        ],
    }


@require_GET
def member_place(request: HttpRequest, pk: int) -> HttpResponse:
    """One member at the centre: who directs, influences and guides them, whom they reach,
    and their shortest paths up to leadership."""
    membership = require_membership(request)
    member = get_member(request, pk)
    form = _filters(request, membership)
    if not form.is_valid():
        return _invalid(request, form, "diagram/member.html", "#map", member=member, query="")
    scope = form.scope()
    place = cached_ego(scope, member, version=data_version(scope.organization))
    member_href = href_maker("diagram:member")
    svg, left_out = _ego_drawing(place, member_href)
    query = form.query()
    context = {
        "form": form,
        "scope": scope,
        "member": member,
        "unreached": _why_unreached(membership, member, place),
        "place": place,
        "svg": mark_safe(svg),  # noqa: S308 - escaped in diagram.py
        "left_out": left_out,
        "query": query,
        "type_names": rules.TYPE_NAMES,
        **_ego_lists(place, member_href, query),
    }
    return render_page_or_fragment(request, "diagram/member.html", context, fragment="#map")


@require_GET
def partnership_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A partnership's members in their quadrants with their relationships as arrows; the
    aggregated box when there are too many to draw one by one."""
    membership = require_membership(request)
    partnership = get_object_or_404(
        Partnership.objects.visible_to(membership).select_related("objective"), pk=pk
    )
    form = AsOfForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "partnership": partnership}
        return render_page_or_fragment(
            request, "diagram/partnership.html", context, fragment="#map", status=400
        )
    scope = Scope.for_membership(
        membership, day=form.cleaned_data.get("as_of"), partnership=partnership
    )
    drawn = partnership_map(scope)
    if drawn.fits:
        member_href = href_maker("diagram:member")
        svg = diagram.render_network(
            [_node(m, member_href) for m in drawn.members],
            [_edge(r) for r in drawn.relationships],
            title=f"{partnership.name}, as of {dates.day(scope.day)}",
        )
        overview = None
    else:
        counts = diagram_counts(scope)
        overview = diagram.Overview.build(
            quadrant_counts=counts.quadrants,
            flow_counts=counts.flows,
            names=counts.names,
            title=f"{partnership.name}, as of {dates.day(scope.day)}",
        )
        svg = diagram.render_overview(overview)
    context = {
        "form": form,
        "partnership": partnership,
        "scope": scope,
        "drawn": drawn,
        "overview": overview,
        "svg": mark_safe(svg),  # noqa: S308 - escaped in diagram.py
        "limit": MAP_MEMBER_LIMIT,
    }
    return render_page_or_fragment(request, "diagram/partnership.html", context, fragment="#map")


# --- exports --------------------------------------------------------------------------------


@require_GET
def export_svg(request: HttpRequest) -> HttpResponse:
    """The current diagram as a standalone SVG file, its links pointing back here."""
    membership = require_membership(request)
    form = _filters(request, membership)
    if not form.is_valid():
        return _invalid(request, form)
    overview = _overview(form, absolute=request.build_absolute_uri)
    svg = diagram.standalone(diagram.render_overview(overview))
    return attachment(svg, f"partnership-diagram-{form.scope().day}.svg", "image/svg+xml")


CSV_HEADER = [
    "type",
    "from",
    "from quadrant",
    "to",
    "to quadrant",
    "partnership",
    "objective",
    "carries",
    "starts on",
    "ends on",
]


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """The relationships behind the current diagram, one row each."""
    membership = require_membership(request)
    form = _filters(request, membership)
    if not form.is_valid():
        return _invalid(request, form)
    scope = form.scope()
    names = rules.QUADRANT_NAMES
    rows = (
        (
            kind,
            source,
            names[source_q],
            target,
            names[target_q],
            partnership,
            objective,
            carries,
            starts.isoformat(),
            ends.isoformat() if ends else "",
        )
        for (
            kind,
            source,
            source_q,
            target,
            target_q,
            partnership,
            objective,
            carries,
            starts,
            ends,
        ) in export_relationships(scope).iterator(chunk_size=2000)
    )
    return csv_response(f"partnership-relationships-{scope.day}.csv", CSV_HEADER, rows)
