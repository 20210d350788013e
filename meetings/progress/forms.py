"""Forms for the leader's progress: checklist, measurements, pulse, success log, filters.

Choices come from rows the view already loaded, so rendering and validating cost no query."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django import forms

from meetings.forms import QuarterChoiceField
from meetings.models import (
    PULSE_FIELDS,
    PULSE_LABELS,
    PULSE_MAX,
    PULSE_MIN,
    SCORE_MAX,
    SCORE_MIN,
    SCORE_SCALE,
    ActionState,
    PulseRating,
    SatisfactionScore,
)
from meetings.quarters import Quarter
from org.models import Member
from partnerships.models import Objective, Partnership, Relationship


class QuarterForm(forms.Form):
    """Which quarter a page shows (GET); the current one when none is asked for."""

    def __init__(self, data=None, *, quarters: Sequence[Quarter]) -> None:
        super().__init__(data)
        self.fields["quarter"] = QuarterChoiceField(
            quarters, required=False, initial=quarters[0].key
        )
        self.default = quarters[0]

    def quarter(self) -> Quarter:
        return self.cleaned_data.get("quarter") or self.default


# --- the checklist ---------------------------------------------------------------------------


class ChecklistStateForm(forms.Form):
    state = forms.ChoiceField(
        choices=ActionState.choices,
        error_messages={"invalid_choice": "Pick not started, in progress or done."},
    )


class ChecklistNoteForm(forms.Form):
    note = forms.CharField(
        label="Evidence",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What shows this action is happening: a date, a document, a name.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- measurements ----------------------------------------------------------------------------


class VersionField(forms.IntegerField):
    """The version of the value the form shows; 0 when there is none yet."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=0, **kwargs)


class ScoreForm(forms.Form):
    value = forms.DecimalField(
        min_value=SCORE_MIN,
        max_value=SCORE_MAX,
        max_digits=4,
        decimal_places=1,
        help_text=f"On a {SCORE_SCALE} scale, one decimal at most.",
        error_messages={
            "required": f"Enter a score from {SCORE_MIN} to {SCORE_MAX}.",
            "invalid": f"Enter a number from {SCORE_MIN} to {SCORE_MAX}.",
            "min_value": f"A score lies between {SCORE_MIN} and {SCORE_MAX}; "
            "%(limit_value)s is the lowest.",
            "max_value": f"A score lies between {SCORE_MIN} and {SCORE_MAX}; "
            "%(limit_value)s is the highest.",
            "max_decimal_places": "Use one decimal at most (e.g. 72.5).",
            "max_digits": f"A score lies between {SCORE_MIN} and {SCORE_MAX}.",
        },
    )
    version = VersionField()

    def __init__(self, data=None, *, kind: str, score: SatisfactionScore | None, **kwargs):
        initial = {"value": score.value, "version": score.version} if score else {"version": 0}
        super().__init__(data, prefix=kind, initial=initial, **kwargs)
        self.fields["value"].label = f"{dict(SatisfactionScore.Kind.choices)[kind]} (0–100)"
        self.fields["value"].widget.attrs.update({"step": "0.1", "min": SCORE_MIN})
        self.kind = kind


class ObjectiveMeasurementForm(forms.Form):
    value = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        error_messages={
            "required": "Enter the measured value.",
            "invalid": "Enter a number.",
            "max_decimal_places": "Use two decimals at most.",
        },
    )
    unit = forms.CharField(widget=forms.HiddenInput, max_length=40)
    version = VersionField()

    def __init__(self, data=None, *, objective: Objective, measurement=None, **kwargs) -> None:
        initial = {"unit": objective.target_unit, "version": 0}
        if measurement is not None:
            initial |= {"value": measurement.value, "version": measurement.version}
        super().__init__(data, prefix=f"objective-{objective.pk}", initial=initial, **kwargs)
        self.fields["value"].label = f"{objective.title} ({objective.target_unit})"
        if objective.target_value is not None:
            self.fields[
                "value"
            ].help_text = f"Target: {objective.target_value.normalize():f} {objective.target_unit}"
        self.objective = objective

    def clean(self):
        # The unit travels in a hidden field: its error goes on top, where it shows.
        data = super().clean()
        unit = (data.get("unit") or "").strip()
        if unit != self.objective.target_unit:
            raise forms.ValidationError(
                f"{self.objective.title} is now measured in “{self.objective.target_unit}”, "
                f"not “{unit}”; check the value and enter it again.",
                code="wrong_unit",
            )
        return data


