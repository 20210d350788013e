"""A JSON backup of one organization, and its restore into an empty organization.

Each app has a *section*: the tables it owns, in an order where every foreign key points to
a table already restored (in its own section or an earlier one). The sections are declared
at the end of this module, one per app:

    register(Section("meetings", tables=(Table(Session), Table(SessionLog, scope="session"))))

Sections are restored in the order of INSTALLED_APPS (org, partnerships, meetings). Every
concrete field of a table is kept, timestamps included, so that a new field is backed up
without touching this module; foreign keys are written as the row's id in the backup and
mapped to the new ids on restore; foreign keys to users are written as usernames, and many-
to-many fields as lists of ids. A section's version lets a later format read older backups.

Reference tables (rows every organization shares, such as the 13 actions, which arrive by
data migration) are not backed up: a section names them with the unique field that
identifies them, `Section(..., references={Action: "number"})`, a foreign key to one is
written as that field's value (the action's number, not its id), and a restore looks the
row up by it; a backup naming a reference row this installation lacks is refused.

What is covered today: the organization's settings; its members, team seats and quadrant
moves, and its logins' roles (org); objectives, partnerships and relationships
(partnerships); sessions with their attendees, logs (successes, progress calls, feedback,
action items) and sent reminders, blackout dates, the quarterly checklists and checklist
opt-ins, satisfaction scores, objective values, pulse ratings and the history of changes to
them (meetings). Calendar feeds are left out: their tokens are secrets of a login. Whatever
other apps register is covered as they register it.

Users and passwords are never in a backup. Logins (an organization's OrgMemberships) are
restored only when asked, onto users that already exist, matched by username; without them,
rows that belong to a login (checklists and checklist opt-ins, whose foreign key to the
login cannot be empty) are left out too, and counted in the report's `left_out` with the
reason. A reference to a user that can be empty (who moved someone, who wrote a success, who
changed a value) points to the existing user of that username, or is emptied when there is
none, and counted in the report's `emptied`.

A restore checks the whole backup before it writes anything: every reference must name a
row of the backup itself (or a user, or a reference row by its natural key). A reference to
anything else (an edited file pointing at another organization's member, a row that is not
there) refuses the whole restore, naming the table, the row and the field.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.utils import timezone

from meetings.models import (
    Action,
    ActionItem,
    AgendaItem,
    BlackoutDate,
    Checklist,
    ChecklistItem,
    ChecklistOptIn,
    FeedbackItem,
    MeasurementChange,
    ObjectiveMeasurement,
    ObjectiveProgress,
    PulseGiven,
    PulseLinkSent,
    PulseRating,
    SatisfactionScore,
    SentReminder,
    Session,
    SessionAgenda,
    SessionRating,
    SessionSuccess,
)
from org.models import Member, Organization, OrgMembership, QuadrantMove, TeamMembership
from partnerships.models import Objective, Partnership, Relationship

FORMAT = "partnership-map-backup"
FORMAT_VERSION = 1
BATCH = 500
ORGANIZATION_FIELDS = ("name", "slug", "fiscal_year_start_month", "time_zone", "leadership_titles")
# Settings added after the format's first version: a backup made before holds none of them.
LATER_ORGANIZATION_FIELDS = ("leadership_titles",)


@dataclass(frozen=True)
class Table:
    """One model's rows of an organization.

    scope: the lookup from the model to its organization ("organization" for tenant tables
    that carry the key themselves, e.g. "session__organization" otherwise).
    logins: rows that need a user (an organization's logins): restored only when asked,
    and only onto users that exist.
    """

    model: type[models.Model]
    scope: str = "organization"
    logins: bool = False

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def fields(self) -> list[models.Field]:
        return [
            f
            for f in self.model._meta.concrete_fields
            if not f.primary_key and f.name != "organization"
        ]

    def many_to_many(self) -> list[models.ManyToManyField]:
        return [
            f for f in self.model._meta.many_to_many if f.remote_field.through._meta.auto_created
        ]

    def rows(self, organization: Organization):
        return self.model._default_manager.filter(**{self.scope: organization}).order_by("pk")


@dataclass(frozen=True)
class Section:
    """An app's tables, and the reference tables they point to: model -> the unique field
    that names a row in every installation (e.g. {Action: "number"})."""

    name: str
    tables: tuple[Table, ...]
    version: int = 1
    references: Mapping[type[models.Model], str] = field(default_factory=dict)


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    _SECTIONS[section.name] = section
    return section


def sections() -> list[Section]:
    """The registered sections, in restore order; every foreign key must point backwards."""
    order = {app.label: i for i, app in enumerate(apps.get_app_configs())}
    found = sorted(
        _SECTIONS.values(),
        key=lambda s: min(order.get(t.model._meta.app_label, len(order)) for t in s.tables),
    )
    known: set[type[models.Model]] = {Organization, get_user_model()}
    for section in found:
        for model, key in section.references.items():
            if not model._meta.get_field(key).unique:
                raise ImproperlyConfigured(
                    f"Backup section {section.name}: {model._meta.label}.{key} is not unique, "
                    "so it cannot name a reference row."
                )
            known.add(model)
        for table in section.tables:
            known.add(table.model)
            for f in [*table.fields(), *table.many_to_many()]:
                if f.is_relation and f.related_model not in known:
                    raise ImproperlyConfigured(
                        f"Backup section {section.name}: {table.label}.{f.name} points to "
                        f"{f.related_model._meta.label}, which no earlier table holds."
                    )
    return found


def references() -> dict[type[models.Model], str]:
    """Every registered section's reference tables: model -> the field that names a row."""
    return {model: key for s in sections() for model, key in s.references.items()}


class _NaturalKeys:
    """Reference rows' ids and natural keys, each table read once and only when needed."""

    def __init__(self) -> None:
        self.keys = references()
        self._by_pk: dict[type[models.Model], dict[Any, Any]] = {}
        self._by_key: dict[type[models.Model], dict[Any, Any]] = {}

    def key_of(self, model: type[models.Model], pk: Any) -> Any:
        if model not in self._by_pk:
            self._by_pk[model] = dict(model._default_manager.values_list("pk", self.keys[model]))
        return self._by_pk[model][pk]

    def pk_of(self, model: type[models.Model], key: Any) -> Any:
        if model not in self._by_key:
            self._by_key[model] = dict(model._default_manager.values_list(self.keys[model], "pk"))
        try:
            return self._by_key[model][model._meta.get_field(self.keys[model]).to_python(key)]
        except KeyError:
            raise BackupError(
                f"The backup refers to {model._meta.verbose_name} {self.keys[model]}={key}, "
                "which this installation does not have.",
                code="unknown_reference",
            ) from None


# --- writing a backup --------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def backup_organization(organization: Organization) -> dict:
    """Everything the registered sections hold about one organization, as plain JSON data."""
    user_model = get_user_model()
    usernames: dict[Any, str] | None = None
    natural = _NaturalKeys()
    result = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "organization": {name: getattr(organization, name) for name in ORGANIZATION_FIELDS},
        "sections": {},
    }
    for section in sections():
        tables = {}
        for table in section.tables:
            fields = table.fields()
            m2m = table.many_to_many()
            queryset = table.rows(organization)
            if m2m:
                queryset = queryset.prefetch_related(*(f.name for f in m2m))
            rows = []
            for obj in queryset:
                row = {"id": obj.pk}
                for f in fields:
                    value = getattr(obj, f.attname)
                    if f.is_relation and f.related_model is user_model and value is not None:
                        if usernames is None:
                            usernames = dict(
                                user_model.objects.values_list("pk", user_model.USERNAME_FIELD)
                            )
                        value = usernames.get(value)
                    elif f.is_relation and f.related_model in natural.keys and value is not None:
                        value = natural.key_of(f.related_model, value)
                    row[f.name] = _plain(value)
                for f in m2m:
                    row[f.name] = sorted(o.pk for o in getattr(obj, f.name).all())
                rows.append(row)
            tables[table.label] = rows
        result["sections"][section.name] = {"version": section.version, "tables": tables}
    return result


