"""Pages for objectives, partnerships and their relationships; every read has an "as of" day.

Admins and leaders read everything and form and dissolve partnerships; managers change the
relationships they are an end of inside partnerships they belong to today; the chain of
command changes only through admins (partnerships/access.py has the rule); everyone else
reads the partnerships they belong to. A partnership the signed-in role may not read answers
404, like another organization's.
"""

from __future__ import annotations

import datetime
from html import escape

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from org import dates
from org.access import WHOLE_ORGANIZATION, get_member, require_membership, require_role
from org.forms import ArchiveForm, MoveForm, TeamPeopleForm
from org.fragments import render_page_or_fragment
from org.hrefs import href_maker
from org.models import Member, OrgMembership, Quadrant, QuadrantMove, Role, person_name
from org.undo import kept_id, offer_undo, removal_entry
from org.views import (
    add_service_errors,
    load_member,
    member_for_admin,
    member_saved,
    team_people_context,
)
from partnerships import access, selectors, services
from partnerships.corrections import removal_of
from partnerships.forms import (
    SIDES,
    AsOfForm,
    ChangesForm,
    DateForm,
    MemberSearchForm,
    MoveConfirmForm,
    ObjectiveForm,
    PartnershipFilterForm,
    PartnershipForm,
    RelationshipForm,
    TypePreviewForm,
    member_choices,
)
from partnerships.models import (
    Objective,
    Partnership,
    Relationship,
    RelationshipType,
    relationship_type_for,
    type_problem,
)

PAGE_SIZE = 25


def _get_partnership(request: HttpRequest, pk: int) -> tuple[OrgMembership, Partnership]:
    """A partnership the signed-in role may read, or 404."""
    membership = require_membership(request)
    partnership = get_object_or_404(
        Partnership.objects.visible_to(membership).select_related("objective"), pk=pk
    )
    return membership, partnership


def _get_partnership_to_relate(request: HttpRequest, pk: int) -> tuple[OrgMembership, Partnership]:
    """A partnership whose relationships the signed-in role may change (some of them, for a
    manager: partnerships/access.py); 404 or 403 otherwise."""
    membership, partnership = _get_partnership(request, pk)
    if not access.may_change_relationships(membership, partnership):
        raise PermissionDenied(
            "Leaders and admins, and managers who belong to this partnership today, change "
            "the relationships of an active partnership; the chain of command only admins."
        )
    return membership, partnership


def _as_of(request: HttpRequest, membership: OrgMembership) -> AsOfForm | None:
    form = AsOfForm(request.GET, organization=membership.organization)
    return form if form.is_valid() else None


# --- objectives ----------------------------------------------------------------------------


@require_GET
def objective_list(request: HttpRequest) -> HttpResponse:
    membership = require_membership(request)
    form = _as_of(request, membership)
    if form is None:
        return HttpResponseBadRequest("Invalid date.")
    day = form.day()
    context = {
        "form": form,
        "day": day,
        "objectives": selectors.objective_list(membership, day),
        "can_create": membership.sees_whole_organization,
    }
    return render(request, "partnerships/objective_list.html", context)


