"""Writes for quarterly sessions: planning a quarter, logging a session, feeds and reminders.

Every function is keyword-only and atomic. Edits of a session or of one of its log items
carry the version the form was rendered with; when someone else saved in between, the write
is refused with `StaleEdit` and their newer data stays.
"""

from __future__ import annotations

import datetime
import hashlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from meetings.models import (
    ActionItem,
    AgendaItem,
    BlackoutDate,
    CalendarFeed,
    FeedbackItem,
    ObjectiveProgress,
    Session,
    SessionAgenda,
    SessionStatus,
    SessionSuccess,
    new_feed_token,
)
from meetings.planner import BookedSession, Plan, WorkingTime, plan_sessions
from meetings.quarters import Quarter
from meetings.selectors import Facilitator, PlanMembers, partnerships_to_meet
from org.audit import audit_entry, audit_record, json_value, snapshot
from org.cycles import collector_paused
from org.models import AuditEntry, Member, Organization, OrgMembership


class StaleEdit(Exception):
    """The form was rendered from an older version than the one now saved."""

    message = (
        "Someone else saved this while you were editing it. Their changes are shown below; "
        "nothing of yours was saved. Make your change again if it is still needed."
    )

    def __init__(self, obj: models.Model) -> None:
        super().__init__(self.message)
        self.obj = obj


class PlanChanged(Exception):
    """The data behind a previewed plan changed before it was confirmed."""

    message = (
        "Sessions or partnerships changed since this plan was previewed, so nothing was "
        "saved. Here is the plan as it stands now; confirm it again."
    )


# The session's fields the audit trail keeps before and after each change (and its attendees).
SESSION_AUDIT_FIELDS = [
    "partnership",
    "quarter_start",
    "facilitator",
    "starts_at",
    "duration_minutes",
    "place",
    "video_link",
    "status",
    "held_at",
]


def _people(members: Iterable[Member]) -> list:
    """Attendees for the audit trail: by name, each with its id."""
    return json_value(sorted(members, key=lambda m: (m.name, m.pk)))


def _log_item_fields(item: models.Model) -> list[str]:
    """A log item's own fields (what is written in the log), for the audit trail."""
    skip = {"organization", "session", "version", "created_at", "updated_at"}
    return [f.name for f in item._meta.concrete_fields if f.name not in skip and not f.primary_key]


def _audit_added(item: models.Model, by: AbstractBaseUser | None) -> None:
    audit_record(by=by, action="added", obj=item, after=snapshot(item, _log_item_fields(item)))


def _unchanged(obj: models.Model, **values) -> bool:
    """Whether `obj` already holds every one of these values (by attname): a save that would
    change nothing writes nothing, so it neither bumps the version nor records an entry."""
    return all(getattr(obj, name) == value for name, value in values.items())


def _bump(model: type[models.Model], pk: int, version: int, **changes) -> None:
    """Apply ``changes`` only if the row is still at ``version``; raise StaleEdit otherwise.

    A single conditional UPDATE: on PostgreSQL a concurrent writer waits for the row lock and
    then finds the version moved on, so exactly one of two racing saves wins.
    """
    changes.setdefault("updated_at", timezone.now())
    updated = model.objects.filter(pk=pk, version=version).update(
        version=F("version") + 1, **changes
    )
    if updated != 1:
        raise StaleEdit(model.objects.get(pk=pk))


# --- planning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRequest:
    quarter: Quarter
    working: WorkingTime = WorkingTime()
    duration_minutes: int = 90


@dataclass
class PlanPreview:
    plan: Plan
    replanned: dict[int, Session]  # partnership id -> the planned session the plan moves
    members: dict[int, Facilitator]  # who may facilitate: the organization's leaders and managers
    fingerprint: str

    def member_names(self, ids: Iterable[int]) -> list[str]:
        return sorted(self.members[i].name for i in ids if i in self.members)


