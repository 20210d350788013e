"""Forms for the meetings pages. Member pickers take the members the view already loaded, so
rendering and validating them costs no query."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django import forms

from meetings.models import (
    MAX_DURATION,
    MIN_DURATION,
    AgendaPart,
    BlackoutDate,
    ProgressCall,
    SessionStatus,
)
from meetings.planner import WEEKDAY_NAMES, WorkingTime
from meetings.quarters import Quarter, local_datetime
from meetings.selectors import current_quarter, quarter_choices
from meetings.services import PlanRequest
from meetings.widgets import FastCheckboxSelectMultiple, FastSelect
from org.models import Member, Organization
from partnerships.models import Objective


def _quarter_from_data(data, organization: Organization, name: str = "quarter") -> Quarter | None:
    raw = (data or {}).get(name) or ""
    try:
        return Quarter.from_key(raw, organization.fiscal_year_start_month)
    except ValueError:
        return None


class QuarterChoiceField(forms.ChoiceField):
    def __init__(self, quarters: Sequence[Quarter], **kwargs) -> None:
        self.quarters = {q.key: q for q in quarters}
        super().__init__(choices=[(q.key, q.label) for q in quarters], **kwargs)

    def clean(self, value):
        key = super().clean(value)
        return self.quarters.get(key)


class MemberChoiceField(forms.TypedChoiceField):
    """Pick one of the given members; cleans to the Member itself."""

    widget = FastSelect

    def __init__(self, members: Sequence[Member], *, required: bool = True, **kwargs) -> None:
        self.members = {m.pk: m for m in members}
        choices = [("", "—"), *[(m.pk, m.name) for m in members]]
        super().__init__(choices=choices, coerce=int, required=required, empty_value=None, **kwargs)

    def clean(self, value):
        pk = super().clean(value)
        return None if pk is None else self.members[pk]


class MembersChoiceField(forms.TypedMultipleChoiceField):
    widget = FastCheckboxSelectMultiple

    def __init__(self, members: Sequence[Member], **kwargs) -> None:
        self.members = {m.pk: m for m in members}
        super().__init__(choices=[(m.pk, m.name) for m in members], coerce=int, **kwargs)

    def clean(self, value):
        return [self.members[pk] for pk in super().clean(value)]


# --- lists and the planner ------------------------------------------------------------------


class MySessionsFilterForm(forms.Form):
    quarter = forms.ChoiceField(required=False)
    scope = forms.ChoiceField(
        required=False,
        choices=[("mine", "My partnerships"), ("all", "Whole organization")],
        label="Show",
    )

    def __init__(self, data=None, *, organization: Organization, whole_org: bool) -> None:
        super().__init__(data)
        around = _quarter_from_data(data, organization) or current_quarter(organization)
        self.fields["quarter"] = QuarterChoiceField(
            quarter_choices(organization, around), required=False, initial=around.key
        )
        if not whole_org:
            del self.fields["scope"]
        self.organization = organization

    def clean_quarter(self) -> Quarter:
        return self.cleaned_data.get("quarter") or current_quarter(self.organization)


class PlanForm(forms.Form):
    quarter = forms.ChoiceField()
    days = forms.TypedMultipleChoiceField(
        label="Working days",
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one working day."},
    )
    day_starts = forms.TimeField(
        label="Working day starts",
        initial=datetime.time(9),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    day_ends = forms.TimeField(
        label="Working day ends",
        initial=datetime.time(17),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label="Session length (minutes)",
        initial=90,
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
    )

    def __init__(self, data=None, *, organization: Organization, **kwargs) -> None:
        super().__init__(data, **kwargs)
        now = current_quarter(organization)
        quarters = [now]
        for _ in range(4):
            quarters.append(quarters[-1].next())
        self.fields["quarter"] = QuarterChoiceField(quarters, initial=now.key)
        self.organization = organization

    def clean(self):
        data = super().clean()
        starts, ends = data.get("day_starts"), data.get("day_ends")
        if starts and ends and starts >= ends:
            self.add_error("day_ends", "The working day must end after it starts.")
        elif starts and ends and data.get("duration_minutes"):
            working_minutes = (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
            if data["duration_minutes"] > working_minutes:
                self.add_error(
                    "duration_minutes",
                    f"A {data['duration_minutes']}-minute session does not fit in a "
                    f"{working_minutes}-minute working day.",
                )
        return data

    def plan_request(self) -> PlanRequest:
        data = self.cleaned_data
        return PlanRequest(
            quarter=data["quarter"],
            working=WorkingTime(
                days=frozenset(data["days"]), start=data["day_starts"], end=data["day_ends"]
            ),
            duration_minutes=data["duration_minutes"],
        )


class ConfirmPlanForm(PlanForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class BlackoutForm(forms.ModelForm):
    class Meta:
        model = BlackoutDate
        fields = ["date", "reason"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        labels = {"date": "Blackout date"}


# --- one session ----------------------------------------------------------------------------


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SessionDetailsForm(VersionedForm):
    prefix = "details"

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=MIN_DURATION, max_value=MAX_DURATION
    )
    place = forms.CharField(required=False, max_length=200)
    video_link = forms.URLField(required=False, assume_scheme="https", max_length=200)

    def __init__(self, data=None, *, session, facilitators: Sequence[Member], **kwargs) -> None:
        local = session.local_start()
        kwargs.setdefault(
            "initial",
            {
                "version": session.version,
                "date": local.date(),
                "time": local.time(),
                "duration_minutes": session.duration_minutes,
                "place": session.place,
                "video_link": session.video_link,
                "facilitator": session.facilitator_id,
            },
        )
        super().__init__(data, **kwargs)
        choices = list(facilitators)
        if session.facilitator not in choices:
            choices.insert(0, session.facilitator)
        self.fields["facilitator"] = MemberChoiceField(
            choices,
            label="Facilitator",
            error_messages={"required": "Choose a person to facilitate the session."},
        )
        self.session = session

    def clean(self):
        data = super().clean()
        day, at = data.get("date"), data.get("time")
        if day and at:
            quarter = self.session.quarter
            if day not in quarter:
                self.add_error(
                    "date",
                    f"Keep the session inside {quarter.label} ({quarter.range_label}); "
                    "each quarter has its own session.",
                )
            data["starts_at"] = local_datetime(day, at, self.session.organization.tz)
        return data


class MarkHeldForm(VersionedForm):
    prefix = "held"

    def __init__(self, data=None, *, session, members: Sequence[Member], **kwargs) -> None:
        attendees = list(session.attendees.all())
        choices = list(members) + [m for m in attendees if m not in members]
        kwargs.setdefault(
            "initial", {"version": session.version, "attendees": [m.pk for m in attendees]}
        )
        super().__init__(data, **kwargs)
        self.fields["attendees"] = MembersChoiceField(
            choices,
            label="Who attended",
            error_messages={"required": "Tick who attended."},
        )


class StatusForm(VersionedForm):
    prefix = "status"

    status = forms.ChoiceField(
        choices=[
            (SessionStatus.CANCELLED, "Cancel it"),
            (SessionStatus.MISSED, "It did not take place (missed)"),
            (SessionStatus.PLANNED, "Back to planned"),
        ]
    )


class ScheduleForm(forms.Form):
    """Schedule a partnership's session for a quarter by hand."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label="Starts at",
        initial=datetime.time(10),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", initial=90, min_value=MIN_DURATION, max_value=MAX_DURATION
    )
    place = forms.CharField(required=False, max_length=200)
    video_link = forms.URLField(required=False, assume_scheme="https", max_length=200)

    def __init__(
        self,
        data=None,
        *,
        organization: Organization,
        quarter: Quarter,
        facilitators: Sequence[Member],
    ) -> None:
        super().__init__(data)
        self.fields["facilitator"] = MemberChoiceField(
            facilitators,
            label="Facilitator",
            error_messages={"required": "Choose a person to facilitate the session."},
        )
        self.organization, self.quarter = organization, quarter

    def clean(self):
        data = super().clean()
        day, at = data.get("date"), data.get("time")
        if day and at:
            if day not in self.quarter:
                self.add_error(
                    "date", f"Pick a day in {self.quarter.label} ({self.quarter.range_label})."
                )
            data["starts_at"] = local_datetime(day, at, self.organization.tz)
        return data


