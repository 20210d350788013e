"""Forms for objectives, partnerships and relationships, and the "as of" filters of every page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django import forms

from org.bidi import refuse_bidi_controls
from org.models import Member, Organization, Quadrant
from partnerships.diagram.selectors import search_members
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
    # Typed, never a list of the whole organization: partnerships of any member it matches.
    member_query = forms.CharField(
        required=False,
        max_length=100,
        label="Member",
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": "Name or title"}
        ),
    )
    # One member exactly, by id (links name it); kept as a hidden input while it applies.
    member = forms.ModelChoiceField(
        queryset=Member.objects.none(), required=False, widget=forms.HiddenInput
    )
    field_order = ["objective", "status", "member_query", "member", "as_of"]

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(organization=organization)
        self.fields["member"].queryset = Member.objects.for_org(organization)

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
        self.fields["title"].validators.append(refuse_bidi_controls)

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
        self.fields["name"].validators.append(refuse_bidi_controls)


class DateForm(forms.Form):
    """One date: when a partnership dissolves or a relationship ends."""

    on = forms.DateField(widget=DateInput)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = organization.today()


SIDES = {"from": "From", "to": "To"}
# What a side left empty asks for.
EMPTY_PICK = {
    "from": "Choose a member to start the relationship from: type part of a name or title, "
    "then pick one.",
    "to": "Choose a member for the relationship to reach: type part of a name or title, "
    "then pick one.",
}
MEMBER_CHOICES_LIMIT = 20


@dataclass
class MemberChoices:
    """One side of the add form: the search text, the members matching it and the one picked.

    Never more than MEMBER_CHOICES_LIMIT members (the picked one first), whatever the size of
    the organization; `more` says that the text matches further members.
    """

    side: str
    label: str
    query: str = ""
    members: list[Member] = field(default_factory=list)
    picked_id: int | None = None
    more: bool = False


def member_choices(
    organization: Organization, side: str, query: str, picked: Member | None = None
) -> MemberChoices:
    """The active members matching the text, in quadrant order; one query, none without text."""
    members = []
    if query:
        members = list(
            search_members(organization, organization.today(), query, MEMBER_CHOICES_LIMIT + 1)
        )
    more = len(members) > MEMBER_CHOICES_LIMIT
    members = members[:MEMBER_CHOICES_LIMIT]
    if picked is not None and picked not in members:
        members = [picked, *members[: MEMBER_CHOICES_LIMIT - 1]]
    return MemberChoices(
        side=side,
        label=SIDES[side],
        query=query,
        members=members,
        picked_id=picked.pk if picked else None,
        more=more,
    )


def _query_field(side: str) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=100,
        label=SIDES[side],
        help_text="Type part of a name or title, then pick the member.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class RelationshipForm(forms.Form):
    """Two members found by search text (never a list of the whole organization).

    Each side has its search text (`from_query`, `to_query`) and the member picked among the
    matches (`from_member`, `to_member`). A side without a pick takes the one active member
    whose name is exactly the text; otherwise the form is shown again with the matches to
    pick from.
    """

    from_query = _query_field("from")
    from_member = MemberChoiceField(
        queryset=Member.objects.none(), required=False, label="From", widget=forms.RadioSelect
    )
    to_query = _query_field("to")
    to_member = MemberChoiceField(
        queryset=Member.objects.none(), required=False, label="To", widget=forms.RadioSelect
    )
    carries = forms.CharField(
        required=False,
        max_length=200,
        label="What it carries",
        help_text="A short message or emphasis, e.g. “on-time delivery”.",
    )
    starts_on = forms.DateField(widget=DateInput, label="Starts on")

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
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

    def relationship(self) -> dict:
        """The service's arguments (after is_valid): the search texts are left out."""
        fields = ["from_member", "to_member", "carries", "starts_on"]
        return {name: self.cleaned_data[name] for name in fields}

    def _resolve(self, data: dict, side: str) -> None:
        """Take the exact match of a side's text when nothing was picked, or say what to do."""
        member_field, query_field = f"{side}_member", f"{side}_query"
        if data.get(member_field) or member_field in self.errors or query_field in self.errors:
            return
        query = data.get(query_field, "")
        if not query:
            self.add_error(query_field, EMPTY_PICK[side])
            return
        exact = list(_members(self.organization).filter(name__iexact=query)[:2])
        if len(exact) == 1:
            data[member_field] = exact[0]
        elif self.choices(side).members:
            self.add_error(query_field, f"Pick one of the members matching “{query}”.")
        else:
            self.add_error(query_field, f"No active member matches “{query}”.")

    def choices(self, side: str) -> MemberChoices:
        """What to show under a side's search box: the matches, the picked member first."""
        cache = self.__dict__.setdefault("_choices", {})
        if side not in cache:
            data = getattr(self, "cleaned_data", {})
            picked = data.get(f"{side}_member")
            query = data.get(f"{side}_query", "") if self.is_bound else ""
            cache[side] = member_choices(self.organization, side, query, picked)
        return cache[side]

    @property
    def from_choices(self) -> MemberChoices:
        return self.choices("from")

    @property
    def to_choices(self) -> MemberChoices:
        return self.choices("to")

    def clean(self) -> dict:
        data = super().clean()
        for side in SIDES:
            self._resolve(data, side)
        from_member, to_member = data.get("from_member"), data.get("to_member")
        if from_member and to_member:
            problem = type_problem(from_member, to_member)
            if problem:
                self.add_error("to_member", problem)
        return data


class MemberSearchForm(forms.Form):
    """One side's search text and the member picked so far, as typed in the add form (HTMX).

    The fields carry the add form's names (`from_query`, `from_member` or the `to_` pair).
    """

    def __init__(self, *args, side: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.side = side
        self.fields[f"{side}_query"] = forms.CharField(required=False, max_length=100)
        self.fields[f"{side}_member"] = forms.IntegerField(required=False, min_value=1)

    def query(self) -> str:
        return self.cleaned_data[f"{self.side}_query"]

    def picked_id(self) -> int | None:
        return self.cleaned_data[f"{self.side}_member"]


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