def session_plan_preview(
    *, organization: Organization, request: PlanRequest, now: datetime.datetime | None = None
) -> PlanPreview:
    """Compute a plan for the quarter without writing anything.

    Kept as they are: held, cancelled and missed sessions, sessions moved by hand, and planned
    sessions whose start has passed (they are overdue, not re-plannable). Every other planned
    session is placed again together with the partnerships that have none.

    With the cycle collector paused: the plan builds sets of thousands of member ids, which
    set it off dozens of times a preview.
    """
    with collector_paused():
        return _session_plan_preview(organization=organization, request=request, now=now)


def _session_plan_preview(
    *, organization: Organization, request: PlanRequest, now: datetime.datetime | None
) -> PlanPreview:
    now = now or timezone.now()
    quarter, tz = request.quarter, organization.tz
    today = now.astimezone(tz).date()
    partnerships = list(partnerships_to_meet(organization, quarter, today))
    existing = list(
        Session.objects.for_org(organization)
        .in_quarter(quarter)
        .select_related("partnership")
        .prefetch_related("attendees")
    )
    members = PlanMembers(
        organization,
        [p.pk for p in partnerships] + [s.partnership_id for s in existing],
        quarter.start,
        quarter.end,
    )
    blackouts = set(
        BlackoutDate.objects.filter(
            organization=organization, date__gte=quarter.start, date__lt=quarter.end
        ).values_list("date", flat=True)
    )
    active_ids = {p.pk for p in partnerships}
    booked, replanned = [], {}
    for session in existing:
        movable = (
            session.status == SessionStatus.PLANNED
            and not session.moved_by_hand
            and session.starts_at >= now
            and session.partnership_id in active_ids
        )
        if movable:
            replanned[session.partnership_id] = session
            continue
        booked.append(
            BookedSession(
                session_id=session.pk,
                partnership_id=session.partnership_id,
                name=session.partnership.name,
                start=session.starts_at,
                duration_minutes=session.duration_minutes,
                attendee_ids=frozenset(m.pk for m in session.attendees.all()),
                blocks_time=session.status in (SessionStatus.PLANNED, SessionStatus.HELD),
            )
        )
    to_place = [members.plan_partnership(p) for p in partnerships]
    plan = plan_sessions(
        quarter=quarter,
        tz=tz,
        partnerships=to_place,
        booked=booked,
        working=request.working,
        blackouts=blackouts,
        duration_minutes=request.duration_minutes,
        not_before=now,
        member_names=members.names,
    )
    return PlanPreview(plan, replanned, members.facilitators, _fingerprint(plan, replanned))


def _fingerprint(plan: Plan, replanned: dict[int, Session]) -> str:
    parts = [
        f"{p.partnership_id}@{p.start.astimezone(datetime.UTC).isoformat()}"
        f"+{p.duration_minutes}:{_ids_digest(p.attendee_ids)}:{p.facilitator_id}"
        for p in plan.placed
    ]
    parts += [f"keep{b.session_id}" for b in plan.kept]
    parts += [f"move{s.pk}v{s.version}" for s in replanned.values()]
    parts += [f"no{u.partnership_id}" for u in plan.unplaced]
    return hashlib.sha256("|".join(sorted(parts)).encode()).hexdigest()[:32]


def _ids_digest(ids: Iterable[int]) -> str:
    """The ids, sorted, as a digest of their bytes: a partnership has thousands of members,
    and writing them out as text took longer than placing its session."""
    return hashlib.sha256(array("q", sorted(ids)).tobytes()).hexdigest()