# --- the log --------------------------------------------------------------------------------


class LogItemForm(forms.Form):
    """Add (no version) or edit (with the version the item had) one entry of the log."""

    def __init__(self, data=None, *, members: Sequence[Member], editing: bool = False, **kw):
        super().__init__(data, **kw)
        self.members = list(members)
        if editing:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class SuccessForm(LogItemForm):
    text = forms.CharField(
        label="Success",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the success."},
    )

    def __init__(self, data=None, *, members: Sequence[Member], **kw) -> None:
        super().__init__(data, members=members, **kw)
        self.fields["shared_by"] = MemberChoiceField(
            self.members, required=False, label="Shared by"
        )


class ProgressForm(LogItemForm):
    call = forms.ChoiceField(
        label="Progress",
        choices=ProgressCall.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Make a call: on track, at risk or off track."},
    )
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data=None, *, members, objectives: Sequence[Objective], **kw) -> None:
        super().__init__(data, members=members, **kw)
        self.objectives = {o.pk: o for o in objectives}
        field = forms.TypedChoiceField(
            label="Objective",
            choices=[(o.pk, o.title) for o in objectives],
            coerce=int,
            widget=FastSelect,
        )
        self.fields = {"objective": field, **self.fields}

    def clean_objective(self) -> Objective:
        return self.objectives[self.cleaned_data["objective"]]