# --- the pulse -------------------------------------------------------------------------------


def pulse_pair_key(relationship_id: int, rater_id: int) -> str:
    return f"{relationship_id}-{rater_id}"


def other_side(relationship: Relationship, rater: Member) -> Member:
    return (
        relationship.to_member
        if relationship.from_member_id == rater.pk
        else (relationship.from_member)
    )


class PulseForm(forms.Form):
    """One attendee's seven ratings of the other side of one of their relationships."""

    version = VersionField()

    def __init__(
        self,
        data=None,
        *,
        pairs: Sequence[tuple[Relationship, Member]],
        rating: PulseRating | None = None,
        **kwargs,
    ) -> None:
        initial = {"version": 0}
        if rating is not None:
            initial = {"version": rating.version, **rating.ratings()}
            initial["pair"] = pulse_pair_key(rating.relationship_id, rating.rater_id)
        super().__init__(data, prefix="pulse", initial=initial, **kwargs)
        self.pairs = {pulse_pair_key(r.pk, m.pk): (r, m) for r, m in pairs}
        self.fields = {
            "pair": forms.ChoiceField(
                label="Whose view, of whom",
                choices=[("", "—")]
                + [
                    (key, f"{m.name} about {other_side(r, m).name} ({r.get_type_display()})")
                    for key, (r, m) in self.pairs.items()
                ],
                error_messages={"required": "Pick who gives the pulse, about whom."},
            ),
            **{
                name: forms.TypedChoiceField(
                    label=PULSE_LABELS[name],
                    choices=[(n, str(n)) for n in range(PULSE_MIN, PULSE_MAX + 1)],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": f"Rate “{PULSE_LABELS[name].lower()}” from 1 to 5.",
                        "invalid_choice": f"Ratings go from {PULSE_MIN} to {PULSE_MAX}.",
                    },
                )
                for name in PULSE_FIELDS
            },
            **self.fields,
        }

    def clean_pair(self) -> tuple[Relationship, Member]:
        return self.pairs[self.cleaned_data["pair"]]

    def ratings(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in PULSE_FIELDS}


# --- the success log -------------------------------------------------------------------------


class DirectSuccessForm(forms.Form):
    text = forms.CharField(
        label="Success",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe the success."},
    )
    happened_on = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    shared_with_organization = forms.BooleanField(
        label="Share with the whole organization", required=False
    )

    def __init__(
        self,
        data=None,
        *,
        partnerships: Sequence[Partnership],
        objectives: Sequence[Objective],
        today: datetime.date,
        **kwargs,
    ) -> None:
        kwargs.setdefault("initial", {"happened_on": today})
        super().__init__(data, **kwargs)
        self.partnerships = {p.pk: p for p in partnerships}
        self.objectives = {o.pk: o for o in objectives}
        self.today = today
        self.fields = {
            "partnership": forms.TypedChoiceField(
                choices=[("", "—"), *[(p.pk, p.name) for p in partnerships]],
                coerce=int,
                error_messages={"required": "Pick the partnership the success belongs to."},
            ),
            "objective": forms.TypedChoiceField(
                choices=[("", "The partnership's own objective")]
                + [(o.pk, o.title) for o in objectives],
                coerce=int,
                required=False,
                empty_value=None,
            ),
            **self.fields,
        }

    def clean_partnership(self) -> Partnership:
        return self.partnerships[self.cleaned_data["partnership"]]

    def clean_objective(self) -> Objective | None:
        pk = self.cleaned_data["objective"]
        return None if pk is None else self.objectives[pk]

    def clean_happened_on(self) -> datetime.date:
        day = self.cleaned_data["happened_on"]
        if day > self.today:
            raise forms.ValidationError("A success has already happened: pick today or earlier.")
        return day


class ShareForm(forms.Form):
    shared = forms.BooleanField(required=False)


class PageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)