@transaction.atomic
def session_plan_apply(
    *,
    organization: Organization,
    request: PlanRequest,
    fingerprint: str,
    now: datetime.datetime | None = None,
    by: AbstractBaseUser | None = None,
) -> PlanPreview:
    """Write the previewed plan: create the new sessions and move the re-planned ones.

    The plan is computed again under a lock on the organization; if it no longer matches the
    preview the user confirmed (``fingerprint``), nothing is written and PlanChanged is raised.
    """
    Organization.lock(organization.pk)
    preview = session_plan_preview(organization=organization, request=request, now=now)
    if preview.fingerprint != fingerprint:
        raise PlanChanged()
    quarter = request.quarter
    Through = Session.attendees.through
    new_sessions, attendee_rows, audit = [], [], []
    # The preview holds only the facilitators; the audit names every attendee.
    people = (
        Member.objects.for_org(organization)
        .only("pk", "organization_id", "name", "quadrant", "kind")
        .in_bulk({pk for placed in preview.plan.placed for pk in placed.attendee_ids})
    )
    for placed in preview.plan.placed:
        session = preview.replanned.get(placed.partnership_id)
        if session is not None:
            facilitator = people.get(placed.facilitator_id)
            audit.append(
                audit_entry(
                    by=by,
                    action="planned",
                    obj=session,
                    before=snapshot(session, ["starts_at", "duration_minutes", "facilitator"])
                    | {"attendees": _people(session.attendees.all())},
                    after={
                        "starts_at": json_value(placed.start),
                        "duration_minutes": placed.duration_minutes,
                        "facilitator": json_value(facilitator),
                        "attendees": _people(people[m] for m in placed.attendee_ids),
                    },
                )
            )
            _bump(
                Session,
                session.pk,
                session.version,
                starts_at=placed.start,
                duration_minutes=placed.duration_minutes,
                facilitator_id=placed.facilitator_id,
            )
            Through.objects.filter(session_id=session.pk).delete()
            attendee_rows += [
                Through(session_id=session.pk, member_id=m) for m in placed.attendee_ids
            ]
            continue
        new_sessions.append(
            (
                Session(
                    organization=organization,
                    partnership_id=placed.partnership_id,
                    quarter_start=quarter.start,
                    facilitator_id=placed.facilitator_id,
                    starts_at=placed.start,
                    duration_minutes=placed.duration_minutes,
                ),
                placed.attendee_ids,
            )
        )
    created = Session.objects.bulk_create([session for session, _ in new_sessions])
    names = {placed.partnership_id: placed.name for placed in preview.plan.placed}
    for session, (_, attendees) in zip(created, new_sessions, strict=True):
        attendee_rows += [Through(session_id=session.pk, member_id=m) for m in attendees]
        name = names[session.partnership_id]
        audit.append(
            audit_entry(
                by=by,
                action="planned",
                obj=session,
                after=snapshot(session, SESSION_AUDIT_FIELDS)
                | {
                    "partnership": {"id": session.partnership_id, "repr": name},
                    "facilitator": json_value(people.get(session.facilitator_id)),
                    "attendees": _people(people[m] for m in attendees),
                },
                object_repr=f"{name} · {quarter.label}",
            )
        )
    Through.objects.bulk_create(attendee_rows)
    AuditEntry.objects.bulk_create(audit)
    return preview


# --- blackout dates -------------------------------------------------------------------------


@transaction.atomic
def blackout_add(
    *,
    organization: Organization,
    date: datetime.date,
    reason: str,
    by: AbstractBaseUser | None = None,
) -> BlackoutDate:
    blackout = BlackoutDate(organization=organization, date=date, reason=reason.strip())
    blackout.full_clean()
    blackout.save()
    audit_record(
        by=by, action="created", obj=blackout, after=snapshot(blackout, ["date", "reason"])
    )
    return blackout


@transaction.atomic
def blackout_remove(*, blackout: BlackoutDate, by: AbstractBaseUser | None = None) -> None:
    """Take a blackout date back ("it never happened"), audited with its old values."""
    before = snapshot(blackout, ["date", "reason"])
    pk = blackout.pk
    blackout.delete()
    blackout.pk = pk  # the entry names the row that was removed
    audit_record(by=by, action="removed", obj=blackout, before=before)