def write_backup(organization: Organization, out: IO[str]) -> None:
    json.dump(backup_organization(organization), out, ensure_ascii=False, indent=1)
    out.write("\n")


# --- restoring a backup ----------------------------------------------------------------------


class BackupError(ValidationError):
    pass


# Why a row is left out of a restore: it belongs to a login that is not restored.
WITHOUT_LOGINS = "with the logins, which were not restored (use --logins)"
WITHOUT_USER = "with logins whose user does not exist here"
# Why a reference that may be empty is emptied.
NO_SUCH_USER = "no user of that name here"


@dataclass
class RestoreReport:
    organization: Organization | None = None
    rows: dict[str, int] = field(default_factory=dict)
    skipped_logins: list[str] = field(default_factory=list)
    # rows left out because what they cannot be without was not restored (a login, when
    # logins are not restored, or when its user does not exist): reason -> table label -> count
    left_out: dict[str, dict[str, int]] = field(default_factory=dict)
    # references that may be empty and were emptied: (table label.field, reason) -> count
    emptied: dict[tuple[str, str], int] = field(default_factory=dict)
    # what the check found: model -> ids of its rows that are not restored, and why
    dropped: dict[type[models.Model], dict[Any, str]] = field(default_factory=dict, repr=False)

    def leave_out(self, table: Table, row_id: Any, reason: str) -> None:
        self.dropped.setdefault(table.model, {})[row_id] = reason
        if not table.logins:  # the logins themselves are listed in skipped_logins
            counts = self.left_out.setdefault(reason, {})
            counts[table.label] = counts.get(table.label, 0) + 1


