"""Writes for the leader's progress: checklists, satisfaction scores, objective measurements,
the partnership pulse and the success log.

Every function is keyword-only and atomic. A measurement carries the version its form was
rendered with (0 for "nothing entered yet"); when someone saved in between, the write is
refused with `StaleEdit` and the newer value stays. Every entry and correction of a measured
value leaves a `MeasurementChange` row: which field, from what, to what, who and when.

The pulse is different: each person gives their own once (`pulse_give`), and nothing records
who answered what, only that they answered (`PulseGiven`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from meetings.models import (
    PULSE_FIELDS,
    Action,
    ActionState,
    Checklist,
    ChecklistItem,
    ChecklistOptIn,
    MeasurementChange,
    ObjectiveMeasurement,
    PulseGiven,
    PulseRating,
    SatisfactionScore,
    ScoreKind,
    Session,
    SessionRating,
    SessionStatus,
    SessionSuccess,
)
from meetings.quarters import Quarter
from meetings.services import StaleEdit
from org.audit import audit_record, json_value, snapshot
from org.models import Member, Organization, OrgMembership, Role
from partnerships import rules
from partnerships.models import Objective, Partnership, Relationship

# --- who keeps a checklist -------------------------------------------------------------------


def keeps_checklist(membership: OrgMembership, opted_in: bool) -> bool:
    """Leaders always keep a checklist; managers when they opted in."""
    return membership.role == Role.LEADER or (membership.role == Role.MANAGER and opted_in)


@transaction.atomic
def checklist_opt_in(*, membership: OrgMembership) -> ChecklistOptIn:
    if membership.role != Role.MANAGER:
        raise ValidationError("Only managers opt in; leaders always keep the checklist.")
    opt_in, _ = ChecklistOptIn.objects.get_or_create(
        membership=membership, defaults={"organization_id": membership.organization_id}
    )
    return opt_in


@transaction.atomic
def checklist_opt_out(*, membership: OrgMembership) -> None:
    """Stop keeping the checklist; the checklists kept so far stay."""
    ChecklistOptIn.objects.filter(membership=membership).delete()


# --- the checklist ---------------------------------------------------------------------------


def previous_checklist(membership: OrgMembership, quarter: Quarter) -> Checklist | None:
    """The person's latest checklist of a quarter before this one."""
    return (
        Checklist.objects.filter(membership=membership, quarter_start__lt=quarter.start)
        .order_by("-quarter_start")
        .first()
    )


@transaction.atomic
def checklist_ensure(*, membership: OrgMembership, quarter: Quarter) -> Checklist:
    """The person's checklist for the quarter, created on first use with one item per action:
    every state 'not started', every note carried over from their latest earlier checklist,
    so that evidence is never typed twice."""
    checklist = Checklist.objects.filter(membership=membership, quarter_start=quarter.start).first()
    if checklist is not None:
        return checklist
    try:
        with transaction.atomic():
            checklist = Checklist.objects.create(
                organization_id=membership.organization_id,
                membership=membership,
                quarter_start=quarter.start,
            )
    except IntegrityError:  # created by a request that ran at the same moment
        return Checklist.objects.get(membership=membership, quarter_start=quarter.start)
    notes: dict[int, str] = {}
    previous = previous_checklist(membership, quarter)
    if previous is not None:
        notes = dict(previous.items.values_list("action_id", "note"))
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            organization_id=membership.organization_id,
            checklist=checklist,
            action=action,
            note=notes.get(action.pk, ""),
        )
        for action in Action.objects.order_by("number")
    )
    return checklist


def _item(checklist: Checklist, number: int) -> ChecklistItem:
    return ChecklistItem.objects.select_related("action").get(
        checklist=checklist, action__number=number
    )


@transaction.atomic
def checklist_item_set_state(
    *,
    membership: OrgMembership,
    quarter: Quarter,
    number: int,
    state: str,
    by: AbstractBaseUser | None = None,
) -> ChecklistItem:
    """Set where action ``number`` stands this quarter (not started, in progress, done)."""
    if state not in ActionState.values:
        raise ValidationError("Pick not started, in progress or done.", code="invalid")
    checklist = checklist_ensure(membership=membership, quarter=quarter)
    before = _item(checklist, number)
    if before.state == state:
        return before
    ChecklistItem.objects.filter(checklist=checklist, action__number=number).update(
        state=state, updated_at=timezone.now()
    )
    item = _item(checklist, number)
    _audit_checklist_item(before, item, "state", quarter, by)
    return item