# --- one session ----------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    organization: Organization,
    partnership_id: int,
    quarter: Quarter,
    facilitator: Member,
    starts_at: datetime.datetime,
    duration_minutes: int,
    place: str = "",
    video_link: str = "",
    attendees: Iterable[Member] = (),
    by: AbstractBaseUser | None = None,
) -> Session:
    """Schedule a partnership's session by hand (it is then 'moved by hand' for the planner)."""
    session = Session(
        organization=organization,
        partnership_id=partnership_id,
        quarter_start=quarter.start,
        facilitator=facilitator,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place,
        video_link=video_link,
        moved_by_hand=True,
    )
    session.full_clean()
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        raise ValidationError(
            "This partnership already has a session this quarter.", code="duplicate"
        ) from None
    attendees = list(attendees)
    session.attendees.set(attendees)
    session.partnership  # noqa: B018 - loaded once, so that the trail names it
    audit_record(
        by=by,
        action="scheduled",
        obj=session,
        after=snapshot(session, SESSION_AUDIT_FIELDS) | {"attendees": _people(attendees)},
    )
    return session


@transaction.atomic
def session_update(
    *,
    session: Session,
    version: int,
    facilitator: Member,
    starts_at: datetime.datetime,
    duration_minutes: int,
    place: str,
    video_link: str,
    by: AbstractBaseUser | None = None,
) -> Session:
    """Change when, where and who facilitates. Moving the time marks it as moved by hand, so
    a later re-plan leaves it where people put it."""
    moved = starts_at != session.starts_at or duration_minutes != session.duration_minutes
    fields = ["facilitator", "starts_at", "duration_minutes", "place", "video_link"]
    before = snapshot(session, fields)
    changes = {
        "facilitator_id": facilitator.pk,
        "starts_at": starts_at,
        "duration_minutes": duration_minutes,
        "place": place.strip(),
        "video_link": video_link.strip(),
        "moved_by_hand": session.moved_by_hand or moved,
    }
    if _unchanged(session, **changes):
        return session
    _bump(Session, session.pk, version, **changes)
    updated = Session.objects.select_related("organization").get(pk=session.pk)
    after = snapshot(updated, fields) | {"facilitator": json_value(facilitator)}
    audit_record(by=by, action="changed", obj=session, before=before, after=after)
    return updated


@transaction.atomic
def session_mark_held(
    *,
    session: Session,
    version: int,
    attendees: Iterable[Member],
    by: AbstractBaseUser | None = None,
) -> Session:
    """Record that the session took place, and who was there."""
    fields, name = ["status", "held_at"], str(session)
    attendees = list(attendees)
    present = list(session.attendees.all())
    if session.status == SessionStatus.HELD and {m.pk for m in present} == {
        m.pk for m in attendees
    }:
        return session
    before = snapshot(session, fields) | {"attendees": _people(present)}
    _bump(Session, session.pk, version, status=SessionStatus.HELD, held_at=timezone.now())
    session.refresh_from_db()
    session.attendees.set(attendees)
    after = snapshot(session, fields) | {"attendees": _people(attendees)}
    audit_record(by=by, action="held", obj=session, before=before, after=after, object_repr=name)
    return session


@transaction.atomic
def session_set_status(
    *, session: Session, version: int, status: str, by: AbstractBaseUser | None = None
) -> Session:
    """Cancel a session, call it missed, or reopen it as planned."""
    if status not in SessionStatus.values:
        raise ValidationError("Unknown status.", code="invalid")
    if session.status == status:
        return session
    before, name = snapshot(session, ["status", "held_at"]), str(session)
    held_at = timezone.now() if status == SessionStatus.HELD else None
    _bump(Session, session.pk, version, status=status, held_at=held_at)
    session.refresh_from_db()
    after = snapshot(session, ["status", "held_at"])
    audit_record(by=by, action="changed", obj=session, before=before, after=after, object_repr=name)
    return session


# --- the session log ------------------------------------------------------------------------


@transaction.atomic
def success_add(
    *,
    session: Session,
    text: str,
    shared_by: Member | None,
    by: AbstractBaseUser | None = None,
) -> SessionSuccess:
    """A success shared at the session: it belongs to the session's partnership and objective
    and is dated on the session's day; ``by`` is the login who wrote it down (its author)."""
    success = SessionSuccess.at_session(session, text=text.strip(), shared_by=shared_by, author=by)
    success.save()
    success.partnership = session.partnership  # the audit trail keeps their names
    success.objective = session.partnership.objective
    _audit_added(success, by)
    return success


