"""The scenario's forms: its name and effective date, and one form per kind of step.

Members are found by search text, never listed whole (as on the relationship form): a side
takes the one active member whose name is exactly the text, or offers the matches to pick.
"""

from __future__ import annotations

import datetime

from django import forms

from org.models import PERSON_QUADRANTS, Member, Organization
from partnerships.diagram.selectors import search_members
from partnerships.models import Partnership
from scenarios.models import Scenario, StepKind

PICK_LIMIT = 20


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ["name", "effective_on"]
        widgets = {"effective_on": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "name": {"required": "Give the scenario a name, e.g. “Merge Billing into Care”."},
            "effective_on": {"required": "Give the day the changes would take effect."},
        }

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["effective_on"].initial = organization.today()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the scenario a name.")
        return name

    def clean_effective_on(self) -> datetime.date:
        day = self.cleaned_data["effective_on"]
        if day < self.organization.today():
            raise forms.ValidationError(
                "A scenario takes effect today or later; the past is recorded already."
            )
        return day


class StepForm(forms.Form):
    """The base of the step forms: member sides resolved from search text."""

    kind: str = ""
    sides: tuple[tuple[str, str], ...] = ()

    def __init__(self, *args, organization: Organization, day: datetime.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization, self.day = organization, day
        members = Member.objects.for_org(organization).active_on(day)
        fields = {}
        for name, label in self.sides:
            fields[f"{name}_query"] = forms.CharField(
                required=False,
                max_length=100,
                label=label,
                help_text="Type part of a name or title, then pick.",
                widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
            )
            # Hidden until the text matches several members: then they are offered to pick.
            fields[name] = forms.ModelChoiceField(
                queryset=members,
                required=False,
                label=f"{label}: pick one",
                widget=forms.HiddenInput,
            )
        self.fields = {**fields, **self.fields}
        self.matches: dict[str, list[Member]] = {}

    def _resolve(self, data: dict, name: str) -> None:
        if data.get(name) or name in self.errors:
            return
        query = (data.get(f"{name}_query") or "").strip()
        if not query:
            self.add_error(f"{name}_query", "Type a name to find the member.")
            return
        found = list(search_members(self.organization, self.day, query, PICK_LIMIT))
        exact = [m for m in found if m.name.lower() == query.lower()]
        if len(exact) == 1:
            data[name] = exact[0]
            return
        self.matches[name] = found
        self.fields[name].widget = forms.RadioSelect(
            choices=[(m.pk, f"{m.name} ({m.get_quadrant_display()}, {m.title})") for m in found]
        )
        if found:
            self.add_error(f"{name}_query", f"Pick one of the members matching “{query}”.")
        else:
            self.add_error(
                f"{name}_query", f"No member active on the effective day matches “{query}”."
            )

    def clean(self) -> dict:
        data = super().clean()
        for name, _label in self.sides:
            self._resolve(data, name)
        return data

    def step_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name, _label in self.sides}

    @property
    def only_asks_to_pick(self) -> bool:
        """Whether the form is shown again only to pick among matches (not an error)."""
        asked = {f"{name}_query" for name in self.matches if self.matches[name]}
        asked |= {"relationship"} if getattr(self, "offered", False) else set()
        return bool(asked) and set(self.errors) <= asked


class MoveStepForm(StepForm):
    kind = StepKind.MOVE
    sides = (("member", "Person"),)
    to_quadrant = forms.ChoiceField(
        label="Move to",
        choices=[(q.value, q.label) for q in PERSON_QUADRANTS],
        error_messages={"required": "Choose the quadrant to move to."},
    )

    def step_fields(self) -> dict:
        return {**super().step_fields(), "to_quadrant": self.cleaned_data["to_quadrant"]}


class ArchiveStepForm(StepForm):
    kind = StepKind.ARCHIVE
    sides = (("member", "Person"),)


class AddRelationshipStepForm(StepForm):
    kind = StepKind.ADD_RELATIONSHIP
    sides = (("member", "From"), ("other", "To"))
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        label="Partnership",
        error_messages={"required": "Choose the partnership the relationship belongs to."},
    )
    carries = forms.CharField(
        required=False,
        max_length=200,
        label="What it carries",
        help_text="A short message or emphasis, e.g. “on-time delivery”.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = (
            Partnership.objects.for_org(self.organization).active_on(self.day).order_by("name")
        )

    def step_fields(self) -> dict:
        return {
            **super().step_fields(),
            "partnership": self.cleaned_data["partnership"],
            "carries": self.cleaned_data["carries"].strip(),
        }


class EndRelationshipStepForm(StepForm):
    """A member found by search, then one of their relationships in the scenario."""

    kind = StepKind.END_RELATIONSHIP
    sides = (("member", "One of its members"),)
    relationship = forms.IntegerField(
        required=False,
        label="Relationship to end",
        widget=forms.HiddenInput,
    )

    def offer(self, choices: list[tuple[int, str]]) -> None:
        """Once the member is found: their relationships in the scenario, to pick one."""
        self.fields["relationship"].widget = forms.RadioSelect(choices=choices)
        self.offered = bool(choices)

    def step_fields(self) -> dict:
        return {"relationship_id": self.cleaned_data["relationship"]}


class SeatStepForm(StepForm):
    kind = StepKind.SEAT
    sides = (("member", "Team"), ("other", "Person"))
    change = forms.ChoiceField(
        label="Change",
        choices=[
            (StepKind.SEAT, "Seat the person on the team"),
            (StepKind.UNSEAT, "Take the person off the team"),
        ],
        widget=forms.RadioSelect,
        initial=StepKind.SEAT,
    )


class MergeTeamsStepForm(StepForm):
    kind = StepKind.MERGE_TEAMS
    sides = (("member", "Team to merge"), ("other", "Into team"))


STEP_FORMS = {
    "move": MoveStepForm,
    "archive": ArchiveStepForm,
    "add_relationship": AddRelationshipStepForm,
    "end_relationship": EndRelationshipStepForm,
    "seat": SeatStepForm,
    "merge_teams": MergeTeamsStepForm,
}
STEP_TITLES = {
    "move": "Move a person to another quadrant",
    "archive": "Archive a person",
    "add_relationship": "Add a relationship",
    "end_relationship": "End a relationship",
    "seat": "Change a team seat",
    "merge_teams": "Merge a team into another",
}