def _audit_checklist_item(
    before: ChecklistItem,
    after: ChecklistItem,
    field: str,
    quarter: Quarter,
    by: AbstractBaseUser | None,
) -> None:
    audit_record(
        by=by,
        action="changed",
        obj=after,
        before=snapshot(before, [field]),
        after=snapshot(after, [field]),
        object_repr=f"{after.action} · {quarter.label}",
    )


@transaction.atomic
def checklist_item_save_note(
    *,
    membership: OrgMembership,
    quarter: Quarter,
    number: int,
    note: str,
    version: int,
    by: AbstractBaseUser | None = None,
) -> ChecklistItem:
    """Save the evidence note of one action, unless it changed since the form was rendered."""
    checklist = checklist_ensure(membership=membership, quarter=quarter)
    before = _item(checklist, number)
    if before.version != version:
        raise StaleEdit(before)
    if before.note == note.strip():
        return before
    updated = ChecklistItem.objects.filter(
        checklist=checklist, action__number=number, version=version
    ).update(note=note.strip(), version=F("version") + 1, updated_at=timezone.now())
    item = _item(checklist, number)
    if updated != 1:
        raise StaleEdit(item)
    _audit_checklist_item(before, item, "note", quarter, by)
    return item


# --- measurements ----------------------------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return "" if value is None else str(value)


def _record(
    subject: models.Model,
    *,
    changes: Mapping[str, tuple[object, object]],
    user,
    organization_id: int,
) -> None:
    key = {
        SatisfactionScore: "score",
        ObjectiveMeasurement: "measurement",
    }[type(subject)]
    now = timezone.now()
    MeasurementChange.objects.bulk_create(
        MeasurementChange(
            organization_id=organization_id,
            field=field,
            old_value=_text(old),
            new_value=_text(new),
            changed_by=user,
            changed_at=now,
            **{key: subject},
        )
        for field, (old, new) in changes.items()
        if _text(old) != _text(new)
    )
    created = all(old is None for old, _ in changes.values())
    audit_record(
        by=user,
        action="created" if created else "changed",
        obj=subject,
        before={field: json_value(old) for field, (old, _) in changes.items()},
        after={field: json_value(new) for field, (_, new) in changes.items()},
    )


def _save_versioned(
    model: type[models.Model],
    lookup: dict,
    *,
    version: int,
    values: dict,
    create: dict,
    user,
    organization_id: int,
) -> models.Model:
    """Create the row (``version`` 0) or correct it (``version`` = the row's), record every
    changed field, and refuse a write based on an outdated form."""
    current = (
        model.objects.select_for_update().filter(organization_id=organization_id, **lookup).first()
    )
    if current is None:
        if version != 0:
            raise ValidationError("This value no longer exists; reload the page.", code="gone")
        row = model(**lookup, **create, **values)
        row.full_clean()
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # someone entered it at the same moment
            raise StaleEdit(model.objects.get(**lookup)) from None
        _record(
            row,
            changes={name: (None, value) for name, value in values.items()},
            user=user,
            organization_id=organization_id,
        )
        return row
    if current.version != version:
        raise StaleEdit(current)
    for name, value in lookup.items():
        if isinstance(value, models.Model):
            setattr(current, name, value)  # loaded already: the audit trail names it, no query
    old = {name: getattr(current, name) for name in values}
    if all(old[name] == value for name, value in values.items()):
        return current  # nothing changed: no write, no new version, no history, no entry
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    current.version += 1
    current.save()
    _record(
        current,
        changes={name: (old[name], values[name]) for name in values},
        user=user,
        organization_id=organization_id,
    )
    return current


@transaction.atomic
def satisfaction_score_set(
    *,
    organization: Organization,
    kind: str,
    quarter: Quarter,
    value: Decimal,
    version: int,
    user,
) -> SatisfactionScore:
    """Enter or correct the organization's customer or employee satisfaction (0-100)."""
    if kind not in ScoreKind.values:
        raise ValidationError("Unknown score.", code="invalid")
    return _save_versioned(
        SatisfactionScore,
        {"organization": organization, "kind": kind, "quarter_start": quarter.start},
        version=version,
        values={"value": value},
        create={},
        user=user,
        organization_id=organization.pk,
    )


@transaction.atomic
def objective_measurement_set(
    *,
    objective: Objective,
    quarter: Quarter,
    value: Decimal,
    unit: str,
    version: int,
    user,
) -> ObjectiveMeasurement:
    """Enter or correct an objective's measured value; it must be in the objective's unit."""
    if not objective.target_unit:
        raise ValidationError(
            "This objective has no unit to measure in; give it a target and unit first.",
            code="no_unit",
        )
    if unit.strip() != objective.target_unit:
        raise ValidationError(
            "%(objective)s is measured in “%(unit)s”; enter the value in that unit.",
            code="wrong_unit",
            params={"objective": objective.title, "unit": objective.target_unit},
        )
    return _save_versioned(
        ObjectiveMeasurement,
        {"objective": objective, "quarter_start": quarter.start},
        version=version,
        values={"value": value},
        create={"organization_id": objective.organization_id, "unit": objective.target_unit},
        user=user,
        organization_id=objective.organization_id,
    )


