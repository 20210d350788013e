"""Pages of the leader's progress: the quarterly checklist of the 13 actions, the quarter's
measurements, the pulse given at a session, the success log and the dashboard, and their
CSV exports.

Who may do what:
* Leaders keep a checklist; a manager may opt in to keep one too. Nobody else has one.
* Admins and leaders enter and correct the satisfaction scores and objective values, see
  the dashboard and export measurements.
* Each attendee gives their own pulse; nobody sees an individual answer
  (meetings/progress/pulse_views.py).
* Everyone sees the successes shared with the organization; leaders and admins all of them,
  managers also those of their own partnerships (SessionSuccess.objects.visible_to, the one
  rule for the feed, a partnership's successes, a session's page and the CSV). Managers log
  and share successes of the partnerships they belong to today.
* Another organization's session, partnership or success is a 404.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, getcontext
from html import escape as html_escape

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetings.access import can_log, in_org_timezone, may_log_some
from meetings.models import (
    SCORE_SCALE,
    MeasurementChange,
    ObjectiveMeasurement,
    SatisfactionScore,
    ScoreKind,
    SessionSuccess,
)
from meetings.progress import chart_html, charts, selectors, services
from meetings.progress.forms import (
    ChecklistNoteForm,
    ChecklistStateForm,
    DirectSuccessForm,
    ObjectiveMeasurementForm,
    PageForm,
    QuarterForm,
    ScoreForm,
    ShareForm,
)
from meetings.quarters import Quarter
from meetings.services import StaleEdit
from org.access import LOGGING_ROLES, WHOLE_ORGANIZATION, require_membership, require_role
from org.fragments import render_page_or_fragment
from org.hrefs import href_maker
from org.models import OrgMembership, Role
from org.spreadsheets import csv_response
from partnerships import rules
from partnerships.models import Objective, Partnership

FEED_PAGE_SIZE = 20

# --- loaders that authorise ------------------------------------------------------------------


KEEPERS_ONLY = "Leaders keep the checklist, and managers who opted in."


def _require_checklist_keeper(request: HttpRequest) -> OrgMembership:
    membership = require_role(request, Role.LEADER, Role.MANAGER, message=KEEPERS_ONLY)
    if membership.role == Role.MANAGER and not selectors.opted_in(membership):
        raise PermissionDenied(KEEPERS_ONLY)
    return membership


def _quarter_from_key(membership: OrgMembership, key: str) -> Quarter:
    """A quarter from the URL, up to the current one; a later one is not there yet (404)."""
    quarters = selectors.past_quarter_choices(membership.organization)
    for quarter in quarters:
        if quarter.key == key:
            return quarter
    raise Http404("Pick one of the last eight quarters.")


def _pick_quarter(request: HttpRequest, membership: OrgMembership) -> Quarter | None:
    form = QuarterForm(
        request.GET or None, quarters=selectors.past_quarter_choices(membership.organization)
    )
    if form.is_bound and not form.is_valid():
        return None
    return form.quarter() if form.is_bound else form.default


# --- the checklist ---------------------------------------------------------------------------


def _checklist_context(membership: OrgMembership, quarter: Quarter, **extra) -> dict:
    page = selectors.checklist_page(membership, quarter)
    return {
        "page": page,
        "quarter": quarter,
        "progress": page.progress,
        "quarters": selectors.past_quarter_choices(membership.organization),
        "is_manager": membership.role == Role.MANAGER,
        "states": ChecklistStateForm.base_fields["state"].choices,
        **extra,
    }


@require_GET
def checklist(request: HttpRequest) -> HttpResponse:
    """My checklist of the 13 actions for a quarter (the current one unless asked)."""
    membership = require_membership(request)
    if membership.role == Role.MANAGER and not selectors.opted_in(membership):
        return render(request, "meetings/progress/opt_in.html", {})
    membership = _require_checklist_keeper(request)
    quarter = _pick_quarter(request, membership)
    if quarter is None:
        return HttpResponseBadRequest("Invalid quarter.")
    return render(
        request, "meetings/progress/checklist.html", _checklist_context(membership, quarter)
    )


def _checklist_changed(
    request: HttpRequest,
    membership: OrgMembership,
    quarter: Quarter,
    number: int,
    *,
    message: str = "",
    stale_message: str = "",
    note_form: ChecklistNoteForm | None = None,
    note_saved: bool = False,
) -> HttpResponse:
    """The action's row and, out of band, the progress by principle (HTMX); else the page."""
    if not request.htmx:
        if stale_message:
            messages.error(request, stale_message)
        elif message:
            messages.success(request, message)
        return redirect(f"{reverse('meetings:checklist')}?quarter={quarter.key}#checklist-{number}")
    page = selectors.checklist_page(membership, quarter)
    context = {
        "row": page.rows[number - 1],
        "quarter": quarter,
        "progress": page.progress,
        "states": ChecklistStateForm.base_fields["state"].choices,
        "stale_message": stale_message,
        "note_form": note_form,
        "note_saved": note_saved,
        "oob": True,
    }
    return render(request, "meetings/progress/checklist.html#changed", context)