@transaction.atomic
def progress_add(
    *, session: Session, objective, call: str, note: str, by: AbstractBaseUser | None = None
) -> ObjectiveProgress:
    progress = ObjectiveProgress(
        organization_id=session.organization_id,
        session=session,
        objective=objective,
        call=call,
        note=note.strip(),
    )
    progress.full_clean()
    progress.save()
    _audit_added(progress, by)
    return progress


@transaction.atomic
def feedback_add(
    *,
    session: Session,
    from_member: Member | None,
    text: str,
    for_facilitator_only: bool = False,
    by: AbstractBaseUser | None = None,
) -> FeedbackItem:
    """Feedback at the session; ``by`` is who wrote it down (an attendee's own is theirs to
    edit), and ``for_facilitator_only`` hides it from everyone but them and the facilitator."""
    feedback = FeedbackItem.objects.create(
        organization_id=session.organization_id,
        session=session,
        from_member=from_member,
        text=text.strip(),
        for_facilitator_only=for_facilitator_only,
        author=by if by is not None and by.is_authenticated else None,
    )
    _audit_added(feedback, by)
    return feedback


@transaction.atomic
def action_item_add(
    *,
    session: Session,
    text: str,
    owner: Member,
    due_on: datetime.date | None,
    by: AbstractBaseUser | None = None,
) -> ActionItem:
    item = ActionItem.objects.create(
        organization_id=session.organization_id,
        session=session,
        text=text.strip(),
        owner=owner,
        due_on=due_on,
    )
    _audit_added(item, by)
    return item


@transaction.atomic
def log_item_edit(
    *, item: models.Model, version: int, changes: dict, by: AbstractBaseUser | None = None
) -> models.Model:
    """Save an edited log item (success, progress call, feedback, action item) if nobody
    else saved it since the form was rendered."""
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    before = snapshot(item, cleaned)
    fields = {}
    for name, value in cleaned.items():
        field = item._meta.get_field(name)
        fields[field.attname if isinstance(field, models.ForeignKey) else name] = (
            value.pk if isinstance(value, models.Model) else value
        )
    if _unchanged(item, **fields):
        return item
    try:
        with transaction.atomic():
            _bump(type(item), item.pk, version, **fields)
    except IntegrityError:
        raise ValidationError(
            "That would repeat an entry this session already has.", code="duplicate"
        ) from None
    item.refresh_from_db()
    for name, value in cleaned.items():
        if isinstance(value, models.Model):
            setattr(item, name, value)  # loaded already: names it in the trail, no query
    after = snapshot(item, cleaned)
    audit_record(by=by, action="changed", obj=item, before=before, after=after)
    return item


def _log_item_kept_fields(item: models.Model) -> list[str]:
    """What a removal keeps of a log item: its own fields and its session."""
    return [*_log_item_fields(item), "session"]


@transaction.atomic
def log_item_remove(*, item: models.Model, by: AbstractBaseUser | None = None) -> AuditEntry:
    """Delete an entry of a session's log (written by mistake); the audit entry keeps its
    values, and log_item_restore puts it back from them."""
    current = (
        type(item).objects.select_for_update().get(organization_id=item.organization_id, pk=item.pk)
    )
    entry = audit_entry(
        by=by,
        action="removed",
        obj=current,
        before=snapshot(current, _log_item_kept_fields(current)),
        object_repr=str(item),
    )
    current.delete()
    entry.save()
    return entry


@transaction.atomic
def log_item_restore(
    *, entry: AuditEntry, model: type[models.Model], by: AbstractBaseUser | None = None
) -> models.Model:
    """Undo a log entry's removal: the same values, as a new row of `model`."""
    undone = AuditEntry.objects.filter(
        organization_id=entry.organization_id,
        action="restored",
        object_type=entry.object_type,
        changes__restored_from__1=entry.pk,
    )
    if undone.exists():
        raise ValidationError("That removal was already undone.", code="already_restored")
    values = {}
    for name, (kept, _) in entry.changes.items():
        field = model._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            values[field.attname] = kept["id"] if kept else None
        else:
            values[name] = field.to_python(kept)
    item = model(organization_id=entry.organization_id, **values)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError(
            "It cannot be put back: what it named is gone, or the log has the same entry again.",
            code="conflict",
        ) from None
    after = snapshot(item, _log_item_kept_fields(item)) | {"restored_from": entry.pk}
    audit_record(by=by, action="restored", obj=item, after=after)
    return item


