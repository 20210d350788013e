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
    SESSION_RATING_LABELS,
    SESSION_RATING_QUESTION,
    ActionState,
    SatisfactionScore,
)
from meetings.quarters import Quarter
from partnerships import rules
from partnerships.models import Objective, Partnership


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


# --- the pulse: each person's own ----------------------------------------------------------


def _one_to_five(label: str, *, required_message: str, labels=None) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(n, (labels or {}).get(n, str(n))) for n in range(PULSE_MIN, PULSE_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": required_message,
            "invalid_choice": f"Ratings go from {PULSE_MIN} to {PULSE_MAX}.",
        },
    )


class OwnPulseForm(forms.Form):
    """One attendee's answers at a session: whether it was worth the time, and for each other
    quadrant of the partnership the seven 1-5 ratings of how it communicates and relates."""

    def __init__(self, data=None, *, quadrants: Sequence[str], **kwargs) -> None:
        super().__init__(data, prefix="pulse", **kwargs)
        self.quadrants = list(quadrants)
        self.fields["worth"] = _one_to_five(
            SESSION_RATING_QUESTION,
            required_message="Say whether the session was worth its time, from 1 to 5.",
            labels=SESSION_RATING_LABELS,
        )
        for quadrant in self.quadrants:
            for name in PULSE_FIELDS:
                self.fields[f"{quadrant}_{name}"] = _one_to_five(
                    PULSE_LABELS[name],
                    required_message=f"Rate “{PULSE_LABELS[name].lower()}” for "
                    f"{rules.QUADRANT_WORDS[quadrant]} from 1 to 5.",
                )

    def groups(self) -> list[tuple[str, str, list]]:
        """(quadrant, its name, its seven bound fields), for the template's fieldsets."""
        return [
            (q, rules.QUADRANT_NAMES[q], [self[f"{q}_{name}"] for name in PULSE_FIELDS])
            for q in self.quadrants
        ]

    def worth(self) -> int:
        return self.cleaned_data["worth"]

    def pulse(self) -> dict[str, dict[str, int]]:
        return {
            q: {name: self.cleaned_data[f"{q}_{name}"] for name in PULSE_FIELDS}
            for q in self.quadrants
        }


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