@require_POST
def checklist_state(request: HttpRequest, quarter_key: str, number: int) -> HttpResponse:
    membership = _require_checklist_keeper(request)
    quarter = _quarter_from_key(membership, quarter_key)
    if not 1 <= number <= 13:
        return HttpResponseBadRequest("There are 13 actions.")
    form = ChecklistStateForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Pick not started, in progress or done.")
    item = services.checklist_item_set_state(
        membership=membership,
        quarter=quarter,
        number=number,
        state=form.cleaned_data["state"],
        by=request.user,
    )
    return _checklist_changed(
        request,
        membership,
        quarter,
        number,
        message=f"“{item.action.label}” is now {item.get_state_display().lower()}.",
    )


@require_POST
def checklist_note(request: HttpRequest, quarter_key: str, number: int) -> HttpResponse:
    membership = _require_checklist_keeper(request)
    quarter = _quarter_from_key(membership, quarter_key)
    if not 1 <= number <= 13:
        return HttpResponseBadRequest("There are 13 actions.")
    form = ChecklistNoteForm(request.POST, prefix=f"note-{number}")
    if not form.is_valid():
        if not request.htmx:
            return HttpResponseBadRequest(
                "; ".join(e for errs in form.errors.values() for e in errs)
            )
        return _checklist_changed(request, membership, quarter, number, note_form=form)
    try:
        services.checklist_item_save_note(
            membership=membership,
            quarter=quarter,
            number=number,
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
            by=request.user,
        )
    except StaleEdit as stale:
        if not request.htmx:
            messages.error(request, stale.message)
            return redirect(
                f"{reverse('meetings:checklist')}?quarter={quarter.key}#checklist-{number}"
            )
        return _checklist_changed(request, membership, quarter, number, stale_message=stale.message)
    return _checklist_changed(
        request, membership, quarter, number, message="Evidence saved.", note_saved=True
    )


@require_POST
def checklist_opt_in(request: HttpRequest) -> HttpResponse:
    membership = require_role(
        request, Role.MANAGER, message="Only managers opt in; leaders always keep the checklist."
    )
    if request.POST.get("keep") == "no":
        services.checklist_opt_out(membership=membership)
        messages.success(request, "You no longer keep the checklist; what you kept stays.")
        return redirect("meetings:my_sessions")
    services.checklist_opt_in(membership=membership)
    messages.success(request, "You keep the 13-action checklist from now on.")
    return redirect("meetings:checklist")


# --- measurements ----------------------------------------------------------------------------


def _measurement_context(membership: OrgMembership, quarter: Quarter, **forms) -> dict:
    page = selectors.measurements_page(membership.organization, quarter)
    score_forms = {
        kind: forms.get(f"score_{kind}") or ScoreForm(kind=kind, score=page.scores[kind])
        for kind in ScoreKind.values
    }
    objective_forms = [
        (
            line,
            forms.get(f"objective_{line.objective.pk}")
            or ObjectiveMeasurementForm(objective=line.objective, measurement=line.measurement),
        )
        for line in page.objectives
    ]
    return {
        "page": page,
        "quarter": quarter,
        "quarters": selectors.past_quarter_choices(membership.organization),
        "score_forms": score_forms,
        "objective_forms": objective_forms,
        "scale": SCORE_SCALE,
    }


@require_GET
@in_org_timezone
def measurements(request: HttpRequest) -> HttpResponse:
    """The quarter's satisfaction scores and objective values, to enter and correct."""
    membership = require_role(request, *WHOLE_ORGANIZATION)
    quarter = _pick_quarter(request, membership)
    if quarter is None:
        return HttpResponseBadRequest("Invalid quarter.")
    return render(
        request, "meetings/progress/measurements.html", _measurement_context(membership, quarter)
    )


