"""The four kinds of entry in a session's log: successes, progress calls, feedback, action items.

Each kind is one `LogKind` that owns everything that differs between them: its words, its
form, the service that adds an entry, the template of one entry and where its entries are
found. `LOG_KINDS` lists them in the order of the session page; the page, the add and edit
views and the URLs all go through it, so a fifth kind is one more entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model

from meetings import services
from meetings.forms import ActionItemForm, FeedbackForm, LogItemForm, ProgressForm, SuccessForm
from meetings.models import ActionItem, FeedbackItem, ObjectiveProgress, Session, SessionSuccess
from org.models import Member
from partnerships.models import Objective


@dataclass(frozen=True)
class LogKind:
    slug: str  # in the URLs, and the id of the kind's section on the session page
    title: str  # the section's heading
    empty: str  # what the section says when it has no entry yet
    add_label: str  # the add form's button
    noun: str  # one entry, in messages ("Added the progress call.")
    prefix: str  # of the form's fields and of each entry's id ("success-12")
    model: type[Model]
    form: type[LogItemForm]
    fields: tuple[str, ...]  # what the form sets, and so what an edit starts from
    shows: tuple[str, ...]  # the relations one entry's template shows (select_related)
    template: str  # one entry, as an item of the section's list
    service: Callable[..., Model]  # adds one entry: service(session=, by=, **form.changes())
    on_session: str  # the session's related name for them, their key in the page's log
    picks_objective: bool = False  # its form picks one of the organization's objectives

    def add(self, session: Session, changes: dict, *, by: AbstractBaseUser | None) -> Model:
        """Add one entry from its valid form's changes; the service may raise ValidationError."""
        return self.service(session=session, by=by, **changes)

    def form_for(
        self,
        members: Sequence[Member],
        objectives: Sequence[Objective],
        *,
        data=None,
        item: Model | None = None,
    ) -> LogItemForm:
        """The add form, or with ``item`` the form that edits it (from the version it has).

        ``members`` and ``objectives`` are what the view loaded: building the form costs no
        query. An edited progress call keeps its objective even if that one is closed now."""
        kwargs: dict = {"members": members}
        if self.picks_objective:
            if item is not None and item.objective not in objectives:
                objectives = [item.objective, *objectives]
            kwargs["objectives"] = objectives
        if item is None:
            return self.form(data, prefix=self.prefix, **kwargs)
        initial = {name: item.serializable_value(name) for name in self.fields}
        initial["version"] = item.version
        return self.form(
            data, prefix=f"{self.prefix}-{item.pk}", editing=True, initial=initial, **kwargs
        )


@dataclass(frozen=True)
class LogSection:
    """One kind's section of a session page: its entries and, for who may log, its add form."""

    kind: LogKind
    entries: Sequence[Model]
    form: LogItemForm | None


SUCCESSES = LogKind(
    slug="successes",
    title="Successes shared",
    empty="No successes logged yet.",
    add_label="Add success",
    noun="success",
    prefix="success",
    model=SessionSuccess,
    form=SuccessForm,
    fields=("text", "shared_by"),
    shows=("shared_by",),
    template="meetings/_success.html",
    service=services.success_add,
    on_session="successes",
)

PROGRESS = LogKind(
    slug="progress",
    title="Objectives discussed",
    empty="No progress calls yet.",
    add_label="Add progress call",
    noun="progress call",
    prefix="progress",
    model=ObjectiveProgress,
    form=ProgressForm,
    fields=("objective", "call", "note"),
    shows=("objective",),
    template="meetings/_progress.html",
    service=services.progress_add,
    on_session="progress_calls",
    picks_objective=True,
)

FEEDBACK = LogKind(
    slug="feedback",
    title="Feedback received",
    empty="No feedback logged yet.",
    add_label="Add feedback",
    noun="feedback item",
    prefix="feedback",
    model=FeedbackItem,
    form=FeedbackForm,
    fields=("from_member", "text"),
    shows=("from_member",),
    template="meetings/_feedback.html",
    service=services.feedback_add,
    on_session="feedback_items",
)

ACTIONS = LogKind(
    slug="actions",
    title="Action items",
    empty="No action items yet.",
    add_label="Add action item",
    noun="action item",
    prefix="action",
    model=ActionItem,
    form=ActionItemForm,
    fields=("text", "owner", "due_on"),
    shows=("owner",),
    template="meetings/_action.html",
    service=services.action_item_add,
    on_session="action_items",
)

# In the order of the session page.
LOG_KINDS: tuple[LogKind, ...] = (SUCCESSES, PROGRESS, FEEDBACK, ACTIONS)

BY_SLUG: dict[str, LogKind] = {kind.slug: kind for kind in LOG_KINDS}