def read_backup(source: IO[str] | IO[bytes]) -> dict:
    try:
        data = json.load(source)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"This is not a JSON backup ({exc}).", code="not_json") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError("This file is not a Partnership Map backup.", code="wrong_format")
    if data.get("version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {data.get('version')}; this version of "
            f"Partnership Map reads version {FORMAT_VERSION}.",
            code="wrong_version",
        )
    return data


def organization_is_empty(organization: Organization) -> bool:
    return not any(table.rows(organization).exists() for s in sections() for table in s.tables)


@transaction.atomic
def restore_backup(
    data: dict,
    *,
    slug: str,
    name: str | None = None,
    logins: bool = False,
) -> RestoreReport:
    """Restore a backup into the organization `slug`: made from the backup's settings when
    missing, refused when it holds anything already. The whole backup is checked first; all
    or nothing."""
    registered = {s.name: s for s in sections()}
    unknown = set(data["sections"]) - registered.keys()
    if unknown:
        raise BackupError(
            f"The backup has sections this installation does not know: {', '.join(sorted(unknown))}.",
            code="unknown_section",
        )
    for section_name, stored in data["sections"].items():
        section = registered[section_name]
        if stored.get("version") != section.version:
            raise BackupError(
                f"The {section_name} section has version {stored.get('version')}; this "
                f"installation reads version {section.version}.",
                code="wrong_section_version",
            )
    natural = _NaturalKeys()
    report = check_backup(data, logins=logins, natural=natural)
    settings = data["organization"]
    organization = Organization.objects.select_for_update().filter(slug=slug).first()
    if organization is None:
        organization = Organization(
            **{
                k: settings[k]
                for k in ORGANIZATION_FIELDS
                if k != "slug" and (k in settings or k not in LATER_ORGANIZATION_FIELDS)
            },
            slug=slug,
        )
        if name:
            organization.name = name
        organization.full_clean()
        organization.save()
    elif not organization_is_empty(organization):
        raise BackupError(
            f"The organization {organization.name} is not empty; restore into a new or empty "
            "organization.",
            code="not_empty",
        )
    report.organization = organization
    ids: dict[tuple[type[models.Model], Any], Any] = {}
    for section in registered.values():
        stored = data["sections"].get(section.name, {"tables": {}})
        for table in section.tables:
            rows = stored["tables"].get(table.label, [])
            if table.logins and not logins:
                continue
            report.rows[table.label] = _restore_table(
                table, rows, organization, ids, natural, report
            )
    return report


def _where(table: Table, row: dict, name: str) -> str:
    return f"Table {table.label}, row id {row.get('id')}, field {name}"


