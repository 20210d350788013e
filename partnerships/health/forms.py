"""The GET form of the health page: which objective, as of which day, whose risks."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms

from org.models import OrgMembership, Quadrant
from partnerships.models import Objective, Partnership
from partnerships.rules import CHAIN_OF_COMMAND
from partnerships.scope import Scope


class HealthFilterForm(forms.Form):
    objective = forms.ModelChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        empty_label="All objectives",
        error_messages={"invalid_choice": "That objective is not one of this organization's."},
    )
    as_of = forms.DateField(
        required=False,
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Give the date as YYYY-MM-DD."},
    )
    quadrant = forms.ChoiceField(
        choices=[("", "All quadrants"), *Quadrant.choices],
        required=False,
        label="Risks in",
        error_messages={"invalid_choice": "Choose one of the four quadrants."},
    )
    risks = forms.ChoiceField(
        choices=[("", "The cards"), ("all", "Every risk")],
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Ask for the cards or for every risk."},
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "Give the page of the list as a number.",
            "min_value": "The list starts at page 1.",
            "max_value": "The list has no such page.",
        },
    )

    def __init__(self, data, *, membership: OrgMembership) -> None:
        super().__init__(data)
        self.membership = membership
        objectives = Objective.objects.filter(organization=membership.organization)
        if not membership.sees_whole_organization:
            visible = Partnership.objects.visible_to(membership)
            objectives = objectives.filter(pk__in=visible.values("objective"))
        self.fields["objective"].queryset = objectives.order_by("title", "pk")

    @property
    def names_unknown_objective(self) -> bool:
        """The objective asked for is not one this role may see (another organization's, or
        one of no partnership a manager or member belongs to): a 404, not a bad request."""
        return self.has_error("objective", "invalid_choice")

    def scope(self) -> Scope:
        return Scope.for_membership(
            self.membership,
            day=self.cleaned_data.get("as_of"),
            objective=self.cleaned_data.get("objective"),
        )

    def query(self, **changes) -> str:
        """The filters as a query string ("" or "?objective=3&as_of=2025-06-30"), with changes."""
        data = self.cleaned_data
        values = {
            "objective": data["objective"].pk if data.get("objective") else None,
            "as_of": data["as_of"].isoformat() if data.get("as_of") else None,
            "quadrant": data.get("quadrant") or None,
            "risks": data.get("risks") or None,
            "page": data.get("page") if (data.get("page") or 1) > 1 else None,
        } | changes
        pairs = [(name, value) for name, value in values.items() if value]
        return "?" + urlencode(pairs) if pairs else ""


class RemedyForm(forms.Form):
    """Which partnership a card's relationships serve, on the health page of an objective or
    the whole organization; `fingerprint` carries the list the preview showed."""

    objective = forms.ModelChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That objective is not one of this organization's."},
    )
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        required=False,
        empty_label="Choose a partnership",
        label="The partnership they serve",
        error_messages={
            "invalid_choice": "Choose one of the organization's active partnerships "
            "(not the chain of command)."
        },
    )
    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, membership: OrgMembership) -> None:
        super().__init__(data)
        organization = membership.organization
        self.membership = membership
        self.fields["objective"].queryset = Objective.objects.filter(organization=organization)
        self.fields["partnership"].queryset = (
            Partnership.objects.for_org(organization)
            .active_on(organization.today())
            .exclude(name=CHAIN_OF_COMMAND)
            .select_related("objective")
            .order_by("name", "pk")
        )
        self.fields["partnership"].label_from_instance = lambda p: f"{p.name} ({p.objective})"

    @property
    def names_unknown_objective(self) -> bool:
        return self.has_error("objective", "invalid_choice")

    def clean(self):
        data = super().clean()
        objective, partnership = data.get("objective"), data.get("partnership")
        if objective and partnership and partnership.objective_id != objective.pk:
            self.add_error("partnership", f"{partnership.name} serves another objective.")
        return data

    def scope(self) -> Scope:
        """Today's analysis of the objective (or the whole organization): what cards show."""
        return Scope.for_membership(self.membership, objective=self.cleaned_data.get("objective"))

    def health_query(self) -> str:
        objective = self.cleaned_data.get("objective")
        return "?" + urlencode({"objective": objective.pk}) if objective else ""


class AcceptRiskForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        label="Why the organization can live with it",
        error_messages={"required": "Say why this risk is accepted."},
    )
    review_on = forms.DateField(
        label="Review on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Give the day to look at it again.",
            "invalid": "Give the date as YYYY-MM-DD.",
        },
    )