def pulse_quadrants(session: Session, member: Member) -> list[str]:
    """The quadrants the member rates at the session: those of the partnership's people during
    the session's quarter, except the member's own (one query)."""
    quarter = session.quarter
    present = set()
    for pair in (
        Relationship.objects.filter(partnership_id=session.partnership_id)
        .overlapping(quarter.start, quarter.end)
        .values_list("from_quadrant", "to_quadrant")
    ):
        present.update(pair)
    return [q for q in rules.QUADRANTS if q in present and q != member.quadrant]


def pulse_problem(session: Session, member: Member) -> str:
    """Why this person cannot give their pulse at this session now ("" if they can)."""
    if session.status != SessionStatus.HELD:
        return "The pulse is given once the session is held: come back after it."
    if not session.attendees.filter(pk=member.pk).exists():
        return "Only the session's attendees give its pulse."
    if PulseGiven.objects.filter(session=session, member=member).exists():
        return "You have already given your pulse for this session. Thank you."
    return ""


@transaction.atomic
def pulse_give(
    *,
    session: Session,
    member: Member,
    worth: int,
    pulse: Mapping[str, Mapping[str, int]],
    via: str,
    user=None,
) -> PulseGiven:
    """A person's own answers at a session, given once: the session's worth (1-5) and, for
    each other quadrant of the partnership, the seven ratings. The audit entry and PulseGiven
    say that they answered, never what."""
    problem = pulse_problem(session, member)
    if problem:
        raise ValidationError(problem, code="not_allowed")
    allowed = set(pulse_quadrants(session, member))
    if set(pulse) - allowed:
        raise ValidationError("Rate only the other quadrants of the partnership.", code="quadrant")
    try:
        with transaction.atomic():
            given = PulseGiven.objects.create(
                organization_id=session.organization_id, session=session, member=member, via=via
            )
    except IntegrityError:  # the same person answering at the same moment elsewhere
        raise ValidationError(
            "You have already given your pulse for this session. Thank you.", code="given"
        ) from None
    rating = SessionRating(
        organization_id=session.organization_id, session=session, rater=member, value=worth
    )
    rating.full_clean()
    rating.save()
    ratings = [
        PulseRating(
            organization_id=session.organization_id,
            session=session,
            relationship=None,
            rater=member,
            rater_quadrant=member.quadrant,
            other_quadrant=quadrant,
            **{name: values[name] for name in PULSE_FIELDS},
        )
        for quadrant, values in pulse.items()
    ]
    for row in ratings:
        row.full_clean(validate_constraints=False)
    PulseRating.objects.bulk_create(ratings)
    audit_record(by=user, action="created", obj=given)
    return given


# --- the success log -------------------------------------------------------------------------


@transaction.atomic
def success_create(
    *,
    partnership: Partnership,
    objective: Objective,
    happened_on: datetime.date,
    text: str,
    author,
    shared_by: Member | None = None,
    shared_with_organization: bool = False,
) -> SessionSuccess:
    """A success entered directly, outside a session."""
    if objective.organization_id != partnership.organization_id:
        raise ValidationError("That objective belongs to another organization.")
    success = SessionSuccess(
        organization_id=partnership.organization_id,
        session=None,
        partnership=partnership,
        objective=objective,
        happened_on=happened_on,
        text=text.strip(),
        author=author,
        shared_by=shared_by,
        shared_with_organization=shared_with_organization,
    )
    success.full_clean()
    success.save()
    fields = [
        "partnership",
        "objective",
        "happened_on",
        "text",
        "shared_by",
        "author",
        "shared_with_organization",
    ]
    audit_record(by=author, action="added", obj=success, after=snapshot(success, fields))
    return success


@transaction.atomic
def success_set_shared(
    *, success: SessionSuccess, shared: bool, by: AbstractBaseUser | None = None
) -> SessionSuccess:
    """Share a success with the whole organization, or take it back to its partnership."""
    if success.shared_with_organization == shared:
        return success
    before = snapshot(success, ["shared_with_organization"])
    SessionSuccess.objects.filter(pk=success.pk).update(
        shared_with_organization=shared, updated_at=timezone.now()
    )
    success.shared_with_organization = shared
    after = snapshot(success, ["shared_with_organization"])
    audit_record(by=by, action="changed", obj=success, before=before, after=after)
    return success