def check_backup(data: dict, *, logins: bool, natural: _NaturalKeys) -> RestoreReport:
    """Check every row's references before anything is written, and decide what is left out.

    A reference must name a row of the backup (in a table restored before), a user (by
    username), or a reference row (by its natural key). A row that belongs to a login that is
    not restored is left out, with the reason; a reference to a missing user is emptied when it
    may be empty. Anything else refuses the restore with the table, the row and the field.
    """
    user_model = get_user_model()
    users = set(user_model.objects.values_list(user_model.USERNAME_FIELD, flat=True))
    report = RestoreReport()
    present: dict[type[models.Model], set[Any]] = {}
    for section in sections():
        stored = data["sections"].get(section.name, {"tables": {}})
        tables = stored.get("tables")
        if not isinstance(tables, dict):
            raise BackupError(f"The {section.name} section holds no tables.", code="malformed")
        known = {table.label for table in section.tables}
        if set(tables) - known:
            raise BackupError(
                f"The {section.name} section has tables this installation does not know: "
                f"{', '.join(sorted(set(tables) - known))}.",
                code="unknown_table",
            )
        for table in section.tables:
            rows = tables.get(table.label, [])
            present[table.model] = _row_ids(table, rows)
            for row in rows:
                _check_row(table, row, present, users, natural, logins, report)
    return report


def _row_ids(table: Table, rows: Any) -> set[Any]:
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise BackupError(f"Table {table.label} is not a list of rows.", code="malformed")
    ids: set[Any] = set()
    for position, row in enumerate(rows, start=1):
        row_id = row.get("id")
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            raise BackupError(
                f"Table {table.label}, row {position}: it has no id.", code="malformed"
            )
        if row_id in ids:
            raise BackupError(
                f"Table {table.label}: two rows have the id {row_id}.", code="duplicate_id"
            )
        ids.add(row_id)
    return ids


def _check_row(
    table: Table,
    row: dict,
    present: dict[type[models.Model], set[Any]],
    users: set[str],
    natural: _NaturalKeys,
    logins: bool,
    report: RestoreReport,
) -> None:
    user_model = get_user_model()
    reason = WITHOUT_LOGINS if table.logins and not logins else None
    emptied: list[tuple[str, str]] = []
    for f in table.fields():
        value = row.get(f.name)
        if not f.is_relation:
            continue
        if value is None:
            if not f.null:
                raise BackupError(
                    f"{_where(table, row, f.name)}: it is empty, and it cannot be.",
                    code="missing_reference",
                )
        elif f.related_model is user_model:
            if value in users:
                continue
            if not f.null:
                reason = reason or WITHOUT_USER
            emptied.append((f"{table.label}.{f.name}", NO_SUCH_USER))
        elif f.related_model in natural.keys:
            try:
                natural.pk_of(f.related_model, value)
            except BackupError as error:
                raise BackupError(
                    f"{_where(table, row, f.name)}: {error.messages[0]}", code=error.code
                ) from None
        else:
            target = f.related_model
            if value not in present.get(target, ()):
                raise BackupError(
                    f"{_where(table, row, f.name)}: it refers to {target._meta.label_lower} id "
                    f"{value!r}, which is not in the backup. Nothing was restored.",
                    code="dangling_reference",
                )
            left_out_with = report.dropped.get(target, {}).get(value)
            if left_out_with is not None:
                if not f.null:
                    reason = reason or left_out_with
                emptied.append((f"{table.label}.{f.name}", left_out_with))
    for f in table.many_to_many():
        values = row.get(f.name, [])
        if not isinstance(values, list):
            raise BackupError(f"{_where(table, row, f.name)}: it is not a list.", code="malformed")
        for value in values:
            if value not in present.get(f.related_model, ()):
                raise BackupError(
                    f"{_where(table, row, f.name)}: it refers to "
                    f"{f.related_model._meta.label_lower} id {value!r}, which is not in the "
                    "backup. Nothing was restored.",
                    code="dangling_reference",
                )
            left_out_with = report.dropped.get(f.related_model, {}).get(value)
            if left_out_with is not None:
                emptied.append((f"{table.label}.{f.name}", left_out_with))
    if reason is not None:
        if table.logins:
            why = f"{row.get('role', '')}" if reason == WITHOUT_LOGINS else "no such user"
            report.skipped_logins.append(f"{row.get('user')} ({why})")
        report.leave_out(table, row["id"], reason)
        return
    for key in emptied:
        report.emptied[key] = report.emptied.get(key, 0) + 1


