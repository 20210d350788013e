"""The GET form of the health page: which objective, as of which day, whose risks."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms

from org.models import OrgMembership, Quadrant
from partnerships.models import Objective, Partnership
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
        } | changes
        pairs = [(name, value) for name, value in values.items() if value]
        return "?" + urlencode(pairs) if pairs else ""
