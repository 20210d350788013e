"""What removing something "that never happened" would take with it, read before anyone confirms.

Removing is not ending: an ended relationship stays as history with its end day, a removed
one is gone, as if never added (the audit trail keeps its values, and the Undo restores from
them). So a removal is refused when it would take logged history with it: a session that was
held, what was written in a session's log, ratings, measurements. That is to be ended
instead. What may go with it (a partnership's relationships, its planned sessions) is listed
on the confirmation page.

This module reads what the database would delete (Django's deletion collector, the same walk
`Model.delete()` makes), so partnerships need not know the models that stand on them: a model
says whether its rows are history with a `kept_as_history` attribute (True when it has none:
a row nobody classified is kept rather than silently deleted).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import models, router
from django.db.models.deletion import Collector, ProtectedError, RestrictedError


def _label(model: type[models.Model], count: int) -> str:
    """ "1 session", "3 pulse ratings": a model may name itself with `nouns` (one, several)."""
    one, several = getattr(
        model, "nouns", (model._meta.verbose_name, model._meta.verbose_name_plural)
    )
    return f"{count} {one if count == 1 else several}"


def _words(listed: list[str]) -> str:
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


def _listed(counts: Counter) -> list[str]:
    return [_label(model, n) for model, n in sorted(counts.items(), key=lambda kv: kv[0].__name__)]


@dataclass
class Removal:
    """What goes with an object if it is removed, and what forbids removing it."""

    obj: models.Model
    goes_with: list[str] = field(default_factory=list)  # "3 relationships", "1 session"
    history: list[str] = field(default_factory=list)  # logged history that would be lost
    used_by: list[str] = field(default_factory=list)  # rows that refuse to lose it

    @property
    def allowed(self) -> bool:
        return not self.history and not self.used_by

    def refusal(self, instead: str) -> str:
        """Why it cannot be removed ("" when it can); `instead` says what to do."""
        if self.used_by:
            one = len(self.used_by) == 1 and self.used_by[0].startswith("1 ")
            return f"{_words(self.used_by)} {'uses' if one else 'use'} it. {instead}"
        if self.history:
            return f"Removing it would delete logged history ({_words(self.history)}). {instead}"
        return ""


def removal_of(obj: models.Model) -> Removal:
    """Walk what deleting `obj` would delete, as `Model.delete()` would, without deleting."""
    collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
    removal = Removal(obj)
    try:
        collector.collect([obj])
    except (ProtectedError, RestrictedError) as error:
        blocking = getattr(error, "restricted_objects", None) or error.protected_objects
        removal.used_by = _listed(Counter(type(o) for o in blocking))
        return removal
    # Rows that would lose their link to it (SET_NULL): who shared a success, a login's person.
    named_by: Counter = Counter()
    for (updated, _value), batches in collector.field_updates.items():
        for batch in batches:
            named_by[updated.model] += (
                batch.count() if isinstance(batch, models.QuerySet) else len(batch)
            )
    if +named_by:
        removal.used_by = _listed(+named_by)
        return removal
    goes, history = Counter(), Counter()
    rows: list[models.Model] = []
    for model, instances in collector.data.items():
        rows.extend(i for i in instances if not (model is type(obj) and i.pk == obj.pk))
    for batch in collector.fast_deletes:
        if isinstance(batch, models.QuerySet):
            if batch.model._meta.auto_created:  # a many-to-many link (a session's attendees)
                continue
            rows.extend(batch)
        else:
            rows.append(batch)
    # A row reached by two paths (a success of the partnership and of its session) counts once.
    unique = {(type(row), row.pk): row for row in rows}
    for row in unique.values():
        (history if getattr(row, "kept_as_history", True) else goes)[type(row)] += 1
    removal.goes_with = _listed(goes)
    removal.history = _listed(history)
    return removal