def _restore_table(
    table: Table,
    rows: list[dict],
    organization: Organization,
    ids: dict,
    natural: _NaturalKeys,
    report: RestoreReport,
) -> int:
    """Write the rows the check kept; every reference was checked to resolve."""
    user_model = get_user_model()
    users = {}
    fields = table.fields()
    if any(f.is_relation and f.related_model is user_model for f in fields):
        users = dict(user_model.objects.values_list(user_model.USERNAME_FIELD, "pk"))
    has_organization = any(f.name == "organization" for f in table.model._meta.concrete_fields)
    dropped = report.dropped.get(table.model, {})
    objects, kept = [], []
    for row in rows:
        if row["id"] in dropped:
            continue
        values = {}
        for f in fields:
            value = row.get(f.name)
            if f.is_relation:
                if value is None:
                    values[f.attname] = None
                elif f.related_model is user_model:
                    values[f.attname] = users.get(value)  # none: emptied, as the check counted
                elif f.related_model in natural.keys:
                    values[f.attname] = natural.pk_of(f.related_model, value)
                else:  # not restored by choice: emptied, as the check counted
                    values[f.attname] = ids.get((f.related_model, value))
            else:
                values[f.attname] = f.to_python(value)
        if has_organization:
            values["organization_id"] = organization.pk
        objects.append(table.model(**values))
        kept.append(row)
    created = table.model._default_manager.bulk_create(objects, batch_size=BATCH)
    for row, obj in zip(kept, created, strict=True):
        if obj.pk is None:
            raise BackupError("The database did not return the new rows' ids.", code="no_ids")
        ids[(table.model, row["id"])] = obj.pk
    # auto_now and auto_now_add set today's time on insert: put the backed-up times back.
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    if stamped:
        for obj, row in zip(created, kept, strict=True):
            for f in stamped:
                setattr(obj, f.attname, f.to_python(row.get(f.name)))
        table.model._default_manager.bulk_update(
            created, [f.name for f in stamped], batch_size=BATCH
        )
    for f in table.many_to_many():
        through = f.remote_field.through
        source = f.m2m_field_name() + "_id"
        target = f.m2m_reverse_field_name() + "_id"
        through.objects.bulk_create(
            [
                through(**{source: obj.pk, target: ids[(f.related_model, other)]})
                for obj, row in zip(created, kept, strict=True)
                for other in row.get(f.name, [])
                if (f.related_model, other) in ids  # not restored by choice: as counted
            ],
            batch_size=BATCH,
        )
    return len(created)


register(
    Section(
        "org",
        tables=(
            Table(Member),
            Table(TeamMembership),
            Table(QuadrantMove),
            Table(OrgMembership, logins=True),
        ),
    )
)

register(
    Section(
        "partnerships",
        tables=(Table(Objective), Table(Partnership), Table(Relationship)),
    )
)

# The meetings section: every tenant table of the app, in an order where each foreign key points backwards. The 13
# actions are reference rows, not the organization's: checklist items name their action by
# number. Checklists and checklist opt-ins belong to a login, so they come back only with the
# logins (`import_backup --logins`).
#
# Left out on purpose: CalendarFeed. A feed's token is a secret that lets whoever holds it read
# a login's sessions; a restored copy must not answer to the old tokens (and the tokens are
# unique, so a copy beside the original could not even hold them). People make a new feed from
# their calendar page.
register(
    Section(
        "meetings",
        tables=(
            Table(Session),
            Table(BlackoutDate),
            Table(SessionSuccess),
            Table(ObjectiveProgress),
            Table(FeedbackItem),
            Table(ActionItem),
            Table(SessionAgenda),
            Table(AgendaItem),
            Table(SentReminder),
            Table(PulseLinkSent),
            Table(ChecklistOptIn),
            Table(Checklist),
            Table(ChecklistItem),
            Table(SatisfactionScore),
            Table(ObjectiveMeasurement),
            Table(PulseRating),
            Table(SessionRating),
            Table(PulseGiven),
            Table(MeasurementChange),
        ),
        references={Action: "number"},
    )
)
