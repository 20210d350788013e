"""What the people of a partnership add to its session themselves: agenda items, their own
successes and their own feedback (shared with the partnership, or for the facilitator only).

Each kind is one `ContributionKind`: its form, the service that stores it, the fields an edit
changes, and the section of the session page it lands in. Who may add and change what is in
meetings/access.py (`may_contribute`, `may_change_contribution`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model

from meetings import services
from meetings.forms import AgendaItemForm, ContributionForm, MyFeedbackForm, MySuccessForm
from meetings.models import AgendaItem, FeedbackItem, Session, SessionSuccess
from org.models import Member


@dataclass(frozen=True)
class ContributionKind:
    slug: str  # in the URLs
    noun: str  # in messages
    add_label: str
    anchor: str  # the session page's section it lands in
    model: type[Model]
    form: type[ContributionForm]
    fields: tuple[str, ...]  # what an edit starts from

    def form_for(self, *, data=None, item: Model | None = None) -> ContributionForm:
        if item is None:
            return self.form(data, prefix=f"my-{self.slug}")
        initial = {name: item.serializable_value(name) for name in self.fields}
        initial["version"] = item.version
        return self.form(data, prefix=f"my-{self.slug}-{item.pk}", editing=True, initial=initial)

    def add(
        self, session: Session, changes: dict, *, member: Member | None, by: AbstractBaseUser
    ) -> Model:
        if self.model is AgendaItem:
            return services.agenda_item_add(session=session, added_by=member, by=by, **changes)
        if self.model is SessionSuccess:
            return services.success_add(session=session, shared_by=member, by=by, **changes)
        return services.feedback_add(session=session, from_member=member, by=by, **changes)


AGENDA = ContributionKind(
    slug="agenda",
    noun="agenda item",
    add_label="Add to the agenda",
    anchor="agenda",
    model=AgendaItem,
    form=AgendaItemForm,
    fields=("part", "text"),
)
MY_SUCCESS = ContributionKind(
    slug="successes",
    noun="success",
    add_label="Add my success",
    anchor="successes",
    model=SessionSuccess,
    form=MySuccessForm,
    fields=("text",),
)
MY_FEEDBACK = ContributionKind(
    slug="feedback",
    noun="feedback",
    add_label="Add my feedback",
    anchor="feedback",
    model=FeedbackItem,
    form=MyFeedbackForm,
    fields=("text", "for_facilitator_only"),
)

CONTRIBUTIONS: tuple[ContributionKind, ...] = (AGENDA, MY_SUCCESS, MY_FEEDBACK)
CONTRIBUTION_BY_SLUG = {kind.slug: kind for kind in CONTRIBUTIONS}
