from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator

from org.models import PERSON_QUADRANTS, Member, Organization, Quadrant

QUADRANT_NAMES = "Leadership, Managers, Teams or Employees"


class MemberFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "Name, title, email or team"}),
    )
    quadrant = forms.ChoiceField(
        required=False, choices=[("", "All quadrants"), *Quadrant.choices], label="Quadrant"
    )
    archived = forms.BooleanField(required=False, label="Include archived")
    page = forms.IntegerField(required=False, min_value=1)


class NewMemberKindForm(forms.Form):
    """The ?kind= of the "add" page: which form to start with."""

    kind = forms.ChoiceField(required=False, choices=Member.Kind.choices)


class MemberForm(forms.Form):
    """A person's or team's facts. Kind and quadrant are asked only when adding a member;
    afterwards the quadrant changes through a move, which keeps the history."""

    kind = forms.ChoiceField(
        choices=Member.Kind.choices,
        widget=forms.RadioSelect,
        label="This is a",
        error_messages={"invalid_choice": "Choose whether this is a person or a team."},
    )
    name = forms.CharField(
        max_length=200,
        error_messages={"required": "Give a name: a person's full name or the team's name."},
    )
    quadrant = forms.ChoiceField(
        choices=[("", "Choose a quadrant"), *Quadrant.choices],
        error_messages={
            "required": "Choose the quadrant this member sits in.",
            "invalid_choice": f"“%(value)s” is not a quadrant; choose {QUADRANT_NAMES}.",
        },
    )
    title = forms.CharField(max_length=200, required=False, help_text="A person's job title.")
    email = forms.EmailField(required=False)
    external_id = forms.CharField(
        max_length=100,
        required=False,
        label="External id",
        help_text="The id this person or team has in your HR system; unique in the organization.",
    )
    active_from = forms.DateField(
        label="Active from", widget=forms.DateInput(attrs={"type": "date"})
    )
    active_until = forms.DateField(
        label="Active until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first day this member is no longer active; leave empty while active.",
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, organization: Organization, member: Member | None = None, **kwargs
    ) -> None:
        self.organization = organization
        self.member = member
        if member is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": member.name,
                    "title": member.title,
                    "email": member.email,
                    "external_id": member.external_id,
                    "active_from": member.active_from,
                    "active_until": member.active_until,
                    "version": member.updated_at.isoformat(),
                },
            )
        super().__init__(*args, **kwargs)
        if member is not None:
            del self.fields["kind"]
            del self.fields["quadrant"]
        else:
            del self.fields["version"]
            self.fields["active_from"].initial = organization.today()

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"])
        return name

    def clean_external_id(self) -> str:
        external_id = self.cleaned_data["external_id"].strip()
        if not external_id:
            return external_id
        others = Member.objects.for_org(self.organization).filter(external_id=external_id)
        if self.member is not None:
            others = others.exclude(pk=self.member.pk)
        other = others.first()
        if other is not None:
            raise forms.ValidationError(
                "Another member, %(other)s, already has external id %(value)s.",
                code="duplicate_external_id",
                params={"other": other.name, "value": external_id},
            )
        return external_id

    def clean(self) -> dict:
        data = super().clean()
        kind, quadrant = data.get("kind"), data.get("quadrant")
        if kind == Member.Kind.TEAM and quadrant and quadrant != Quadrant.TEAMS:
            self.add_error(
                "quadrant",
                forms.ValidationError(
                    "A team sits in the Teams quadrant; %(quadrant)s is for people.",
                    code="team_in_person_quadrant",
                    params={"quadrant": Quadrant(quadrant).label},
                ),
            )
        if kind == Member.Kind.PERSON and quadrant == Quadrant.TEAMS:
            self.add_error(
                "quadrant",
                forms.ValidationError(
                    "The Teams quadrant holds teams only; put a person in Leadership, Managers "
                    "or Employees.",
                    code="person_in_teams_quadrant",
                ),
            )
        start, end = data.get("active_from"), data.get("active_until")
        if start and end and end <= start:
            self.add_error(
                "active_until",
                forms.ValidationError(
                    "The end date must be after the start date (%(start)s).",
                    code="end_before_start",
                    params={"start": start.isoformat()},
                ),
            )
        return data


class ArchiveForm(forms.Form):
    on = forms.DateField(
        label="No longer active from",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the first day this member is no longer active."},
    )


class MoveForm(forms.Form):
    to_quadrant = forms.ChoiceField(
        label="Move to",
        choices=[(q.value, q.label) for q in PERSON_QUADRANTS],
        error_messages={
            "required": "Choose the quadrant to move to.",
            "invalid_choice": "“%(value)s” is not a quadrant a person can move to; choose "
            "Leadership, Managers or Employees.",
        },
    )
    on = forms.DateField(
        label="Moved on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the day of the move."},
    )


class _OfferedChoiceIterator(ModelChoiceIterator):
    def __init__(self, field: PersonChoiceField) -> None:
        super().__init__(field)
        self.queryset = field.offered


class PersonChoiceField(forms.ModelChoiceField):
    """Accepts any member of the organization, so the service can say what is wrong with a
    choice, but offers in the select only the people that fit (`offered`)."""

    iterator = _OfferedChoiceIterator

    def __init__(self, *, offered: QuerySet, **kwargs) -> None:
        self.offered = offered
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name} ({obj.get_quadrant_display()})"


class TeamPeopleForm(forms.Form):
    """Add a person to a team, or take one off it."""

    ADD, REMOVE = "add", "remove"

    action = forms.ChoiceField(
        choices=[(ADD, "Add"), (REMOVE, "Remove")], initial=ADD, widget=forms.HiddenInput
    )

    def __init__(self, *args, team: Member, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organization = team.organization
        offered = (
            Member.objects.for_org(organization)
            .filter(kind=Member.Kind.PERSON)
            .active_on(organization.today())
            .exclude(person_seats__team=team)
            .in_quadrant_order()
        )
        self.fields["person"] = PersonChoiceField(
            queryset=Member.objects.for_org(organization),
            offered=offered,
            label="Add a person",
            empty_label="Choose a person",
            error_messages={
                "required": "Choose a person.",
                "invalid_choice": "That person is not in this organization.",
            },
        )