def _measurement_saved(
    request: HttpRequest,
    membership: OrgMembership,
    quarter: Quarter,
    *,
    part: str,
    message: str = "",
    error: str = "",
    status: int = 200,
    **forms,
) -> HttpResponse:
    if not request.htmx and not forms and not error:
        messages.success(request, message)
        return redirect(f"{reverse('meetings:measurements')}?quarter={quarter.key}#{part}")
    context = _measurement_context(membership, quarter, **forms)
    context |= {"saved": message, "error": error}
    return render_page_or_fragment(
        request, "meetings/progress/measurements.html", context, fragment=f"#{part}", status=status
    )


@require_POST
@in_org_timezone
def score_set(request: HttpRequest, quarter_key: str, kind: str) -> HttpResponse:
    membership = require_role(request, *WHOLE_ORGANIZATION)
    quarter = _quarter_from_key(membership, quarter_key)
    if kind not in ScoreKind.values:
        return HttpResponseBadRequest("Unknown score.")
    current = SatisfactionScore.objects.filter(
        organization=membership.organization, kind=kind, quarter_start=quarter.start
    ).first()
    form = ScoreForm(request.POST, kind=kind, score=current)
    if form.is_valid():
        try:
            score = services.satisfaction_score_set(
                organization=membership.organization,
                kind=kind,
                quarter=quarter,
                value=form.cleaned_data["value"],
                version=form.cleaned_data["version"],
                user=request.user,
            )
        except StaleEdit as stale:
            return _measurement_saved(
                request, membership, quarter, part="scores", error=stale.message, status=409
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _measurement_saved(
                request,
                membership,
                quarter,
                part="scores",
                message=f"{score.get_kind_display()} for {quarter.label}: {score.value}.",
            )
    return _measurement_saved(
        request, membership, quarter, part="scores", status=400, **{f"score_{kind}": form}
    )


@require_POST
@in_org_timezone
def objective_value_set(request: HttpRequest, quarter_key: str, pk: int) -> HttpResponse:
    membership = require_membership(request)
    objective = get_object_or_404(Objective, organization=membership.organization, pk=pk)
    require_role(
        request, *WHOLE_ORGANIZATION
    )  # after the lookup: another organization's objective is a 404
    quarter = _quarter_from_key(membership, quarter_key)
    current = ObjectiveMeasurement.objects.filter(
        objective=objective, quarter_start=quarter.start
    ).first()
    form = ObjectiveMeasurementForm(request.POST, objective=objective, measurement=current)
    if form.is_valid():
        try:
            measured = services.objective_measurement_set(
                objective=objective,
                quarter=quarter,
                value=form.cleaned_data["value"],
                unit=form.cleaned_data["unit"],
                version=form.cleaned_data["version"],
                user=request.user,
            )
        except StaleEdit as stale:
            return _measurement_saved(
                request, membership, quarter, part="objectives", error=stale.message, status=409
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _measurement_saved(
                request,
                membership,
                quarter,
                part="objectives",
                message=f"{objective.title}: {measured.value.normalize():f} {measured.unit}.",
            )
    return _measurement_saved(
        request,
        membership,
        quarter,
        part="objectives",
        status=400,
        **{f"objective_{objective.pk}": form},
    )


# --- the success log -------------------------------------------------------------------------


def _page(request: HttpRequest, successes):
    form = PageForm(request.GET)
    if not form.is_valid():
        return None
    return Paginator(successes, FEED_PAGE_SIZE).get_page(form.cleaned_data["page"] or 1)


def _shareable_ids(membership: OrgMembership, successes) -> set[int]:
    """Which of these successes the person may share or take back: leaders and admins any;
    managers those of partnerships they belong to today."""
    if membership.sees_whole_organization:
        return {s.pk for s in successes}
    if membership.role != Role.MANAGER or membership.member_id is None:
        return set()
    ids = [s.pk for s in successes]
    mine = Partnership.objects.writable_by(membership)
    return set(
        SessionSuccess.objects.filter(pk__in=ids, partnership__in=mine).values_list("pk", flat=True)
    )


@require_GET
@in_org_timezone
def success_feed(request: HttpRequest) -> HttpResponse:
    """The organization's success log: what was shared with everyone (and, for leaders and
    admins, everything; for managers also their own partnerships'), newest first."""
    membership = require_membership(request)
    page = _page(request, selectors.success_feed(membership))
    if page is None:
        return HttpResponseBadRequest("Invalid page.")
    context = {
        "page": page,
        "partnership": None,
        "shareable": _shareable_ids(membership, page.object_list),
        "can_add": may_log_some(membership),
        "whole": membership.sees_whole_organization,
    }
    return render(request, "meetings/progress/successes.html", context)


@require_GET
@in_org_timezone
def partnership_successes(request: HttpRequest, pk: int) -> HttpResponse:
    """One partnership's successes, logged at its sessions or entered directly."""
    membership = require_membership(request)
    partnership = get_object_or_404(Partnership.objects.visible_to(membership), pk=pk)
    successes = selectors.success_feed(membership).filter(partnership=partnership)
    page = _page(request, successes)
    if page is None:
        return HttpResponseBadRequest("Invalid page.")
    context = {
        "page": page,
        "partnership": partnership,
        "shareable": _shareable_ids(membership, page.object_list),
        "can_add": can_log(membership, partnership),
        "whole": membership.sees_whole_organization,
    }
    return render(request, "meetings/progress/successes.html", context)


def _success_form_choices(membership: OrgMembership):
    """The partnerships the person may log a success for (those they belong to today, for a
    manager), and the objectives in play."""
    partnerships = list(Partnership.objects.writable_by(membership).order_by("name", "id"))
    objectives = list(
        Objective.objects.filter(
            organization=membership.organization,
            status__in=[Objective.Status.PLANNED, Objective.Status.ACTIVE],
        ).order_by("title", "id")
    )
    return partnerships, objectives


@require_http_methods(["GET", "POST"])
@in_org_timezone
def success_new(request: HttpRequest) -> HttpResponse:
    """Log a success directly, outside a session."""
    membership = require_role(
        request, *LOGGING_ROLES, message="Managers, leaders and admins log successes."
    )
    partnerships, objectives = _success_form_choices(membership)
    today = membership.organization.today()
    initial = {"happened_on": today}
    if "partnership" in request.GET:  # preselects the option with that value, if there is one
        initial["partnership"] = request.GET["partnership"]
    form = DirectSuccessForm(
        request.POST if request.method == "POST" else None,
        partnerships=partnerships,
        objectives=objectives,
        today=today,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        partnership = data["partnership"]
        try:
            services.success_create(
                partnership=partnership,
                objective=data["objective"] or partnership.objective,
                happened_on=data["happened_on"],
                text=data["text"],
                author=request.user,
                shared_with_organization=data["shared_with_organization"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Success logged.")
            return redirect("meetings:partnership_successes", pk=partnership.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "meetings/progress/success_form.html", {"form": form}, status=status)


@require_POST
@in_org_timezone
def success_share(request: HttpRequest, pk: int) -> HttpResponse:
    membership = require_membership(request)
    success = get_object_or_404(selectors.success_feed(membership), pk=pk)
    if success.pk not in _shareable_ids(membership, [success]):
        raise PermissionDenied("Only the partnership's managers and the leaders share it.")
    form = ShareForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid form.")
    success = services.success_set_shared(
        success=success, shared=form.cleaned_data["shared"], by=request.user
    )
    if not request.htmx:
        messages.success(
            request,
            "Shared with the whole organization."
            if success.shared_with_organization
            else "Now shown to its partnership only.",
        )
        back = reverse("meetings:partnership_successes", args=[success.partnership_id])
        return redirect(f"{back}#success-{success.pk}")
    context = {"success": success, "shareable": {success.pk}, "whole": True}
    return render(request, "meetings/progress/_success.html", context)


# --- the dashboard ---------------------------------------------------------------------------


def _dashboard_charts(board: selectors.Dashboard) -> dict:
    """The charts and matrices, and each written as HTML (chart_html: the template engine
    took longer over them than the rest of the page)."""
    charts = _dashboard_geometry(board)
    written = {
        f"{name}_html": chart_html.chart_html(charts[name], f"chart-{name.removesuffix('_chart')}")
        for name in ("example_chart", "sessions_chart", "successes_chart", "satisfaction_chart")
    }
    written["matrices_html"] = mark_safe(  # noqa: S308 - chart_html escapes every text
        "".join(chart_html.matrix_html(matrix) for matrix in charts["matrices"])
    )
    return charts | written


def _dashboard_geometry(board: selectors.Dashboard) -> dict:
    labels = [q.label for q in board.quarters]
    numbers = board.numbers
    principles = numbers[-1].checklist
    return {
        "example_chart": charts.line_chart(
            "Actions done, by principle (% of the principle's actions)",
            labels,
            [
                (p.label, [n.checklist[i].percent_done for n in numbers])
                for i, p in enumerate(principles)
            ],
            y_max=100,
            y_label="% done",
        ),
        "sessions_chart": charts.bar_chart(
            "Sessions held against due",
            labels,
            [("Due", [n.due for n in numbers]), ("Held", [n.held for n in numbers])],
            y_label="partnerships",
        ),
        "successes_chart": charts.bar_chart(
            "Successes logged and shared with the organization",
            labels,
            [
                ("Logged", [n.successes for n in numbers]),
                ("Shared", [n.shared for n in numbers]),
            ],
            y_label="successes",
        ),
        "satisfaction_chart": charts.line_chart(
            f"Satisfaction ({SCORE_SCALE})",
            labels,
            [
                (
                    "Customer satisfaction",
                    [float(n.customer) if n.customer is not None else None for n in numbers],
                ),
                (
                    "Employee satisfaction",
                    [float(n.employee) if n.employee is not None else None for n in numbers],
                ),
            ],
            y_max=100,
            y_label="score",
        ),
        "matrices": [
            charts.pulse_matrix(n.quarter.label, board.pulse_grid(n), rules.QUADRANT_NAMES)
            for n in numbers
        ],
    }


_CELL_HTML = {
    "n/a": '<td><span class="muted">—</span></td>',
    "none": '<td><span class="state-tag state-late">None</span></td>',
}


def _sessions_rows(lines: list[selectors.SessionsLine]) -> SafeString:
    """The sessions grid's rows, written in Python: a cell per partnership and quarter,
    hundreds of them, too many for the template engine's tags (html.escape, as Django's
    escape, without its lazy wrapper)."""
    rows = []
    known = dict(_CELL_HTML)
    for line in lines:
        cells = []
        for cell in line.cells:
            html = known.get(cell)
            if html is None:
                label = html_escape(capfirst(cell))
                html = (
                    f'<td><span class="status-tag status-{html_escape(cell)}">{label}</span></td>'
                )
                known[cell] = html
            cells.append(html)
        rows.append(f'<tr><th scope="row">{html_escape(line.name)}</th>{"".join(cells)}</tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 - fixed markup, escaped names and states


class _FloatFormat:
    """Django's floatformat filter with a whole number of places (the template's
    ``|floatformat:1``), the active language's number format read once for the dashboard's
    hundred numbers rather than for each one, as formats.number_format does: the same text
    (tests/progress/test_dashboard.py compares them)."""

    def __init__(self) -> None:
        language = get_language()
        self.separator = get_format("DECIMAL_SEPARATOR", language)
        self.grouping = get_format("NUMBER_GROUPING", language)
        self.thousands = get_format("THOUSAND_SEPARATOR", language)
        self.written: dict[tuple, str] = {}  # equal numbers are written alike

    def __call__(self, value, places: int) -> str:
        key = (value, places)
        if key not in self.written:
            self.written[key] = self._write(value, places)
        return self.written[key]

    def _write(self, value, places: int) -> str:
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            return floatformat(value, places)
        _, digits, exponent = d.as_tuple()
        if not d.is_finite() or len(digits) + abs(exponent) > 200:
            return floatformat(value, places)  # its text as it is
        whole = d == int(d)
        if whole and places <= 0:
            number, places = str(int(d)), 0
        else:
            # rounded half up to the places, with floatformat's precision (never too short)
            units = len(digits) + (exponent if whole else -exponent)
            context = Context(prec=max(getcontext().prec, abs(places) + units + 1))
            rounded = d.quantize(Decimal(1).scaleb(-abs(places)), ROUND_HALF_UP, context)
            number = f"{rounded:f}" if rounded else f"{abs(rounded):f}"  # no "-0.0"
            places = abs(places)
        return numberformat.format(
            number, self.separator, places, self.grouping, self.thousands, use_l10n=True
        )


def _objective_rows(trends: list[selectors.ObjectiveTrend]) -> SafeString:
    """The objectives' rows against their targets (Django's floatformat, as the template's
    filter), written here as the grid's rows are."""
    formatted = _FloatFormat()
    muted_dash = '<td><span class="muted">—</span></td>'
    rows = []
    for trend in trends:
        objective = trend.objective
        target = (
            f"{formatted(objective.target_value, -2)} "
            if objective.target_value is not None
            else ""
        )
        cells = []
        for value, percent in trend.cells:
            if value is None:
                cells.append(muted_dash)
                continue
            share = (
                f' <span class="muted">({percent}% of target)</span>' if percent is not None else ""
            )
            cells.append(f"<td>{formatted(value, -2)}{share}</td>")
        rows.append(
            f'<tr><th scope="row"><bdi>{html_escape(objective.title)}</bdi></th>'
            f'<td>{target}<span class="muted">{html_escape(objective.target_unit)}</span></td>'
            f"{''.join(cells)}</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - escaped titles and units, numbers


def _pulse_flow_rows(cells: list[selectors.PulseCell]) -> SafeString:
    """This quarter's rated quadrant pairs, the ones that fell most first."""
    formatted = _FloatFormat()
    rows = []
    for cell in cells:
        head = (
            f'<td><span class="quadrant-tag q-{html_escape(cell.rater)}">'
            f"{html_escape(cell.rater_name)}</span></td>"
            f'<td><span class="quadrant-tag q-{html_escape(cell.other)}">'
            f"{html_escape(cell.other_name)}</span></td>"
        )
        if cell.shown:
            if cell.change is None:
                change = '<span class="muted">new</span>'
            elif cell.weakening:
                change = f'<strong class="change-worse">▼ {formatted(cell.change, 2)}</strong>'
            elif cell.change > 0:
                change = f'<span class="change-better">▲ {formatted(cell.change, 2)}</span>'
            else:
                change = "same"
            body = (
                f"<td>{cell.count}</td><td>{formatted(cell.communication, 1)}</td>"
                f"<td>{formatted(cell.relationship, 1)}</td>"
                f"<td>{formatted(cell.overall, 1)}</td><td>{change}</td>"
            )
        else:
            body = f'<td colspan="5" class="muted">{html_escape(capfirst(cell.hidden_text))}</td>'
        weakening = ' class="is-weakening"' if cell.weakening else ""
        rows.append(f"<tr{weakening}>{head}{body}</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 - escaped names, numbers formatted


def _worth_cell(group: selectors.RatingGroup | None, formatted: _FloatFormat) -> str:
    if group is None:
        return '<td><span class="muted">—</span></td>'
    if group.shown:
        return f'<td>{formatted(group.average, 1)} <span class="muted">({group.raters})</span></td>'
    return f'<td><span class="muted">{html_escape(capfirst(group.hidden_text))}</span></td>'


def _worth_rows(board: selectors.Dashboard) -> SafeString:
    """ "Was it worth the time" for all partnerships, then for each one: a cell per quarter,
    written here as the sessions grid's are (the template engine took over 10 ms for the
    800 cells of 200 partnerships whose attendees rate their sessions)."""
    formatted = _FloatFormat()
    rows = [
        '<tr><th scope="row">All partnerships</th>'
        f"{''.join(_worth_cell(n.worth, formatted) for n in board.numbers)}</tr>"
    ]
    for line in board.worth:
        cells = "".join(_worth_cell(cell, formatted) for cell in line.cells)
        rows.append(f'<tr><th scope="row"><bdi>{html_escape(line.name)}</bdi></th>{cells}</tr>')
    return mark_safe("\n".join(rows))  # noqa: S308 - escaped names and texts, numbers formatted


def _gap_items(gaps: list[selectors.SessionsLine]) -> SafeString:
    """The partnerships that went a full quarter without a session, each linking to its
    page: written here with one reversed URL, as the grid's rows are."""
    href = href_maker("partnerships:partnership_detail")
    items = [
        f'<li><a href="{href(line.partnership_id)}"><bdi>{html_escape(line.name)}</bdi></a>: '
        f"{html_escape(', '.join(q.label for q in line.gap_quarters))}</li>"
        for line in gaps
    ]
    return mark_safe("\n".join(items))  # noqa: S308 - escaped names and labels


@require_GET
@in_org_timezone
def dashboard(request: HttpRequest) -> HttpResponse:
    """The leader's progress over the quarter and the three before it, in the three areas:
    the example (my checklist), integration (sessions held) and track and share (successes,
    objectives, satisfaction, the pulse)."""
    membership = require_role(request, *WHOLE_ORGANIZATION)
    quarter = _pick_quarter(request, membership)
    if quarter is None:
        return HttpResponseBadRequest("Invalid quarter.")

    def body(board: selectors.Dashboard) -> str:
        context = {
            "board": board,
            "quarter": quarter,
            "quarters": selectors.past_quarter_choices(membership.organization),
            "areas": selectors.AREAS,
            "progress": board.now.checklist,
            "session_rows": _sessions_rows(board.sessions),
            "gap_items": _gap_items(board.gaps),
            "objective_rows": _objective_rows(board.objectives),
            "pulse_flow_rows": _pulse_flow_rows(board.pulse_flows),
            "worth_rows": _worth_rows(board),
            **_dashboard_charts(board),
        }
        return render_to_string("meetings/progress/_dashboard_body.html", context)

    # The content is the same for every request of this leader, quarter, day and version of
    # the data (it holds no form token): written once, then read from the cache.
    html = selectors.cached_dashboard_html(
        membership, quarter, keeps_checklist=membership.role == Role.LEADER, render=body
    )
    keeps_checklist = membership.role == Role.LEADER
    context = {
        "quarter": quarter,
        "body": mark_safe(html),  # noqa: S308 - rendered by the template engine above
        # The figures behind the page, read (from the cache) only if something asks for them.
        "board": SimpleLazyObject(
            lambda: selectors.cached_dashboard(membership, quarter, keeps_checklist=keeps_checklist)
        ),
    }
    return render(request, "meetings/progress/dashboard.html", context)


# --- exports ---------------------------------------------------------------------------------


def _quarter_label(membership: OrgMembership, start) -> str:
    return Quarter.containing(start, membership.organization.fiscal_year_start_month).label


@require_GET
def export_measurements(request: HttpRequest) -> HttpResponse:
    """Every satisfaction score and objective value, with who last changed it."""
    membership = require_role(request, *WHOLE_ORGANIZATION)
    organization = membership.organization
    last_change = {}
    for change in (
        MeasurementChange.objects.filter(organization=organization, pulse__isnull=True)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    ):
        last_change[(change.score_id, change.measurement_id)] = change
    rows = []
    for score in SatisfactionScore.objects.filter(organization=organization).order_by(
        "quarter_start", "kind"
    ):
        change = last_change.get((score.pk, None))
        rows.append(
            [
                _quarter_label(membership, score.quarter_start),
                score.get_kind_display(),
                "",
                score.value,
                SCORE_SCALE,
                "",
                change.changed_by.get_username() if change and change.changed_by else "",
                score.updated_at.date().isoformat(),
            ]
        )
    for measured in (
        ObjectiveMeasurement.objects.filter(organization=organization)
        .select_related("objective")
        .order_by("quarter_start", "objective__title", "id")
    ):
        change = last_change.get((None, measured.pk))
        rows.append(
            [
                _quarter_label(membership, measured.quarter_start),
                "Objective",
                measured.objective.title,
                measured.value,
                measured.unit,
                measured.objective.target_value if measured.objective.target_value else "",
                change.changed_by.get_username() if change and change.changed_by else "",
                measured.updated_at.date().isoformat(),
            ]
        )
    header = [
        "quarter",
        "measure",
        "objective",
        "value",
        "unit_or_scale",
        "target",
        "last_changed_by",
        "last_changed_on",
    ]
    return csv_response("measurements.csv", header, rows)


@require_GET
def export_successes(request: HttpRequest) -> HttpResponse:
    """The successes the person may see, newest first."""
    membership = require_membership(request)
    rows = (
        [
            s.happened_on.isoformat(),
            s.partnership.name,
            s.objective.title,
            s.text,
            "session" if s.session_id else "entered directly",
            s.shared_by.name if s.shared_by else "",
            s.author.get_username() if s.author else "",
            "yes" if s.shared_with_organization else "no",
        ]
        for s in selectors.success_feed(membership)
    )
    header = [
        "date",
        "partnership",
        "objective",
        "success",
        "source",
        "whose",
        "logged_by",
        "shared_with_organization",
    ]
    return csv_response("successes.csv", header, rows)