class FeedbackForm(LogItemForm):
    text = forms.CharField(
        label="Feedback",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write down the feedback."},
    )

    def __init__(self, data=None, *, members: Sequence[Member], **kw) -> None:
        super().__init__(data, members=members, **kw)
        self.fields = {
            "from_member": MemberChoiceField(self.members, required=False, label="From"),
            **self.fields,
        }


class ActionItemForm(LogItemForm):
    text = forms.CharField(
        label="Action",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what will be done."},
    )
    due_on = forms.DateField(
        label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, *, members: Sequence[Member], **kw) -> None:
        super().__init__(data, members=members, **kw)
        owner = MemberChoiceField(
            self.members,
            label="Owner",
            error_messages={"required": "Choose a person to own this action."},
        )
        self.fields = {"text": self.fields.pop("text"), "owner": owner, **self.fields}


class ActionDoneForm(VersionedForm):
    done = forms.BooleanField(required=False)
    origin = forms.BooleanField(required=False, widget=forms.HiddenInput)


# --- the agenda, and what attendees add (issue 20) ------------------------------------------


class ContributionForm(forms.Form):
    """What an attendee adds to a session (or, with ``editing``, changes of their own)."""

    def __init__(self, data=None, *, editing: bool = False, **kw):
        super().__init__(data, **kw)
        if editing:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class AgendaItemForm(ContributionForm):
    part = forms.ChoiceField(
        label="Part of the agenda",
        choices=AgendaPart.choices,
        error_messages={"required": "Choose the part of the agenda it belongs to."},
    )
    text = forms.CharField(
        label="Agenda item",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what you would like to discuss."},
    )


class MySuccessForm(ContributionForm):
    text = forms.CharField(
        label="Your success",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the success."},
    )


FEEDBACK_AUDIENCES = [
    ("shared", "Shared with the partnership"),
    ("facilitator", "For the facilitator only"),
]


class MyFeedbackForm(ContributionForm):
    text = forms.CharField(
        label="Your feedback",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write down your feedback."},
    )
    audience = forms.ChoiceField(
        label="Who sees it",
        choices=FEEDBACK_AUDIENCES,
        initial="shared",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who sees it."},
    )

    def __init__(self, data=None, *, initial=None, **kw):
        if initial and "for_facilitator_only" in initial:
            initial = dict(initial)
            private = initial.pop("for_facilitator_only")
            initial["audience"] = "facilitator" if private else "shared"
        super().__init__(data, initial=initial, **kw)

    def changes(self) -> dict:
        changes = super().changes()
        changes["for_facilitator_only"] = changes.pop("audience") == "facilitator"
        return changes


class AgendaMinutesForm(forms.Form):
    """The facilitator's minutes for each part; they must add up to the session's length."""

    prefix = "agenda"

    successes = forms.IntegerField(label="Successes (minutes)", min_value=0, max_value=MAX_DURATION)
    objectives = forms.IntegerField(
        label="Objectives (minutes)", min_value=0, max_value=MAX_DURATION
    )
    feedback = forms.IntegerField(label="Feedback (minutes)", min_value=0, max_value=MAX_DURATION)
    close = forms.IntegerField(label="Close (minutes)", min_value=0, max_value=MAX_DURATION)
    from_data = forms.BooleanField(
        required=False, label="Use the minutes that follow from the data again"
    )

    def __init__(self, data=None, *, duration: int, **kw):
        super().__init__(data, **kw)
        self.duration = duration

    def clean(self):
        data = super().clean()
        if data.get("from_data") or self.errors:
            return data
        total = sum(
            data.get(part) or 0 for part in ("successes", "objectives", "feedback", "close")
        )
        if total != self.duration:
            raise forms.ValidationError(
                f"The parts add up to {total} minutes; the session lasts {self.duration}. "
                "Make them add up to its length."
            )
        return data

    def minutes(self) -> dict[str, int] | None:
        if self.cleaned_data.get("from_data"):
            return None
        return {p: self.cleaned_data[p] for p in ("successes", "objectives", "feedback", "close")}
