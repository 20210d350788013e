"""The pulse, given by each person and shown to nobody one by one (issue 21).

* An attendee of a held session gives their own pulse once: was the session worth its time
  (1-5), and how each other quadrant of the partnership communicates and relates (seven 1-5
  ratings each). With their login on the session's pulse page, or, without a login, through
  the signed single-use link in the reminder mail (meetings/progress/links.py).
* Everyone who may see the session sees the partnership's pulse for the quarter, and leaders
  and admins the dashboard and the CSV: every group of answers only from k distinct raters
  (Organization.pulse_min_raters), otherwise "fewer than k answers". Nobody, facilitators
  and admins included, sees an individual's answer: none is ever handed to a template.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from meetings.access import in_org_timezone, load_session
from meetings.models import PULSE_FIELDS, PulseGiven, Session
from meetings.progress import selectors, services
from meetings.progress.forms import OwnPulseForm
from meetings.progress.links import pulse_link_target
from meetings.quarters import Quarter
from org import once
from org.access import WHOLE_ORGANIZATION, require_role
from org.models import Member, OrgMembership
from org.spreadsheets import csv_response
from partnerships import rules

THANKS = "Thank you: your pulse is in. Nobody sees your answers, only averages of groups."


def _own_form_context(session: Session, member: Member | None, form=None) -> dict:
    """What the "your pulse" part of the page needs: a form, or why there is none."""
    if member is None:
        return {"form": None, "problem": "Only the session's attendees give its pulse."}
    problem = services.pulse_problem(session, member)
    if problem:
        return {"form": None, "problem": problem}
    if form is None:
        form = OwnPulseForm(quadrants=services.pulse_quadrants(session, member))
    return {"form": form, "problem": ""}


def _page(request, session: Session, own: dict, *, status: int = 200, **extra) -> HttpResponse:
    context = {
        "session": session,
        "quarter": session.quarter,
        "pulse": selectors.partnership_pulse(session),
        "quadrant_names": rules.QUADRANT_NAMES,
        **own,
        **extra,
    }
    return render(request, "meetings/progress/pulse.html", context, status=status)


def _give(request, session: Session, member: Member, form: OwnPulseForm, via: str):
    """The write under the form's one-time key; a repeated post stores nothing."""
    with once.write(request, session.organization, f"pulse:{session.pk}") as write:
        if not write.repeated:
            write.stored(
                services.pulse_give(
                    session=session,
                    member=member,
                    worth=form.worth(),
                    pulse=form.pulse(),
                    via=via,
                    user=request.user if request.user.is_authenticated else None,
                )
            )


@require_http_methods(["GET", "POST"])
@in_org_timezone
def session_pulse(request: HttpRequest, pk: int) -> HttpResponse:
    """The partnership's pulse for the session's quarter (groups of k raters and more), and
    for an attendee with a login their own answers, given once."""
    membership, session = load_session(request, pk)
    member = membership.member if membership.member_id is not None else None
    if request.method == "POST":
        if member is None or not session.attendees.filter(pk=member.pk).exists():
            raise PermissionDenied("Only the session's attendees give its pulse.")
        form = OwnPulseForm(request.POST, quadrants=services.pulse_quadrants(session, member))
        if form.is_valid():
            try:
                _give(request, session, member, form, PulseGiven.Via.LOGIN)
            except ValidationError as error:
                own = _own_form_context(session, member, form)
                if not own["problem"]:
                    form.add_error(None, error)
                return _page(request, session, own, status=400)
            messages.success(request, THANKS)
            return redirect("meetings:session_pulse", pk=session.pk)
        return _page(request, session, {"form": form, "problem": ""}, status=400)
    return _page(request, session, _own_form_context(session, member))


def _link_page(request, template_context: dict, status: int = 200) -> HttpResponse:
    return render(request, "meetings/progress/pulse_link.html", template_context, status=status)


INVALID_LINK = (
    "This link is not valid: it may be incomplete or changed, or it has expired. Use the link "
    "from your latest reminder mail."
)


@login_not_required
@require_http_methods(["GET", "POST"])
def pulse_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link from the reminder mail: one person, one session, once. An altered,
    expired or used link shows a page that says so and changes nothing."""
    target = pulse_link_target(token)
    if target is None:
        return _link_page(request, {"invalid": INVALID_LINK}, status=404)
    session, member = target
    context = {"session": session, "member": member, "quarter": session.quarter}
    quadrants = services.pulse_quadrants(session, member)
    form = OwnPulseForm(request.POST or None, quadrants=quadrants)
    if request.method == "POST" and form.is_valid():
        try:
            _give(request, session, member, form, PulseGiven.Via.LINK)
        except ValidationError as error:
            problem = services.pulse_problem(session, member)
            if problem:
                given = PulseGiven.objects.filter(session=session, member=member).exists()
                status = 410 if given else 400
                return _link_page(request, context | {"problem": problem}, status=status)
            form.add_error(None, error)
            return _link_page(request, context | {"form": form}, status=400)
        return redirect(f"{request.path}?given=1")
    problem = services.pulse_problem(session, member)
    if problem:
        given = PulseGiven.objects.filter(session=session, member=member).exists()
        if given and request.method == "GET" and request.GET.get("given") == "1":
            return _link_page(request, context | {"thanks": THANKS})
        return _link_page(request, context | {"problem": problem}, status=410 if given else 200)
    return _link_page(request, context | {"form": form}, status=400 if form.is_bound else 200)


# --- the export ------------------------------------------------------------------------------


def _quarter_label(membership: OrgMembership, start) -> str:
    return Quarter.containing(start, membership.organization.fiscal_year_start_month).label


@require_GET
def export_pulse(request: HttpRequest) -> HttpResponse:
    """The pulse and "worth the time", one average a row, for every quarter with answers: for
    the whole organization and per partnership, each only from k distinct raters."""
    membership = require_role(request, *WHOLE_ORGANIZATION)
    header = ["quarter", "partnership", "measure", "rater_quadrant", "about_quadrant", "raters"]
    return csv_response(
        "pulse.csv",
        [*header, *PULSE_FIELDS, "average"],
        (
            [_quarter_label(membership, row.start), *row.cells()]
            for row in selectors.pulse_export_rows(membership.organization)
        ),
    )
