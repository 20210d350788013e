"""Pages of the quarterly rhythm: my sessions, the planner, a session and its log, calendars.

Each log section (successes, progress calls, feedback, action items) adds and edits its
entries in place with HTMX; every form is a real form that also works without JavaScript.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from meetings import agenda as agenda_module
from meetings import services
from meetings.access import (
    can_log,
    in_org_timezone,
    load_session,
    load_session_page,
    load_session_to_log,
    may_change_contribution,
    may_contribute,
    may_log_some,
    require_logging,
)
from meetings.calendar import calendar_bytes
from meetings.contributions import AGENDA, CONTRIBUTIONS, ContributionKind
from meetings.forms import (
    ActionDoneForm,
    AgendaMinutesForm,
    BlackoutForm,
    ConfirmPlanForm,
    LogItemForm,
    MarkHeldForm,
    MySessionsFilterForm,
    PlanForm,
    ScheduleForm,
    SessionDetailsForm,
    StatusForm,
)
from meetings.log_kinds import ACTIONS, LOG_KINDS, LogKind, LogSection
from meetings.models import BlackoutDate, CalendarFeed, FeedbackItem, Session, SessionSuccess
from meetings.quarters import Quarter
from meetings.selectors import (
    SessionLog,
    current_quarter,
    facilitator_choices,
    members_by_partnership,
    session_log_and_since,
    visible_feedback,
    visible_successes,
)
from meetings.selectors import (
    my_sessions as select_my_sessions,
)
from org import dates, once
from org.access import WHOLE_ORGANIZATION, require_membership, require_role
from org.audit import MODEL_TYPES
from org.fragments import render_page_or_fragment
from org.models import OrgMembership
from org.spreadsheets import attachment
from org.undo import kept_id, offer_undo, removal_entry
from partnerships.health.analysis import health_report
from partnerships.models import Objective, Partnership
from partnerships.scope import Scope

# --- my sessions ----------------------------------------------------------------------------


@require_GET
@in_org_timezone
def my_sessions(request: HttpRequest) -> HttpResponse:
    """The manager's main page: this quarter's sessions, due, overdue and held."""
    membership = require_membership(request)
    form = MySessionsFilterForm(
        request.GET or None,
        organization=membership.organization,
        whole_org=membership.sees_whole_organization,
    )
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest("Invalid quarter.")
    quarter = (
        form.cleaned_data["quarter"] if form.is_bound else current_quarter(membership.organization)
    )
    everyone = form.is_bound and form.cleaned_data.get("scope") == "all"
    sessions = select_my_sessions(membership, quarter, everyone=everyone)
    context = {
        "form": form,
        "quarter": quarter,
        "sessions": sessions,
        "everyone": everyone,
        # The partnerships listed without a session are those the person belongs to today.
        "can_log": may_log_some(membership),
        "can_plan": membership.sees_whole_organization,
        "has_member": membership.member_id is not None,
    }
    return render_page_or_fragment(request, "meetings/my_sessions.html", context, fragment="#lists")


# --- the planner ----------------------------------------------------------------------------

PLANNERS_ONLY = "Only leaders and admins plan the quarter's sessions."


@require_http_methods(["GET", "POST"])
@in_org_timezone
def planner(request: HttpRequest) -> HttpResponse:
    """Preview a quarter's plan as a week-by-week table; write it only on confirmation."""
    membership = require_role(request, *WHOLE_ORGANIZATION, message=PLANNERS_ONLY)
    organization = membership.organization
    preview, status = None, 200
    if request.method == "POST":
        form = ConfirmPlanForm(request.POST, organization=organization)
        if form.is_valid():
            try:
                preview = services.session_plan_apply(
                    organization=organization,
                    request=form.plan_request(),
                    fingerprint=form.cleaned_data["fingerprint"],
                    by=request.user,
                )
            except services.PlanChanged as changed:
                messages.error(request, changed.message)
                preview = services.session_plan_preview(
                    organization=organization, request=form.plan_request()
                )
                status = 409
            else:
                placed = len(preview.plan.placed)
                messages.success(
                    request,
                    f"Planned {placed} session{'s' if placed != 1 else ''} for "
                    f"{form.cleaned_data['quarter'].label}.",
                )
                return redirect(
                    f"{reverse('meetings:my_sessions')}?quarter={form.cleaned_data['quarter'].key}&scope=all"
                )
        else:
            status = 400
    elif "quarter" in request.GET:
        form = PlanForm(request.GET, organization=organization)
        if form.is_valid():
            preview = services.session_plan_preview(
                organization=organization, request=form.plan_request()
            )
        else:
            status = 400
    else:
        form = PlanForm(organization=organization)
    confirm = None
    if preview is not None:
        data = form.cleaned_data
        confirm = ConfirmPlanForm(
            initial={
                "quarter": data["quarter"].key,
                "days": data["days"],
                "day_starts": data["day_starts"],
                "day_ends": data["day_ends"],
                "duration_minutes": data["duration_minutes"],
                "fingerprint": preview.fingerprint,
            },
            organization=organization,
        )
    quarter = form.cleaned_data.get("quarter") if form.is_bound and form.is_valid() else None
    context = {
        "form": form,
        "preview": preview,
        "confirm": confirm,
        "table": _week_table(preview) if preview else [],
        "moved_count": len(preview.replanned) if preview else 0,
        "quarter": quarter,
        "blackouts": _blackouts(organization, quarter),
        "blackout_form": BlackoutForm(),
        "tz": organization.time_zone,
    }
    return render_page_or_fragment(
        request, "meetings/planner.html", context, fragment="#preview", status=status
    )


