"""The audit trail: recording who changed what, and reading it back for the admins' page.

Services call `audit_record` inside their transaction, after the write, with a snapshot of the
object's fields before and after; only the fields that differ are kept. A rolled-back change
leaves no entry. Bulk writers (the import, the quarter planner) build entries with
`audit_entry` and save them with one `AuditEntry.objects.bulk_create`.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from org import dates
from org.models import AuditEntry, Organization

# The kinds of object the trail knows: the model each stands for, and its name on the page.
OBJECT_TYPES = {
    "member": ("org.member", "Member"),
    "team_seat": ("org.teammembership", "Team seat"),
    "login": ("org.orgmembership", "Login"),
    "invitation": ("org.invitation", "Invitation"),
    "objective": ("partnerships.objective", "Objective"),
    "partnership": ("partnerships.partnership", "Partnership"),
    "relationship": ("partnerships.relationship", "Relationship"),
    "session": ("meetings.session", "Session"),
    "success": ("meetings.sessionsuccess", "Success"),
    "progress_call": ("meetings.objectiveprogress", "Progress call"),
    "feedback": ("meetings.feedbackitem", "Feedback"),
    "action_item": ("meetings.actionitem", "Action item"),
    "agenda_item": ("meetings.agendaitem", "Agenda item"),
    "session_agenda": ("meetings.sessionagenda", "Session agenda"),
    "blackout_date": ("meetings.blackoutdate", "Blackout date"),
    "checklist_item": ("meetings.checklistitem", "Checklist item"),
    "measurement": ("meetings.objectivemeasurement", "Measurement"),
    "satisfaction_score": ("meetings.satisfactionscore", "Satisfaction score"),
    "pulse_rating": ("meetings.pulserating", "Pulse rating"),
    "pulse_given": ("meetings.pulsegiven", "Pulse given"),
    "organization": ("org.organization", "Organization settings"),
    "single_sign_on": ("org.singlesignon", "Single sign-on"),
    "accepted_risk": ("partnerships.acceptedrisk", "Accepted risk"),
    "scenario": ("scenarios.scenario", "Scenario"),
}
MODEL_TYPES = {model: object_type for object_type, (model, _) in OBJECT_TYPES.items()}

REPR_LENGTH = AuditEntry._meta.get_field("object_repr").max_length


def json_value(value: Any) -> Any:
    """A field's value as JSON: dates and times in ISO form, decimals as text."""
    if isinstance(value, models.Model):
        return {"id": value.pk, "repr": str(value)}
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")  # 61, 61.0 and 61.00 are one value
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of `obj` as JSON values.

    A foreign key that is already loaded is kept as {"id", "repr"}; one that is not is kept as
    {"id"} alone, so that taking a snapshot never costs a query.
    """
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            pk = getattr(obj, field.attname)
            if pk is None:
                values[name] = None
            elif field.is_cached(obj):
                values[name] = json_value(getattr(obj, name))
            else:
                values[name] = {"id": pk}
        else:
            values[name] = json_value(getattr(obj, name))
    return values


def _same(before: Any, after: Any) -> bool:
    """Related objects compare by id: a snapshot may carry a name on one side only."""
    if isinstance(before, dict) and isinstance(after, dict) and "id" in before and "id" in after:
        return before["id"] == after["id"]
    return before == after


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list]:
    """{field: [before, after]} for the fields whose values differ.

    A creation (no before) keeps the fields that have a value; a removal (no after) keeps the
    fields the object had.
    """
    before, after = before or {}, after or {}
    changes = {}
    for name in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(name), after.get(name)
        if _same(old, new) or (old in (None, "", []) and new in (None, "", [])):
            continue
        changes[name] = [old, new]
    return changes


def _actor(by: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return by if by is not None and by.is_authenticated else None


def audit_entry(
    *,
    by: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    object_type: str | None = None,
    object_repr: str | None = None,
    at: datetime.datetime | None = None,
) -> AuditEntry:
    """An unsaved entry for a change to `obj` (its organization is the object's own)."""
    actor = _actor(by)
    object_type = object_type or MODEL_TYPES.get(obj._meta.label_lower)
    if object_type not in OBJECT_TYPES:
        raise ValueError(f"Unknown object type for the audit trail: {object_type!r}")
    return AuditEntry(
        # An organization's own settings are entries of that organization.
        organization_id=obj.pk if isinstance(obj, Organization) else obj.organization_id,
        at=at or timezone.now(),
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=obj.pk,
        object_repr=(str(obj) if object_repr is None else object_repr)[:REPR_LENGTH],
        changes=diff(before, after),
    )


def audit_record(
    *,
    by: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    object_type: str | None = None,
    object_repr: str | None = None,
) -> AuditEntry | None:
    """Save an entry for a change to `obj`; nothing when an edit changed no field."""
    entry = audit_entry(
        by=by,
        action=action,
        obj=obj,
        before=before,
        after=after,
        object_type=object_type,
        object_repr=object_repr,
    )
    if before is not None and after is not None and not entry.changes:
        return None
    entry.save()
    return entry


# --- reading ------------------------------------------------------------------------------------


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(OBJECT_TYPES[object_type][0])
    except (KeyError, LookupError):
        return None


def _related_model(model: type[models.Model] | None, name: str) -> type[models.Model] | None:
    """The model a tenant foreign key of `model` points to; None for anything else."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not isinstance(field, models.ForeignKey):
        return None
    related = field.related_model
    return related if any(f.name == "organization" for f in related._meta.fields) else None


def related_names(entries: Iterable[AuditEntry]) -> dict[tuple[str, Any], str]:
    """The names of the related objects that entries recorded by id alone ({"id": 2}), read
    for a page of entries: one query per kind of related object, inside each entry's own
    organization, whatever the number of entries. An object removed since keeps its id."""
    wanted: dict[type[models.Model], set[tuple[int, Any]]] = {}
    for entry in entries:
        model = _model(entry.object_type)
        for name, values in entry.changes.items():
            related = _related_model(model, name)
            if related is None:
                continue
            for value in values:
                if isinstance(value, dict) and "id" in value and not value.get("repr"):
                    wanted.setdefault(related, set()).add((entry.organization_id, value["id"]))
    names: dict[tuple[str, Any], str] = {}
    for related, keys in wanted.items():
        loads = [f.name for f in related._meta.concrete_fields if isinstance(f, models.ForeignKey)]
        query = models.Q()
        for organization_id in {org for org, _ in keys}:
            ids = [pk for org, pk in keys if org == organization_id]
            query |= models.Q(organization_id=organization_id, pk__in=ids)
        for obj in related._default_manager.filter(query).select_related(*loads):
            names[(related._meta.label_lower, obj.pk)] = str(obj)
    return names


def display_value(value: Any, name_of: Mapping[Any, str] | None = None) -> str:
    """One stored value in words for the page; `name_of` names a related object recorded by
    id alone (its id -> its name)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        found = (name_of or {}).get(value.get("id"))
        return str(value.get("repr") or found or f"#{value.get('id')}")
    if isinstance(value, list):
        return ", ".join(display_value(v, name_of) for v in value)
    if isinstance(value, str) and len(value) >= 10:
        try:
            if len(value) == 10:
                return dates.day(datetime.date.fromisoformat(value))
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return dates.moment(moment)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


def _field_words(object_type: str) -> tuple[dict[str, str], dict[str, dict]]:
    """The model's field names in words, and the choices of its fields with choices."""
    try:
        model = apps.get_model(OBJECT_TYPES[object_type][0])
    except (KeyError, LookupError):
        return {}, {}
    names, choices = {}, {}
    for field in model._meta.get_fields():
        if not hasattr(field, "verbose_name"):
            continue
        names[field.name] = str(field.verbose_name)
        if getattr(field, "choices", None):
            choices[field.name] = {k: str(v) for k, v in field.flatchoices}
    return names, choices


def field_changes(
    entry: AuditEntry, related: Mapping[tuple[str, Any], str] | None = None
) -> list[FieldChange]:
    """The entry's changes as rows of words: field, before, after; in the model's order of
    fields (PostgreSQL keeps JSON keys in an order of its own), then the others by name.
    `related` (from related_names) names the related objects recorded by id alone."""
    names, choices = _field_words(entry.object_type)
    model = _model(entry.object_type)
    order = {name: i for i, name in enumerate(names)}
    rows = []
    changes = sorted(entry.changes.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    for name, (old, new) in changes:
        words = choices.get(name, {})
        target = _related_model(model, name)
        label = target._meta.label_lower if target is not None else None
        name_of = {pk: n for (lbl, pk), n in (related or {}).items() if lbl == label}
        rows.append(
            FieldChange(
                names.get(name, name.replace("_", " ")),
                words.get(old, display_value(old))
                if isinstance(old, str)
                else display_value(old, name_of),
                words.get(new, display_value(new))
                if isinstance(new, str)
                else display_value(new, name_of),
            )
        )
    return rows


def object_type_label(object_type: str) -> str:
    return OBJECT_TYPES[object_type][1] if object_type in OBJECT_TYPES else object_type