@transaction.atomic
def action_item_set_done(
    *,
    item: ActionItem,
    version: int,
    done: bool,
    today: datetime.date,
    by: AbstractBaseUser | None = None,
) -> ActionItem:
    if item.is_done == done:
        return item  # done stays done on the day it was done
    before = snapshot(item, ["done_on"])
    _bump(ActionItem, item.pk, version, done_on=today if done else None)
    item.refresh_from_db()
    after = snapshot(item, ["done_on"])
    audit_record(by=by, action="changed", obj=item, before=before, after=after)
    return item


# --- calendar feeds -------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_for(*, membership: OrgMembership) -> CalendarFeed:
    """The person's feed; a new address when they logged out on every device since the last."""
    feed, _ = CalendarFeed.objects.get_or_create(
        membership=membership,
        defaults={
            "organization": membership.organization,
            "issued_after_logouts": membership.logouts_everywhere,
        },
    )
    if feed.is_outlived:
        feed = calendar_feed_reset(membership=membership)
    return feed


@transaction.atomic
def calendar_feed_reset(*, membership: OrgMembership) -> CalendarFeed:
    """Give the person a new secret feed address; the old one stops working at once."""
    feed, _ = CalendarFeed.objects.get_or_create(
        membership=membership, defaults={"organization": membership.organization}
    )
    feed.token = new_feed_token()
    feed.reset_at = timezone.now()
    feed.issued_after_logouts = membership.logouts_everywhere
    feed.save(update_fields=["token", "reset_at", "issued_after_logouts"])
    return feed


# --- the agenda (issue 20) -------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(
    *,
    session: Session,
    part: str,
    text: str,
    added_by: Member | None,
    by: AbstractBaseUser | None = None,
) -> AgendaItem:
    """A point on the session's agenda, under one of its parts, marked as ``added_by``'s."""
    item = AgendaItem(
        organization_id=session.organization_id,
        session=session,
        part=part,
        text=text.strip(),
        added_by=added_by,
        author=by if by is not None and by.is_authenticated else None,
    )
    item.full_clean(exclude=["session", "organization"])
    item.save()
    _audit_added(item, by)
    return item


AGENDA_PARTS = ("successes", "objectives", "feedback", "close")


@transaction.atomic
def session_agenda_set(
    *, session: Session, minutes: dict[str, int] | None, by: AbstractBaseUser | None = None
) -> SessionAgenda | None:
    """The facilitator's minutes for each part (they must add up to the session's length), or
    with ``minutes`` None back to the minutes that follow from the data."""
    current = (
        SessionAgenda.objects.select_for_update()
        .filter(organization_id=session.organization_id, session=session)
        .first()
    )
    fields = [f"{part}_minutes" for part in AGENDA_PARTS]
    if minutes is None:
        if current is not None:
            entry = audit_entry(
                by=by, action="removed", obj=current, before=snapshot(current, fields)
            )
            current.delete()
            entry.save()
        return None
    total = sum(minutes.values())
    if total != session.duration_minutes:
        raise ValidationError(
            f"The parts add up to {total} minutes; the session lasts {session.duration_minutes}.",
            code="total",
        )
    values = {f"{part}_minutes": minutes[part] for part in AGENDA_PARTS}
    if current is None:
        current = SessionAgenda.objects.create(
            organization_id=session.organization_id, session=session, **values
        )
        audit_record(by=by, action="added", obj=current, after=snapshot(current, fields))
        return current
    before = snapshot(current, fields)
    if _unchanged(current, **values):
        return current
    for name, value in values.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    audit_record(
        by=by, action="changed", obj=current, before=before, after=snapshot(current, fields)
    )
    return current