def _week_table(preview: services.PlanPreview) -> list[dict]:
    """The plan as rows the template can print: one per week of the quarter, each session's
    start written in the current time zone (the organization's)."""
    names = preview.members
    weeks = preview.plan.by_week()
    starts = [timezone.localtime(s.start) for row in weeks for s in (*row.placed, *row.kept)]
    when = iter(dates.moments(starts, weekday=True))
    rows = []
    for row in weeks:
        rows.append(
            {
                "label": row.week.label,
                "placed": [
                    {
                        "when": next(when),
                        "name": p.name,
                        "facilitator": names[p.facilitator_id].name,
                        "attendees": len(p.attendee_ids),
                        "moved": p.partnership_id in preview.replanned,
                    }
                    for p in row.placed
                ],
                "kept": [{"when": next(when), "name": k.name} for k in row.kept],
                "placed_count": len(row.placed),
            }
        )
    return rows


def _blackouts(organization, quarter: Quarter | None):
    blackouts = BlackoutDate.objects.filter(organization=organization)
    if quarter is not None:
        blackouts = blackouts.filter(date__gte=quarter.start, date__lt=quarter.end)
    else:
        blackouts = blackouts.filter(date__gte=organization.today())
    return blackouts.order_by("date")[:100]


@require_POST
def blackout_add(request: HttpRequest) -> HttpResponse:
    membership = require_role(request, *WHOLE_ORGANIZATION, message=PLANNERS_ONLY)
    form = BlackoutForm(request.POST)
    if form.is_valid():
        try:
            blackout = services.blackout_add(
                organization=membership.organization,
                date=form.cleaned_data["date"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"No sessions will be planned on {blackout.date}.")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    back = request.POST.get("next", "")
    local = back.startswith("/") and back.isprintable()  # a path here, not a view name
    if not local or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("meetings:planner")
    return redirect(back)


@require_POST
def blackout_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = require_membership(request)
    blackout = get_object_or_404(BlackoutDate, organization=membership.organization, pk=pk)
    # after the lookup: another organization's blackout is a 404
    require_role(request, *WHOLE_ORGANIZATION, message=PLANNERS_ONLY)
    services.blackout_remove(blackout=blackout, by=request.user)
    messages.success(request, f"{blackout.date} is a working day again.")
    return redirect(reverse("meetings:planner"))


# --- scheduling one partnership by hand -----------------------------------------------------


@require_http_methods(["GET", "POST"])
@in_org_timezone
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a partnership its session for a quarter, at a time people chose."""
    membership = require_membership(request)
    partnership = get_object_or_404(Partnership.objects.visible_to(membership), pk=pk)
    require_logging(membership, partnership)  # after the lookup: another's is a 404
    organization = membership.organization
    try:
        quarter = Quarter.from_key(
            request.GET.get("quarter") or current_quarter(organization).key,
            organization.fiscal_year_start_month,
        )
    except ValueError:
        return HttpResponseBadRequest("Invalid quarter.")
    members = members_by_partnership(
        organization, [partnership.pk], quarter.start, quarter.end
    ).get(partnership.pk, [])
    facilitators = facilitator_choices(members)
    if not facilitators:
        messages.error(
            request, "This partnership has no leader or manager who could facilitate a session."
        )
        return redirect(f"{reverse('meetings:my_sessions')}?quarter={quarter.key}")
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        organization=organization,
        quarter=quarter,
        facilitators=facilitators,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_create(
                organization=organization,
                partnership_id=partnership.pk,
                quarter=quarter,
                facilitator=data["facilitator"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                place=data["place"],
                video_link=data["video_link"],
                attendees=members,
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Session scheduled.")
            return redirect("meetings:session", pk=session.pk)
    context = {"form": form, "partnership": partnership, "quarter": quarter}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "meetings/schedule.html", context, status=status)


# --- a session and its log ------------------------------------------------------------------


def _members(session: Session) -> list:
    quarter = session.quarter
    return members_by_partnership(
        session.organization, [session.partnership_id], quarter.start, quarter.end
    ).get(session.partnership_id, [])


def _objectives(session: Session) -> list[Objective]:
    objectives = list(
        Objective.objects.filter(
            organization_id=session.organization_id,
            status__in=[Objective.Status.PLANNED, Objective.Status.ACTIVE],
        ).order_by("title", "id")
    )
    own = session.partnership.objective
    return [own, *[o for o in objectives if o.pk != own.pk]]


def _session_context(
    request: HttpRequest,
    membership: OrgMembership,
    session: Session,
    *,
    log_kind: LogKind | None = None,
    log_form: LogItemForm | None = None,
    logging: bool | None = None,
    minutes_open: bool = False,
    previous: Session | None | bool = False,
    log: SessionLog | None = None,
    agenda: agenda_module.Agenda | None = None,
    **overrides,
) -> dict:
    """The session page's context. With ``log_kind``, also that kind's ``section`` (its
    fragment), with ``log_form`` open in it (a blank add form, or a refused submission).

    The forms that list the partnership's people (the log's add forms, who attended, the
    time, place and facilitator) are not drawn with the page: each is a link that opens it,
    and the view that answers it passes it here (``log_form``, ``held_form``,
    ``details_form``). A partnership of 250 people made them most of the page's time
    (issue 20); without them the page loads neither the people nor the objectives. The two
    forms that were folded away anyway open the same way (``status_form``, and the agenda's
    minutes with ``minutes_open``): each form drawn costs a dozen small templates.
    ``logging``: `can_log`, and ``previous``: the previous session or None, when the view
    knows them already (each costs a query); ``log`` and ``agenda``: the log with what came
    since and the agenda, when the view has them (`meetings.selectors.session_page`)."""
    if logging is None:
        logging = can_log(membership, session.partnership)
    open_form = {log_kind: log_form} if logging and log_form is not None else {}
    if log is None:
        log = session_log_and_since(session, membership, previous=previous)
    since = log.since
    log_sections = [
        LogSection(kind, log.entries[kind.on_session], open_form.get(kind)) for kind in LOG_KINDS
    ]
    if agenda is None:
        agenda = _agenda(session, membership, since)
    # who logs may contribute whatever the people; others only while the session is planned
    # and when they are among its people, the one case that needs them loaded
    needs_people = not logging and session.is_planned
    members = _members(session) if needs_people else []
    contributing = may_contribute(membership, session, members, logging=logging)
    contribution_forms: dict = {kind.slug: None for kind in CONTRIBUTIONS}
    if contributing:
        # who logs has the full forms for successes and feedback; everyone adds agenda items
        kinds = (AGENDA,) if logging else CONTRIBUTIONS
        contribution_forms |= {kind.slug: kind.form_for() for kind in kinds}
    contribution_forms |= overrides.pop("contribution_forms", {})
    context = {
        "session": session,
        "quarter": session.quarter,
        "tz": session.organization.time_zone,
        "can_log": logging,
        "today": session.organization.today(),
        "now": timezone.now(),
        "since": since,
        "attendees": list(session.attendees.all()),
        "log_sections": log_sections,
        "agenda": agenda,
        "contributing": contributing,
        "contribution_forms": contribution_forms,
        "agenda_form": _agenda_form(session, agenda=agenda) if logging and minutes_open else None,
        "held_form": None,
        "details_form": None,
        "status_form": None,
    }
    if log_kind is not None:
        context["section"] = log_sections[LOG_KINDS.index(log_kind)]
    context.update(overrides)
    return context


def _agenda(session: Session, membership: OrgMembership, since) -> agenda_module.Agenda:
    """The agenda of a session still to come, from the data; once it was held, missed or
    cancelled, only what people put on it (the log below says what happened, and the data
    has moved on since: a call made at the session is no longer "due")."""
    if not session.is_planned:
        return agenda_module.as_it_was(session, items=session.agenda_items.all())
    organization = session.organization
    scope = Scope(
        organization=organization, day=organization.today(), partnership=session.partnership
    )
    return agenda_module.build(
        session,
        since,
        successes=agenda_module.successes_since(session, since, visible_successes(membership)),
        items=session.agenda_items.all(),
        risks=health_report(scope).risks,
        weakest=agenda_module.weakest_dimension(session),
        agenda=agenda_module.stored_agenda(session),
    )


def _agenda_form(
    session: Session, data=None, *, agenda: agenda_module.Agenda | None = None
) -> AgendaMinutesForm:
    initial = {part.key: part.minutes for part in agenda.parts} if agenda else None
    return AgendaMinutesForm(data, duration=session.duration_minutes, initial=initial)


@require_GET
@in_org_timezone
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership, page = load_session_page(request, pk, agenda=_agenda)
    session = page.session
    context = _session_context(
        request, membership, session, logging=session.logs, log=page.log, agenda=page.agenda
    )
    return render(request, "meetings/session.html", context)


def _render_session_part(
    request: HttpRequest,
    membership: OrgMembership,
    session: Session,
    part: str,
    *,
    status: int = 200,
    **overrides,
) -> HttpResponse:
    """The page's fragment for HTMX (always 200, so htmx swaps it), else the whole page; for
    the views of who logs the session (they required it)."""
    context = _session_context(request, membership, session, logging=True, **overrides)
    return render_page_or_fragment(
        request, "meetings/session.html", context, fragment=f"#{part}", status=status
    )


@require_http_methods(["GET", "POST"])
@in_org_timezone
def session_details(request: HttpRequest, pk: int) -> HttpResponse:
    """GET opens the form (the page's details for htmx, the whole page else); POST saves it."""
    membership, session = load_session_to_log(request, pk)
    data = request.POST if request.method == "POST" else None
    form = SessionDetailsForm(
        data, session=session, facilitators=facilitator_choices(_members(session))
    )
    if not form.is_bound:
        return _render_session_part(request, membership, session, "details", details_form=form)
    if not form.is_valid():
        return _render_session_part(
            request, membership, session, "details", status=400, details_form=form
        )
    data = form.cleaned_data
    try:
        services.session_update(
            session=session,
            version=data["version"],
            facilitator=data["facilitator"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            place=data["place"],
            video_link=data["video_link"],
            by=request.user,
        )
    except services.StaleEdit as stale:
        return _stale_session(request, membership, pk, stale)
    return _saved_session(request, membership, pk, "Session updated.")


@require_http_methods(["GET", "POST"])
@in_org_timezone
def session_held(request: HttpRequest, pk: int) -> HttpResponse:
    """GET opens the form of who attended (as `session_details`); POST marks the session held."""
    membership, session = load_session_to_log(request, pk)
    data = request.POST if request.method == "POST" else None
    form = MarkHeldForm(data, session=session, members=_members(session))
    if not form.is_bound:
        return _render_session_part(request, membership, session, "details", held_form=form)
    if not form.is_valid():
        return _render_session_part(
            request, membership, session, "details", status=400, held_form=form
        )
    try:
        services.session_mark_held(
            session=session,
            version=form.cleaned_data["version"],
            attendees=form.cleaned_data["attendees"],
            by=request.user,
        )
    except services.StaleEdit as stale:
        return _stale_session(request, membership, pk, stale)
    return _saved_session(request, membership, pk, "Session marked as held.")


@require_http_methods(["GET", "POST"])
@in_org_timezone
def session_status(request: HttpRequest, pk: int) -> HttpResponse:
    """GET opens the form (as `session_details`); POST cancels, marks missed or reopens."""
    membership, session = load_session_to_log(request, pk)
    if request.method == "GET":
        form = StatusForm(initial={"version": session.version})
        return _render_session_part(request, membership, session, "details", status_form=form)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _render_session_part(
            request, membership, session, "details", status=400, status_form=form
        )
    try:
        session = services.session_set_status(
            session=session,
            version=form.cleaned_data["version"],
            status=form.cleaned_data["status"],
            by=request.user,
        )
    except services.StaleEdit as stale:
        return _stale_session(request, membership, pk, stale)
    return _saved_session(
        request, membership, pk, f"Session is now {session.get_status_display().lower()}."
    )


def _saved_session(request, membership, pk: int, message: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, message)
        return redirect("meetings:session", pk=pk)
    _, session = load_session(request, pk)
    return _render_session_part(request, membership, session, "details", saved=message)


def _stale_session(request, membership, pk: int, stale: services.StaleEdit) -> HttpResponse:
    _, session = load_session(request, pk)
    return _render_session_part(
        request, membership, session, "details", status=409, stale_message=stale.message
    )


@require_http_methods(["GET", "POST"])
@in_org_timezone
def item_add(request: HttpRequest, pk: int, kind: LogKind) -> HttpResponse:
    """GET opens the kind's add form in its section (the section for htmx, the whole page
    else); POST adds the entry and, for htmx, answers the section with a blank form open,
    ready for the next entry."""
    membership, session = load_session_to_log(request, pk)
    members = _members(session)
    objectives = _objectives(session) if kind.picks_objective else []

    def with_blank_form(session: Session) -> HttpResponse:
        """The kind's section with its add form open and empty."""
        return _render_session_part(
            request,
            membership,
            session,
            "log_section",
            log_kind=kind,
            log_form=kind.form_for(members, objectives),
        )

    if request.method == "GET":
        return with_blank_form(session)
    form = kind.form_for(members, objectives, data=request.POST)
    if form.is_valid():
        try:
            with once.write(request, membership.organization, f"log:{kind.slug}") as write:
                if not write.repeated:  # a repeat of a stored post answers as the first did
                    write.stored(kind.add(session, form.changes(), by=request.user))
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        return _render_session_part(
            request, membership, session, "log_section", status=400, log_kind=kind, log_form=form
        )
    if not request.htmx:
        messages.success(request, f"Added the {kind.noun}.")
        return redirect(f"{reverse('meetings:session', args=[pk])}#{kind.slug}")
    _, session = load_session(request, pk)
    return with_blank_form(session)


def _load_item(request: HttpRequest, kind: LogKind, pk: int) -> tuple[OrgMembership, Model]:
    membership = require_membership(request)
    items = kind.model.objects.filter(
        organization=membership.organization,
        session__in=Session.objects.visible_to(membership),
    ).select_related("session__organization", "session__partnership__objective", *kind.shows)
    if kind.model is SessionSuccess:  # successes have their own rule: the same everywhere
        items = items.filter(pk__in=SessionSuccess.objects.visible_to(membership).values("pk"))
    if kind.model is FeedbackItem:  # feedback for the facilitator only: theirs and its author's
        items = items.filter(pk__in=visible_feedback(membership).values("pk"))
    return membership, get_object_or_404(items, pk=pk)


@require_GET
@vary_on_headers("HX-Request")  # the entry for htmx, a redirect to its session for a browser
@in_org_timezone
def item_show(request: HttpRequest, kind: LogKind, pk: int) -> HttpResponse:
    """One log entry as shown in its list (HTMX 'cancel' of an edit); else back to the page."""
    membership, item = _load_item(request, kind, pk)
    if not request.htmx:
        return redirect(f"{reverse('meetings:session', args=[item.session_id])}#{kind.slug}")
    context = {
        "item": item,
        "can_log": can_log(membership, item.session.partnership),
        "today": item.organization.today(),
    }
    return render(request, kind.template, context)


@require_http_methods(["GET", "POST"])
@in_org_timezone
def item_edit(request: HttpRequest, kind: LogKind, pk: int) -> HttpResponse:
    """Edit one log entry in place; a stale edit is refused and the newer entry is shown."""
    membership, item = _load_item(request, kind, pk)
    require_logging(membership, item.session.partnership)
    session = item.session
    members, objectives = _members(session), _objectives(session)
    status, stale_message = 200, None
    if request.method == "POST":
        form = kind.form_for(members, objectives, data=request.POST, item=item)
        if form.is_valid():
            try:
                item = services.log_item_edit(
                    item=item,
                    version=form.cleaned_data["version"],
                    changes=form.changes(),
                    by=request.user,
                )
            except services.StaleEdit as stale:
                item, stale_message, status = stale.obj, stale.message, 409
                form = kind.form_for(members, objectives, item=item)
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                if not request.htmx:
                    messages.success(request, f"Saved the {kind.noun}.")
                    return redirect(f"{reverse('meetings:session', args=[session.pk])}#{kind.slug}")
                context = {"item": item, "can_log": True, "today": session.organization.today()}
                return render(request, kind.template, context)
        else:
            status = 400
    else:
        form = kind.form_for(members, objectives, item=item)
    context = {
        "kind": kind,
        "item": item,
        "session": session,
        "form": form,
        "stale_message": stale_message,
    }
    return render_page_or_fragment(
        request, "meetings/item_edit.html", context, fragment="#item_form", status=status
    )


@require_POST
@in_org_timezone
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick an action item done (or open it again), here or on a later session's page."""
    membership, item = _load_item(request, ACTIONS, pk)
    require_logging(membership, item.session.partnership)
    form = ActionDoneForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid form.")
    today = item.organization.today()
    stale_message = None
    try:
        item = services.action_item_set_done(
            item=item,
            version=form.cleaned_data["version"],
            done=form.cleaned_data["done"],
            today=today,
            by=request.user,
        )
    except services.StaleEdit as stale:
        item, stale_message = stale.obj, stale.message
    if not request.htmx:
        if stale_message:
            messages.error(request, stale_message)
        back = request.POST.get("back_to_session")
        target = int(back) if back and back.isdigit() else item.session_id
        return redirect(f"{reverse('meetings:session', args=[target])}#actions")
    context = {
        "item": item,
        "can_log": True,
        "today": today,
        "origin": form.cleaned_data["origin"],
        "back_to_session": request.POST.get("back_to_session", ""),
        "stale_message": stale_message,
    }
    return render(request, "meetings/_action.html", context)


# --- removing a log entry written by mistake, and its Undo ---------------------------------

# Each kind of log entry by its name in the audit trail ("success", "action_item", ...).
KIND_OF_TYPE = {MODEL_TYPES[kind.model._meta.label_lower]: kind for kind in LOG_KINDS}


@require_http_methods(["GET", "POST"])
@in_org_timezone
def item_remove(request: HttpRequest, kind: LogKind, pk: int) -> HttpResponse:
    """Confirm, then delete a log entry; who may edit it may delete it. The message offers Undo."""
    membership, item = _load_item(request, kind, pk)
    require_logging(membership, item.session.partnership)
    session_url = f"{reverse('meetings:session', args=[item.session_id])}#{kind.slug}"
    if request.method == "POST":
        entry = services.log_item_remove(item=item, by=request.user)
        offer_undo(
            request,
            f"The {kind.noun} “{item}” is deleted.",
            reverse("meetings:item_restore", args=[entry.pk]),
        )
        # To the top of the page, where the message and its Undo are.
        return redirect("meetings:session", pk=item.session_id)
    context = {
        "title": f"Delete this {kind.noun}?",
        "facts": [str(item), f"Logged at {item.session}"],
        "explained": "Deleted, it disappears from the session's log; the audit trail keeps what "
        "it said, and Undo puts it back.",
        "goes_with": [],
        "refusal": "",
        "instead": "To change what it says, edit it instead.",
        "action": request.path,
        "back": session_url,
        "button": f"Delete the {kind.noun}",
    }
    return render(request, "partnerships/confirm_remove.html", context)


@require_POST
def item_restore(request: HttpRequest, entry_pk: int) -> HttpResponse:
    """Undo a log entry's deletion, from the values its audit entry kept."""
    membership = require_membership(request)
    entry = removal_entry(membership, entry_pk, KIND_OF_TYPE)
    kind = KIND_OF_TYPE[entry.object_type]
    session = get_object_or_404(
        Session.objects.visible_to(membership).select_related("partnership"),
        pk=kept_id(entry, "session"),
    )
    require_logging(membership, session.partnership)
    try:
        services.log_item_restore(entry=entry, model=kind.model, by=request.user)
    except ValidationError as error:
        messages.error(request, "Nothing was put back. " + " ".join(error.messages))
    else:
        messages.success(request, f"The {kind.noun} is back.")
    return redirect(f"{reverse('meetings:session', args=[session.pk])}#{kind.slug}")


# --- the agenda, and what the people of a partnership add to its session --------------------


@require_http_methods(["GET", "POST"])
@in_org_timezone
def session_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator sets the minutes of the agenda's parts (or lets the data set them).
    GET opens the form, with each part's minutes now (the agenda for htmx, else the page)."""
    membership, session = load_session_to_log(request, pk)
    if request.method == "GET":
        return _render_session_part(request, membership, session, "agenda", minutes_open=True)
    form = _agenda_form(session, request.POST)
    if form.is_valid():
        try:
            services.session_agenda_set(session=session, minutes=form.minutes(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        context = _session_context(request, membership, session, agenda_form=form)
        return render(request, "meetings/session.html", context, status=400)
    messages.success(request, "Agenda minutes saved.")
    return redirect(f"{reverse('meetings:session', args=[pk])}#agenda")


def _contributor_session(request: HttpRequest, pk: int) -> tuple[OrgMembership, Session, list]:
    """A session the person may see (404 otherwise) and add to (403 otherwise)."""
    membership, session = load_session(request, pk)
    members = _members(session)
    if not may_contribute(membership, session, members):
        raise PermissionDenied(
            "Only the people of this partnership add to its session, until it is marked held."
        )
    return membership, session, members


@require_POST
@in_org_timezone
def contribute(request: HttpRequest, pk: int, kind: ContributionKind) -> HttpResponse:
    """An attendee adds an agenda item, their success or their feedback, marked as theirs."""
    membership, session, _members_ = _contributor_session(request, pk)
    form = kind.form_for(data=request.POST)
    if form.is_valid():
        try:
            with once.write(request, membership.organization, f"contribute:{kind.slug}") as write:
                if not write.repeated:  # a repeat of a stored post answers as the first did
                    write.stored(
                        kind.add(session, form.changes(), member=membership.member, by=request.user)
                    )
        except ValidationError as error:
            form.add_error(None, error)
    if form.errors:
        context = _session_context(
            request, membership, session, contribution_forms={kind.slug: form}
        )
        return render(request, "meetings/session.html", context, status=400)
    messages.success(request, f"Added your {kind.noun}.")
    return redirect(f"{reverse('meetings:session', args=[pk])}#{kind.anchor}")


def _load_contribution(
    request: HttpRequest, kind: ContributionKind, pk: int
) -> tuple[OrgMembership, Model, Session]:
    """An entry the person may see (404 otherwise) and change (403 otherwise)."""
    membership = require_membership(request)
    items = kind.model.objects.filter(
        organization=membership.organization,
        session__in=Session.objects.visible_to(membership),
    ).select_related("session__organization", "session__partnership__objective")
    if kind.model is SessionSuccess:
        items = items.filter(pk__in=SessionSuccess.objects.visible_to(membership).values("pk"))
    if kind.model is FeedbackItem:
        items = items.filter(pk__in=visible_feedback(membership).values("pk"))
    item = get_object_or_404(items, pk=pk)
    session = item.session
    if not may_change_contribution(membership, item, session, _members(session)):
        raise PermissionDenied(
            "You change only what you added yourself, until the session is marked held."
        )
    return membership, item, session


@require_http_methods(["GET", "POST"])
@in_org_timezone
def contribution_edit(request: HttpRequest, kind: ContributionKind, pk: int) -> HttpResponse:
    _membership, item, session = _load_contribution(request, kind, pk)
    back = f"{reverse('meetings:session', args=[session.pk])}#{kind.anchor}"
    status, stale_message = 200, None
    if request.method == "POST":
        form = kind.form_for(data=request.POST, item=item)
        if form.is_valid():
            try:
                services.log_item_edit(
                    item=item,
                    version=form.cleaned_data["version"],
                    changes=form.changes(),
                    by=request.user,
                )
            except services.StaleEdit as stale:
                item, stale_message, status = stale.obj, stale.message, 409
                form = kind.form_for(item=item)
            else:
                messages.success(request, f"Saved your {kind.noun}.")
                return redirect(back)
        else:
            status = 400
    else:
        form = kind.form_for(item=item)
    context = {
        "kind": kind,
        "item": item,
        "session": session,
        "form": form,
        "back": back,
        "stale_message": stale_message,
    }
    return render(request, "meetings/contribution_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@in_org_timezone
def contribution_remove(request: HttpRequest, kind: ContributionKind, pk: int) -> HttpResponse:
    """Confirm, then delete an entry; the audit trail keeps what it said."""
    _membership, item, session = _load_contribution(request, kind, pk)
    back = f"{reverse('meetings:session', args=[session.pk])}#{kind.anchor}"
    if request.method == "POST":
        services.log_item_remove(item=item, by=request.user)
        messages.success(request, f"The {kind.noun} “{item}” is deleted.")
        return redirect(back)
    context = {
        "title": f"Delete this {kind.noun}?",
        "facts": [str(item), f"Added to {session}"],
        "explained": "Deleted, it disappears from the session's page; the audit trail keeps "
        "what it said.",
        "goes_with": [],
        "refusal": "",
        "instead": "To change what it says, edit it instead.",
        "action": request.path,
        "back": back,
        "button": f"Delete the {kind.noun}",
    }
    return render(request, "partnerships/confirm_remove.html", context)


# --- calendars ------------------------------------------------------------------------------


def _ics_response(body: bytes, filename: str | None = None) -> HttpResponse:
    if filename:
        return attachment(body, filename, "text/calendar; charset=utf-8")
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_GET
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    _, session = load_session(request, pk)
    body = calendar_bytes(
        [session],
        name=f"{session.partnership.name} session",
        url_for=lambda s: request.build_absolute_uri(reverse("meetings:session", args=[s.pk])),
    )
    return _ics_response(body, f"session-{session.pk}.ics")


@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    membership = require_membership(request)
    feed = None
    if membership.member_id is not None:
        feed = services.calendar_feed_for(membership=membership)
    context = {
        "feed_url": request.build_absolute_uri(reverse("meetings:calendar_feed", args=[feed.token]))
        if feed
        else None,
        "feed": feed,
    }
    return render(request, "meetings/calendar.html", context)


@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    membership = require_membership(request)
    if membership.member_id is None:
        raise PermissionDenied("Your login is not linked to a person of this organization.")
    services.calendar_feed_reset(membership=membership)
    messages.success(
        request, "Your calendar has a new address. The old one no longer works; subscribe again."
    )
    return redirect("meetings:calendar")


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: the token is the only credential, so an unknown one is a 404, and so
    is one whose access has ended (see CalendarFeed.answers)."""
    feed = get_object_or_404(
        CalendarFeed.objects.select_related(
            "membership__member", "membership__user", "organization"
        ),
        token=token,
    )
    if not feed.answers():
        raise Http404("No such calendar.")
    member = feed.membership.member
    since = timezone.now() - datetime.timedelta(days=366)
    sessions = (
        Session.objects.for_org(feed.organization)
        .involving(member)
        .filter(starts_at__gte=since)
        .select_related("organization", "partnership", "facilitator")
        .order_by("starts_at")
    )
    body = calendar_bytes(
        sessions,
        name=f"Partnership sessions of {member.name}",
        url_for=lambda s: request.build_absolute_uri(reverse("meetings:session", args=[s.pk])),
    )
    return _ics_response(body)