@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest) -> HttpResponse:
    membership = require_role(request, *WHOLE_ORGANIZATION)
    organization = membership.organization
    form = ObjectiveForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(
                organization=organization, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Objective “{objective.title}” created.")
            return redirect("partnerships:objective_detail", pk=objective.pk)
    return render(request, "partnerships/objective_form.html", {"form": form})


@require_GET
def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = require_membership(request)
    objective = get_object_or_404(
        Objective.objects.select_related("owner"), organization=membership.organization, pk=pk
    )
    form = _as_of(request, membership)
    if form is None:
        return HttpResponseBadRequest("Invalid date.")
    day = form.day()
    partnerships = selectors.partnership_list(
        membership, day=day, status=selectors.STATUS_ALL, objective=objective
    )
    context = {
        "objective": objective,
        "form": form,
        "day": day,
        "partnerships": partnerships,
        "today": membership.organization.today(),
        "can_create": membership.sees_whole_organization,
    }
    return render(request, "partnerships/objective_detail.html", context)


# --- partnerships --------------------------------------------------------------------------


@require_GET
def partnership_list(request: HttpRequest) -> HttpResponse:
    membership = require_membership(request)
    form = PartnershipFilterForm(request.GET, organization=membership.organization)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid filter.")
    day = form.day()
    partnerships = selectors.partnership_list(
        membership,
        day=day,
        status=form.cleaned_data["status"],
        objective=form.cleaned_data["objective"],
        member=form.cleaned_data["member"],
        member_query=form.cleaned_data["member_query"],
    )
    page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    without_member = query.copy()
    without_member.pop("member", None)
    context = {
        "form": form,
        "day": day,
        "today": membership.organization.today(),
        "page": page,
        "query": query.urlencode(),
        "without_member": without_member.urlencode(),
        "can_create": membership.sees_whole_organization,
    }
    return render_page_or_fragment(
        request, "partnerships/partnership_list.html", context, fragment="#results"
    )


@require_http_methods(["GET", "POST"])
def partnership_create(request: HttpRequest) -> HttpResponse:
    membership = require_role(request, *WHOLE_ORGANIZATION)
    organization = membership.organization
    initial = {}
    if "objective" in request.GET:  # preselects the option with that value, if there is one
        initial["objective"] = request.GET["objective"]
    form = PartnershipForm(request.POST or None, initial=initial, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            partnership = services.partnership_form(
                organization=organization, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Partnership “{partnership.name}” formed.")
            return redirect("partnerships:partnership_detail", pk=partnership.pk)
    return render(request, "partnerships/partnership_form.html", {"form": form})


# Relationships listed per channel on a partnership's page: the largest have thousands.
CHANNEL_PAGE_SIZE = 50


def _channel_pages(request: HttpRequest, map_) -> list[dict]:
    """Each channel's relationships a page at a time (?direct_page=2...), with the links to
    the pages around it; the other channels' pages and the day are kept in the links. The
    relationships shown are read in full in one query for all channels."""
    pages = []
    for channel in map_.channels:
        param = f"{channel.type}_page"
        page = Paginator(channel.relationships, CHANNEL_PAGE_SIZE).get_page(request.GET.get(param))

        def link(number: int, param: str = param, anchor: str = channel.type) -> str:
            query = request.GET.copy()
            query[param] = number
            return f"?{query.urlencode()}#channel-{anchor}"

        pages.append(
            {
                "channel": channel,
                "page": page,
                "previous": link(page.previous_page_number()) if page.has_previous() else "",
                "next": link(page.next_page_number()) if page.has_next() else "",
            }
        )
    shown = selectors.shown_relationships(
        map_.partnership, [row for entry in pages for row in entry["page"].object_list]
    )
    by_pk = {r.pk: r for r in shown}
    for entry in pages:
        entry["rows"] = [by_pk[row.pk] for row in entry["page"].object_list if row.pk in by_pk]
    return pages


def _rows_html(
    request: HttpRequest,
    partnership: Partnership,
    rows,
    *,
    can_add: bool,
    endable: set[int],
    today: datetime.date,
) -> str:
    """The rows of a channel's table, written here rather than by the template engine: a
    page of the channels has 150 of them, each with its links and end form. Every text is
    escaped (html.escape, as Django's escape)."""
    member_href = href_maker("partnerships:member_detail")
    end_href = href_maker("partnerships:relationship_end", partnership.pk)
    remove_href = href_maker("partnerships:relationship_remove", partnership.pk)
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
    today_iso = today.isoformat()
    labels = {q.value: escape(q.label) for q in Quadrant}
    days: dict[datetime.date, str] = {}

    def day(value: datetime.date | None) -> str:
        if value is None:
            return "—"
        if value not in days:
            days[value] = escape(dates.day(value))
        return days[value]

    parts = []
    for r in rows:
        from_name, to_name = escape(r.from_name), escape(r.to_name)
        from_q, to_q = escape(r.from_quadrant), escape(r.to_quadrant)
        parts.append(
            f'<tr>\n<td><a href="{escape(member_href(r.from_member_id))}"><bdi>{from_name}</bdi>'
            f'</a> <span class="quadrant-tag q-{from_q}">{labels.get(r.from_quadrant, from_q)}'
            "</span></td>\n"
            f'<td><a href="{escape(member_href(r.to_member_id))}"><bdi>{to_name}</bdi></a> '
            f'<span class="quadrant-tag q-{to_q}">{labels.get(r.to_quadrant, to_q)}</span></td>\n'
            f"<td>{escape(r.carries) if r.carries else '—'}</td>\n"
            f"<td>{day(r.starts_on)}</td>\n<td>{day(r.ends_on)}</td>\n"
        )
        if can_add and r.pk in endable:
            parts.append(
                f'<td>\n<form method="post" action="{escape(end_href(r.pk))}" class="end-form">'
                f"{csrf}\n"
                f'<label for="end-{r.pk}" class="visually-hidden">End <bdi>{from_name}</bdi> → '
                f"<bdi>{to_name}</bdi> on</label>\n"
                f'<input type="date" id="end-{r.pk}" name="on" value="{today_iso}" required>\n'
                '<button type="submit" class="button button-small button-secondary">End</button>'
                "\n</form>\n"
                f'<a class="remove-link" href="{escape(remove_href(r.pk))}">Remove<span '
                f'class="visually-hidden"> {from_name} → {to_name}</span></a>\n</td>\n'
            )
        elif can_add:
            parts.append("<td>\n</td>\n")
        parts.append("</tr>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _render_detail(
    request: HttpRequest,
    membership: OrgMembership,
    partnership: Partnership,
    *,
    day=None,
    as_of_form: AsOfForm | None = None,
    relationship_form: RelationshipForm | None = None,
    dissolve_form: DateForm | None = None,
    added: Relationship | None = None,
) -> HttpResponse:
    organization = membership.organization
    today = organization.today()
    day = day or today
    map_ = selectors.partnership_map(partnership, day)
    # Today's relationships the viewer is an end of: all that the access rules ask of them
    # (whether the viewer belongs), found without a row made for every relationship.
    loaded_today = map_.relationships.involving(membership.member_id) if day == today else None
    can_add = access.may_change_relationships(membership, partnership, loaded_today=loaded_today)
    if can_add and relationship_form is None:
        relationship_form = RelationshipForm(organization=organization)
    channel_pages = _channel_pages(request, map_)
    # The relationships shown that this person may end (a manager: those they are an end of).
    endable = {
        r.pk
        for entry in channel_pages
        for r in entry["rows"]
        if can_add
        and not access.relationship_refusal(
            membership, partnership, r.from_member_id, r.to_member_id, loaded_today=loaded_today
        )
    }
    for entry in channel_pages:
        entry["rows_html"] = _rows_html(
            request, partnership, entry["rows"], can_add=can_add, endable=endable, today=today
        )
    can_dissolve = access.may_dissolve(membership, partnership) and partnership.dissolved_on is None
    if can_dissolve and dissolve_form is None:
        dissolve_form = DateForm(organization=organization)
    context = {
        "partnership": partnership,
        "map": map_,
        "channel_pages": channel_pages,
        "day": day,
        "today": today,
        "as_of_form": as_of_form or AsOfForm(organization=organization),
        "can_add": can_add,
        "endable": endable,
        "relationship_form": relationship_form if can_add else None,
        "can_dissolve": can_dissolve,
        "can_remove": access.may_dissolve(membership, partnership),
        "dissolve_form": dissolve_form if can_dissolve else None,
        "added": added,
    }
    return render_page_or_fragment(
        request, "partnerships/partnership_detail.html", context, fragment="#map"
    )


@require_GET
def partnership_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership, partnership = _get_partnership(request, pk)
    form = _as_of(request, membership)
    if form is None:
        return HttpResponseBadRequest("Invalid date.")
    # The health page's cards open the form with its two names filled in (?from=..&to=..).
    prefill = {f"{side}_query": request.GET.get(side, "")[:100] for side in ("from", "to")}
    relationship_form = (
        RelationshipForm(organization=membership.organization, initial=prefill)
        if any(prefill.values())
        else None
    )
    return _render_detail(
        request,
        membership,
        partnership,
        day=form.day(),
        as_of_form=form,
        relationship_form=relationship_form,
    )


@require_POST
def partnership_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    membership, partnership = _get_partnership(request, pk)
    access.require_dissolve(membership, partnership)
    form = DateForm(request.POST, organization=membership.organization)
    if form.is_valid():
        try:
            ended = services.partnership_dissolve(
                partnership=partnership,
                on=form.cleaned_data["on"],
                by=request.user,
                acting=membership,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"“{partnership.name}” is dissolved from {dates.day(partnership.dissolved_on)}; "
                f"{ended} relationship{'' if ended == 1 else 's'} ended that day.",
            )
            return redirect("partnerships:partnership_detail", pk=partnership.pk)
    return _render_detail(request, membership, partnership, dissolve_form=form)


@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Without JavaScript the form posts here and the type shows on the page that follows."""
    membership, partnership = _get_partnership_to_relate(request, pk)
    if request.method == "GET":
        return redirect("partnerships:partnership_detail", pk=partnership.pk)
    form = RelationshipForm(request.POST, organization=membership.organization)
    added = None
    if form.is_valid():
        pair = form.relationship()
        refusal = access.relationship_refusal(
            membership, partnership, pair["from_member"].pk, pair["to_member"].pk
        )
        if refusal:
            form.add_error(None, refusal)
    if form.is_valid():
        try:
            added = services.relationship_add(
                partnership=partnership, by=request.user, acting=membership, **pair
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = (
                f"{added.from_member.name} → {added.to_member.name} added: {added.kind_phrase}."
            )
            if not request.htmx:
                messages.success(request, message)
                return redirect("partnerships:partnership_detail", pk=partnership.pk)
            form = RelationshipForm(organization=membership.organization)
    return _render_detail(request, membership, partnership, relationship_form=form, added=added)


@require_GET
def relationship_member_search(request: HttpRequest, pk: int, side: str) -> HttpResponse:
    """The active members matching one side's search text: an HTMX fragment for the add form.

    At most twenty, each a radio button; the member picked so far stays first and checked.
    """
    membership, _ = _get_partnership_to_relate(request, pk)
    if side not in SIDES:
        raise Http404("No such side.")
    form = MemberSearchForm(request.GET, side=side)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid search.")
    organization = membership.organization
    picked = None
    if form.picked_id():
        active = Member.objects.for_org(organization).active_on(organization.today())
        picked = active.filter(pk=form.picked_id()).first()
    choices = member_choices(organization, side, form.query(), picked)
    return render(request, "partnerships/_member_choices.html", {"choices": choices})


@require_GET
def relationship_type_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The type the two members picked so far would have: an HTMX fragment for the add form."""
    membership, partnership = _get_partnership_to_relate(request, pk)
    form = TypePreviewForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid members.")
    ids = [form.cleaned_data["from_member"], form.cleaned_data["to_member"]]
    members = Member.objects.for_org(membership.organization).in_bulk([i for i in ids if i])
    from_member, to_member = (members.get(i) if i else None for i in ids)
    context = {"from_member": from_member, "to_member": to_member, "type": None, "problem": ""}
    if from_member and to_member:
        context["problem"] = type_problem(from_member, to_member)
        if not context["problem"]:
            context["type"] = RelationshipType(
                relationship_type_for(from_member.quadrant, to_member.quadrant)
            )
    return render(request, "partnerships/_type_preview.html", context)


@require_POST
def relationship_end(request: HttpRequest, pk: int, relationship_pk: int) -> HttpResponse:
    membership, partnership = _get_partnership_to_relate(request, pk)
    relationship = get_object_or_404(partnership.relationships.with_members(), pk=relationship_pk)
    access.require_relationship_change(
        membership, partnership, relationship.from_member_id, relationship.to_member_id
    )
    form = DateForm(request.POST, organization=membership.organization)
    if form.is_valid() and form.cleaned_data["on"] == relationship.starts_on:
        # Ending it on the day it started: it never was.
        return _remove_relationship(request, membership, partnership, relationship)
    if form.is_valid():
        try:
            services.relationship_end(
                relationship=relationship,
                on=form.cleaned_data["on"],
                by=request.user,
                acting=membership,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"{relationship.from_member.name} → {relationship.to_member.name} ends on "
                f"{dates.day(relationship.ends_on)}.",
            )
    else:
        messages.error(request, "Give the date the relationship ends.")
    return redirect("partnerships:partnership_detail", pk=partnership.pk)


# --- changes and members -------------------------------------------------------------------


@require_GET
def changes(request: HttpRequest) -> HttpResponse:
    membership = require_role(request, *WHOLE_ORGANIZATION)
    form = ChangesForm(request.GET, organization=membership.organization)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid dates: " + " ".join(form.non_field_errors()))
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    result = selectors.changes_between(membership.organization, since, until)
    # Show the days compared, also when they were left to their defaults.
    form = ChangesForm(
        {"since": since.isoformat(), "until": until.isoformat()},
        organization=membership.organization,
    )
    context = {"form": form, "changes": result, "limit": selectors.CHANGES_LIMIT}
    return render_page_or_fragment(
        request, "partnerships/changes.html", context, fragment="#results"
    )


@require_GET
def member_partnerships(request: HttpRequest, pk: int) -> HttpResponse:
    membership = require_membership(request)
    member = get_member(request, pk)
    form = _as_of(request, membership)
    if form is None:
        return HttpResponseBadRequest("Invalid date.")
    day = form.day()
    context = {
        "member": member,
        "form": form,
        "day": day,
        "member_partnerships": selectors.member_partnerships(member, membership, day),
    }
    return render(request, "partnerships/member_partnerships.html", context)


# --- a member's page and moving a member between quadrants (which may end relationships) ---


@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One person or team: the facts, their teams or people, and the admin's actions."""
    membership, member = load_member(request, pk)
    today = membership.organization.today()
    context = {
        "member": member,
        "today": today,
        "day": today,
        "can_edit": membership.can_edit_structure,
        "moves": list(member.quadrant_moves.annotate(moved_by_name=person_name("moved_by"))),
        "member_partnerships": selectors.member_partnerships(member, membership, today),
    }
    if member.is_team:
        context.update(team_people_context(membership, member))
    else:
        context["teams"] = list(member.teams.order_by("name", "id"))
    return render(request, "org/member_detail.html", context)


@require_http_methods(["GET", "POST"])
def member_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a person to another quadrant; the move is kept in the member's history."""
    member = member_for_admin(request, pk)
    confirm = MoveConfirmForm()
    if request.method == "POST":
        form = MoveForm(request.POST)
        confirm = MoveConfirmForm(request.POST)
        if form.is_valid() and confirm.is_valid():
            try:
                # Refuses a move that would break relationships, listing them, until the
                # admin confirms ending them (partnerships keep the rule of types).
                move = services.member_move_checked(
                    member=member,
                    to_quadrant=form.cleaned_data["to_quadrant"],
                    on=form.cleaned_data["on"],
                    by=request.user,
                    end_conflicting=confirm.cleaned_data["end_conflicting"],
                    confirmed=confirm.cleaned_data["confirmed"],
                )
            except services.MoveBreaksRelationships as conflict:
                confirm = MoveConfirmForm(conflict=conflict)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                message = f"Moved {member.name} to {move.get_to_quadrant_display()}."
                return member_saved(request, member, message)
    else:
        form = MoveForm(initial={"on": member.organization.today()})
    context = {"form": form, "member": member, "confirm": confirm}
    return render_page_or_fragment(request, "org/member_move.html", context, fragment="#form")


@require_http_methods(["GET", "POST"])
def member_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then end the member's activity from the chosen day, with their team seats and
    open relationships."""
    member = member_for_admin(request, pk)
    if request.method == "POST":
        form = ArchiveForm(request.POST)
        if form.is_valid():
            try:
                services.member_archive(member=member, on=form.cleaned_data["on"], by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return member_saved(request, member, f"Archived {member.name}.")
    else:
        form = ArchiveForm(initial={"on": member.organization.today()})
    context = {"form": form, "member": member}
    return render_page_or_fragment(request, "org/member_archive.html", context, fragment="#form")


# --- corrections: remove what never happened (partnerships/corrections.py) -----------------


def _day(value) -> str:
    """A day as the rest of the site writes it (services write theirs the same way)."""
    return dates.day(value)


REMOVE_EXPLAINED = (
    "Removed, it disappears from every day, as if it had never been there; the audit trail "
    "keeps its values."
)


def _confirm_removal(request: HttpRequest, context: dict, *, refused: str = "") -> HttpResponse:
    """The confirmation page of a removal: what it is, what goes with it, or why it cannot go."""
    context = {"explained": REMOVE_EXPLAINED, "goes_with": [], "refusal": "", **context}
    if refused:
        context["refusal"] = refused
    return render(request, "partnerships/confirm_remove.html", context)


def _remove_relationship(
    request: HttpRequest,
    membership: OrgMembership,
    partnership: Partnership,
    relationship: Relationship,
) -> HttpResponse:
    name = f"{relationship.from_member.name} → {relationship.to_member.name}"
    try:
        entry = services.relationship_remove(
            relationship=relationship, by=request.user, acting=membership
        )
    except ValidationError as error:
        messages.error(request, f"{name} cannot be removed. " + " ".join(error.messages))
    else:
        offer_undo(
            request,
            f"{name} removed: it never happened.",
            reverse("partnerships:relationship_restore", args=[entry.pk]),
        )
    return redirect("partnerships:partnership_detail", pk=partnership.pk)


@require_http_methods(["GET", "POST"])
def relationship_remove(request: HttpRequest, pk: int, relationship_pk: int) -> HttpResponse:
    """Confirm, then remove a relationship added by mistake (who may end it may remove it)."""
    membership, partnership = _get_partnership_to_relate(request, pk)
    relationship = get_object_or_404(partnership.relationships.with_members(), pk=relationship_pk)
    access.require_relationship_change(
        membership, partnership, relationship.from_member_id, relationship.to_member_id
    )
    if request.method == "POST":
        return _remove_relationship(request, membership, partnership, relationship)
    context = {
        "title": "Remove this relationship?",
        "facts": [
            f"{relationship.from_member.name} → {relationship.to_member.name}: "
            f"{relationship.get_type_display().lower()}, in {partnership.name}",
            f"Since {_day(relationship.starts_on)}"
            + (f", until {_day(relationship.ends_on)}" if relationship.ends_on else ""),
        ],
        "instead": "To say it stopped on a day, end it instead: it stays in the history.",
        "action": request.path,
        "back": reverse("partnerships:partnership_detail", args=[partnership.pk]),
        "button": "Remove: it never happened",
    }
    refusal = removal_of(relationship).refusal("End it instead: its history stays.")
    return _confirm_removal(request, context, refused=refusal)


@require_POST
def relationship_restore(request: HttpRequest, entry_pk: int) -> HttpResponse:
    """Undo a relationship's removal, from the values its audit entry kept."""
    membership = require_membership(request)
    entry = removal_entry(membership, entry_pk, ["relationship"])
    partnership = get_object_or_404(
        Partnership.objects.visible_to(membership), pk=kept_id(entry, "partnership")
    )
    access.require_relationship_change(
        membership, partnership, kept_id(entry, "from_member"), kept_id(entry, "to_member")
    )
    try:
        restored = services.relationship_restore(entry=entry, by=request.user, acting=membership)
    except ValidationError as error:
        messages.error(request, "Nothing was put back. " + " ".join(error.messages))
    else:
        messages.success(
            request, f"{restored.from_member.name} → {restored.to_member.name} is back."
        )
    return redirect("partnerships:partnership_detail", pk=partnership.pk)


@require_http_methods(["GET", "POST"])
def partnership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then remove a partnership formed by mistake, with its relationships and
    planned sessions; refused once anything was held or logged (dissolve it then)."""
    membership, partnership = _get_partnership(request, pk)
    access.require_dissolve(membership, partnership)
    refusal = ""
    if request.method == "POST":
        try:
            services.partnership_remove(partnership=partnership, by=request.user, acting=membership)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, f"“{partnership.name}” removed: it never happened.")
            return redirect("partnerships:partnership_list")
    removal = removal_of(partnership)
    context = {
        "title": f"Remove “{partnership.name}”?",
        "facts": [
            f"Serves “{partnership.objective.title}”; formed on {_day(partnership.formed_on)}"
        ],
        "goes_with": removal.goes_with,
        "instead": "To say it stopped on a day, dissolve it instead: its history stays.",
        "action": request.path,
        "back": reverse("partnerships:partnership_detail", args=[partnership.pk]),
        "button": "Remove: it never happened",
    }
    return _confirm_removal(
        request,
        context,
        refused=refusal
        or removal.refusal("Dissolve it instead: it ends on a day and its history stays."),
    )


@require_http_methods(["GET", "POST"])
def objective_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then remove an objective created by mistake (leaders and admins)."""
    membership = require_membership(request)
    objective = get_object_or_404(Objective, organization=membership.organization, pk=pk)
    require_role(request, *WHOLE_ORGANIZATION)
    refusal = ""
    if request.method == "POST":
        try:
            entry = services.objective_remove(objective=objective, by=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            offer_undo(
                request,
                f"Objective “{objective.title}” removed: it never was.",
                reverse("partnerships:objective_restore", args=[entry.pk]),
            )
            return redirect("partnerships:objective_list")
    removal = removal_of(objective)
    context = {
        "title": f"Remove the objective “{objective.title}”?",
        "facts": [f"{objective.get_emphasis_display()}, from {_day(objective.starts_on)}"],
        "instead": "To say it is over, mark it dropped or achieved instead.",
        "action": request.path,
        "back": reverse("partnerships:objective_detail", args=[objective.pk]),
        "button": "Remove: it never happened",
    }
    return _confirm_removal(
        request,
        context,
        refused=refusal
        or removal.refusal(
            "Remove those first, or mark the objective dropped (or achieved) instead."
        ),
    )


@require_POST
def objective_restore(request: HttpRequest, entry_pk: int) -> HttpResponse:
    """Undo an objective's removal (leaders and admins), from the values its entry kept."""
    entry = removal_entry(require_membership(request), entry_pk, ["objective"])
    require_role(request, *WHOLE_ORGANIZATION)
    try:
        restored = services.objective_restore(entry=entry, by=request.user)
    except ValidationError as error:
        messages.error(request, "Nothing was put back. " + " ".join(error.messages))
        return redirect("partnerships:objective_list")
    messages.success(request, f"Objective “{restored.title}” is back.")
    return redirect("partnerships:objective_detail", pk=restored.pk)


@require_http_methods(["GET", "POST"])
def move_remove(request: HttpRequest, pk: int, move_pk: int) -> HttpResponse:
    """Confirm, then take back a quadrant move made by mistake (admins)."""
    member = member_for_admin(request, pk)
    move = get_object_or_404(QuadrantMove.objects.filter(member=member), pk=move_pk)
    refusal = ""
    if request.method == "POST":
        try:
            services.member_move_remove(move=move, by=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            return member_saved(
                request,
                member,
                f"The move of {member.name} is removed: back in {move.get_from_quadrant_display()}.",
            )
    problem = services.move_removal_problem(move, member)
    ended_that_day = (
        Relationship.objects.filter(organization_id=member.organization_id, ends_on=move.moved_on)
        .involving(member)
        .with_members()
    )
    stay_ended = [
        f"{r.from_member.name} → {r.to_member.name} ended that day and stays ended: add it "
        "again if it should go on."
        for r in ended_that_day
    ]
    context = {
        "title": f"Remove the move of {member.name}?",
        "facts": [
            f"{move.get_from_quadrant_display()} → {move.get_to_quadrant_display()} "
            f"on {_day(move.moved_on)}",
            f"{member.name} goes back to {move.get_from_quadrant_display()}, and their "
            "relationships in force from that day carry it again.",
            *stay_ended,
        ],
        "instead": "To say they moved again on a later day, move them instead.",
        "action": request.path,
        "back": reverse("partnerships:member_detail", args=[member.pk]),
        "button": "Remove the move: it never happened",
    }
    return _confirm_removal(
        request, context, refused=refusal or (" ".join(problem.messages) if problem else "")
    )


@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then remove a person or team added by mistake (admins)."""
    member = member_for_admin(request, pk)
    refusal = ""
    if request.method == "POST":
        try:
            services.member_remove(member=member, by=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, f"{member.name} removed: they never were.")
            return redirect("org:member_list")
    removal = removal_of(member)
    context = {
        "title": f"Remove {member.name}?",
        "facts": [
            f"{member.get_kind_display()} in {member.get_quadrant_display()}, active from "
            f"{_day(member.active_from)}"
        ],
        "goes_with": removal.goes_with,
        "instead": "To say they left on a day, archive them instead: they stay in the history.",
        "action": request.path,
        "back": reverse("partnerships:member_detail", args=[member.pk]),
        "button": "Remove: it never happened",
    }
    return _confirm_removal(
        request,
        context,
        refused=refusal or removal.refusal("Archive them instead: they stay in the history."),
    )


@require_POST
def team_seat(request: HttpRequest, pk: int) -> HttpResponse:
    """Seat a person on a team, or take them off, from its people section. Seating gives the
    team its direct line to them in Team stewardship unless the box is cleared; taking them
    off ends that line (on the day it began: removes it). Undo offers the opposite step."""
    team = member_for_admin(request, pk)
    if not team.is_team:
        raise Http404("Only teams have people.")
    membership = require_role(request, Role.ADMIN)
    form = TeamPeopleForm(request.POST, team=team)
    notice = ""
    undo: dict = {}
    if form.is_valid():
        person = form.cleaned_data["person"]
        adding = form.cleaned_data["action"] == TeamPeopleForm.ADD
        try:
            if adding:
                line = services.team_seat(
                    team=team,
                    person=person,
                    with_line=bool(request.POST.get("line")),
                    by=request.user,
                )
            else:
                line = services.team_unseat(team=team, person=person, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if adding:
                notice = f"Added {person.name}."
                if line is not None:
                    notice += f" {team.name} directs them in {line.partnership.name}."
            else:
                notice = f"Took {person.name} off the team."
                if line is not None:
                    notice += f" {team.name}'s line to them in {line.partnership.name} ended."
            undo = {
                "undo_action": TeamPeopleForm.REMOVE if adding else TeamPeopleForm.ADD,
                "undo_person": person,
                "undo_line": line is not None,
            }
            if not request.htmx:
                messages.success(request, notice)
                return redirect("org:member_people", pk=team.pk)
            form = None
    context = {
        "member": team,
        "notice": notice,
        **undo,
        **team_people_context(membership, team, form),
    }
    return render_page_or_fragment(
        request, "org/member_people.html", context, fragment="org/_team_people.html"
    )
