"""Forms for objectives, partnerships and relationships, and the "as of" filters of every page."""

from __future__ import annotations

import datetime

from django import forms

from org.models import Member, Organization, Quadrant
from partnerships.models import Objective, Partnership, relationship_type_for, type_problem
from partnerships.selectors import STATUS_ACTIVE, STATUS_ALL, STATUS_DISSOLVED


class DateInput(forms.DateInput):
    input_type = "date"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name} ({obj.get_quadrant_display()})"


def _members(organization: Organization):
    return Member.objects.for_org(organization).active_on(organization.today()).in_quadrant_order()


class AsOfForm(forms.Form):
    as_of = forms.DateField(required=False, label="As of", widget=DateInput)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def day(self) -> datetime.date:
        """The chosen day, or today in the organization's time zone."""
        return self.cleaned_data.get("as_of") or self.organization.today()


class PartnershipFilterForm(AsOfForm):
    STATUS_CHOICES = [
        (STATUS_ACTIVE, "Active"),
        (STATUS_DISSOLVED, "Dissolved"),
        (STATUS_ALL, "All"),
    ]

    objective = forms.ModelChoiceField(
        queryset=Objective.objects.none(), required=False, empty_label="All objectives"
    )
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    member = MemberChoiceField(queryset=Member.objects.none(), required=False, empty_label="Anyone")
    field_order = ["objective", "status", "member", "as_of"]

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(organization=organization)
        self.fields["member"].queryset = Member.objects.for_org(organization).in_quadrant_order()

    def clean_status(self) -> str:
        return self.cleaned_data.get("status") or STATUS_ACTIVE


class ObjectiveForm(forms.ModelForm):
    owner = MemberChoiceField(queryset=Member.objects.none(), required=False)

    class Meta:
        model = Objective
        fields = [
            "title",
            "description",
            "emphasis",
            "owner",
            "status",
            "starts_on",
            "ends_on",
            "target_value",
            "target_unit",
        ]
        widgets = {"starts_on": DateInput, "ends_on": DateInput}

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members(organization).filter(
            quadrant__in=[Quadrant.LEADERSHIP, Quadrant.MANAGERS]
        )
        self.fields["starts_on"].initial = organization.today()

    def clean(self) -> dict:
        data = super().clean()
        if data.get("target_value") is not None and not data.get("target_unit", "").strip():
            self.add_error("target_unit", "Say what the target counts, e.g. “% on time”.")
        return data


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = ["name", "objective", "purpose", "formed_on"]
        widgets = {"formed_on": DateInput}

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(organization=organization)
        self.fields["formed_on"].initial = organization.today()


class DateForm(forms.Form):
    """One date: when a partnership dissolves or a relationship ends."""

    on = forms.DateField(widget=DateInput)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = organization.today()


class RelationshipForm(forms.Form):
    from_member = MemberChoiceField(queryset=Member.objects.none(), label="From")
    to_member = MemberChoiceField(queryset=Member.objects.none(), label="To")
    carries = forms.CharField(
        required=False,
        max_length=200,
        label="What it carries",
        help_text="A short message or emphasis, e.g. “on-time delivery”.",
    )
    starts_on = forms.DateField(widget=DateInput, label="Starts on")

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        members = _members(organization)
        self.fields["from_member"].queryset = members
        self.fields["to_member"].queryset = members
        self.fields["starts_on"].initial = organization.today()

    def derived_type(self) -> str | None:
        """The type the chosen pair would have (after is_valid), or None."""
        data = getattr(self, "cleaned_data", {})
        if data.get("from_member") and data.get("to_member"):
            return relationship_type_for(data["from_member"].quadrant, data["to_member"].quadrant)
        return None

    def clean(self) -> dict:
        data = super().clean()
        from_member, to_member = data.get("from_member"), data.get("to_member")
        if from_member and to_member:
            problem = type_problem(from_member, to_member)
            if problem:
                self.add_error("to_member", problem)
        return data


class TypePreviewForm(forms.Form):
    """The two members picked so far, to show the type as they are chosen (HTMX)."""

    from_member = forms.IntegerField(required=False, min_value=1)
    to_member = forms.IntegerField(required=False, min_value=1)


class ChangesForm(forms.Form):
    since = forms.DateField(widget=DateInput, required=False, label="From")
    until = forms.DateField(widget=DateInput, required=False, label="To")

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean(self) -> dict:
        data = super().clean()
        until = data.get("until") or self.organization.today()
        span = datetime.timedelta(days=90)  # by default; never before the calendar's first day
        since = data.get("since") or max(until, datetime.date.min + span) - span
        if since >= until:
            raise forms.ValidationError("The first date must be before the second.")
        data["since"], data["until"] = since, until
        return data


class MoveConfirmForm(forms.Form):
    """The admin's confirmation to end the relationships a quadrant move would break.

    Shown on the move page once a move was refused; `confirmed` carries the ids of the
    relationships listed, so that a list that changed in between is shown again.
    """

    end_conflicting = forms.BooleanField(
        required=False, label="End these relationships as of the move date"
    )
    confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, conflict=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.descriptions = conflict.descriptions if conflict is not None else []
        if conflict is not None:
            self.initial["confirmed"] = ",".join(str(r.pk) for r in conflict.relationships)

    def clean_confirmed(self) -> list[int]:
        raw = self.cleaned_data["confirmed"].strip()
        if not raw:
            return []
        try:
            return [int(part) for part in raw.split(",")]
        except ValueError:
            raise forms.ValidationError("The confirmation is garbled; move again.") from None
