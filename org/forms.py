from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.forms.models import ModelChoiceIterator

from org.bidi import refuse_bidi_controls
from org.models import (
    PERSON_QUADRANTS,
    PULSE_MIN_RATERS_FLOOR,
    Member,
    MemberQuerySet,
    Organization,
    Quadrant,
)
from org.openid_connect import is_acceptable_issuer

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
        validators=[refuse_bidi_controls],
    )
    quadrant = forms.ChoiceField(
        choices=[("", "Choose a quadrant"), *Quadrant.choices],
        error_messages={
            "required": "Choose the quadrant this member sits in.",
            "invalid_choice": f"“%(value)s” is not a quadrant; choose {QUADRANT_NAMES}.",
        },
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="A person's job title.",
        validators=[refuse_bidi_controls],
    )
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


PEOPLE_CHOICES_LIMIT = 20


def addable_people(team: Member) -> MemberQuerySet:
    """The people of the team's organization active today who do not sit on the team yet."""
    organization = team.organization
    return (
        Member.objects.for_org(organization)
        .filter(kind=Member.Kind.PERSON)
        .active_on(organization.today())
        .exclude(person_seats__team=team)
    )


@dataclass
class PeopleChoices:
    """What the add form shows under its search box: the text, the people matching it and the
    one picked.

    Never more than PEOPLE_CHOICES_LIMIT people (the picked one first), whatever the size of
    the organization; `more` says that the text matches further people.
    """

    query: str = ""
    people: list[Member] = field(default_factory=list)
    picked_id: int | None = None
    more: bool = False


def people_choices(team: Member, query: str, picked: Member | None = None) -> PeopleChoices:
    """The people who could join the team matching the text, in quadrant order; one query,
    none without text."""
    matches = []
    if query.strip():
        found = addable_people(team).search(query).in_quadrant_order()
        matches = list(found[: PEOPLE_CHOICES_LIMIT + 1])
    slots = PEOPLE_CHOICES_LIMIT
    if picked is not None:
        matches = [m for m in matches if m.pk != picked.pk]
        slots -= 1
    people = [picked] if picked is not None else []
    return PeopleChoices(
        query=query,
        people=[*people, *matches[:slots]],
        picked_id=picked.pk if picked is not None else None,
        more=len(matches) > slots,
    )


class _NoChoices(ModelChoiceIterator):
    """Offers nothing: the add form lists the matches of its search text, never everyone."""

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


class PersonPickField(forms.ModelChoiceField):
    """Accepts any member of the organization, so the service can say what is wrong with a
    choice, but offers none by itself (`PeopleChoices` lists the ones to pick from)."""

    iterator = _NoChoices


class TeamPeopleForm(forms.Form):
    """Add a person to a team, or take one off it.

    The person to add is found by search text (never a list of the whole organization): `query`
    is the text and `person` the one picked among the matches. Without a pick, the one active
    person whose name is exactly the text is taken; otherwise the form is shown again with the
    matches to pick from. Taking someone off names them directly (`person`).
    """

    ADD, REMOVE = "add", "remove"

    action = forms.ChoiceField(
        choices=[(ADD, "Add"), (REMOVE, "Remove")], initial=ADD, widget=forms.HiddenInput
    )
    query = forms.CharField(
        required=False,
        max_length=100,
        label="Add a person",
        help_text="Type part of a name or title, then pick the person.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args, team: Member, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self._choices: PeopleChoices | None = None
        self.fields["person"] = PersonPickField(
            queryset=Member.objects.for_org(team.organization),
            required=False,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "That person is not in this organization."},
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("person") or any(name in self.errors for name in self.fields):
            return data
        if data["action"] == self.REMOVE:
            self.add_error("person", "Choose a person to take off the team.")
            return data
        query = data["query"]
        if not query:
            self.add_error("query", "Type part of a name or title, then pick the person.")
            return data
        organization = self.team.organization
        people = Member.objects.for_org(organization).filter(kind=Member.Kind.PERSON)
        exact = list(people.active_on(organization.today()).filter(name__iexact=query)[:2])
        if len(exact) == 1:
            data["person"] = exact[0]  # the service says if they already sit on the team
        elif self.choices().people:
            self.add_error("query", f"Pick one of the people matching “{query}”.")
        else:
            self.add_error("query", f"No active person matches “{query}”.")
        return data

    def choices(self) -> PeopleChoices:
        """What to show under the search box: the matches, the person picked first."""
        if self._choices is None:
            data = getattr(self, "cleaned_data", {})
            picked = data.get("person") if data.get("action") == self.ADD else None
            query = data.get("query", "") if self.is_bound else ""
            self._choices = people_choices(self.team, query, picked)
        return self._choices


class PeopleSearchForm(forms.Form):
    """The add form's search text and the person picked so far, as typed (HTMX)."""

    query = forms.CharField(required=False, max_length=100)
    person = forms.IntegerField(required=False, min_value=1)

    def choices(self, team: Member) -> PeopleChoices:
        """The matches of the text (after is_valid); the picked person first while they could
        still join the team."""
        picked = None
        if self.cleaned_data["person"]:
            picked = addable_people(team).filter(pk=self.cleaned_data["person"]).first()
        return people_choices(team, self.cleaned_data["query"], picked)


# --- the organization's settings ---------------------------------------------------------------


class TwoFactorRequirementForm(forms.Form):
    admins_use_two_factor = forms.BooleanField(
        label="Admins must use two-factor",
        required=False,
        help_text="An admin without an authenticator app is sent to set one up before any other "
        "page. Everyone else may turn two-factor on from their account page.",
    )


class PulseThresholdForm(forms.Form):
    pulse_min_raters = forms.IntegerField(
        label="Fewest raters shown",
        min_value=PULSE_MIN_RATERS_FLOOR,
        max_value=50,
        help_text="The pulse and session ratings show a group's average only when at least "
        "this many different people answered; a smaller group shows “fewer than k answers”. "
        f"Never fewer than {PULSE_MIN_RATERS_FLOOR}, so that nobody's answer can be worked out.",
        error_messages={
            "required": "Give the fewest raters a group needs before it is shown.",
            "min_value": f"At least {PULSE_MIN_RATERS_FLOOR}: with fewer, people could work "
            "out each other's answers.",
            "max_value": "At most 50.",
            "invalid": "Give a whole number.",
        },
    )


DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SingleSignOnForm(forms.Form):
    issuer = forms.URLField(
        label="Issuer URL",
        max_length=300,
        assume_scheme="https",
        help_text="From your identity provider, e.g. https://login.example.com/realms/acme. "
        "Its discovery document, <issuer>/.well-known/openid-configuration, tells the rest.",
        error_messages={"required": "Paste the issuer URL from your identity provider."},
    )
    client_id = forms.CharField(
        label="Client ID",
        max_length=200,
        error_messages={"required": "Paste the client ID the identity provider gave this app."},
    )
    client_secret = forms.CharField(
        label="Client secret",
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored, never shown again. Leave empty to keep the one stored.",
    )
    domains = forms.CharField(
        label="Email domains",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, e.g. example.com. People whose email ends in one of them "
        "sign in with the identity provider.",
        error_messages={"required": "Name at least one email domain, e.g. example.com."},
    )
    enabled = forms.BooleanField(
        label="Single sign-on is on",
        required=False,
        initial=True,
        help_text="Turned off, the login page no longer sends anyone to the provider.",
    )

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].rstrip("/")
        if not is_acceptable_issuer(issuer):
            raise forms.ValidationError(
                "The issuer URL must start with https://.", code="insecure_issuer"
            )
        return issuer

    def clean_domains(self) -> list[str]:
        domains = []
        for line in self.cleaned_data["domains"].replace(",", "\n").splitlines():
            domain = line.strip().lstrip("@").lower()
            if not domain:
                continue
            if not DOMAIN_PATTERN.match(domain):
                raise forms.ValidationError(
                    "%(domain)s is not an email domain (write it as example.com).",
                    code="bad_domain",
                    params={"domain": domain},
                )
            if domain not in domains:
                domains.append(domain)
        if not domains:
            raise forms.ValidationError(self.fields["domains"].error_messages["required"])
        return domains


class SingleSignOnStartForm(forms.Form):
    email = forms.EmailField(
        label="Your work email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Type your work email.",
            "invalid": "Type your whole work email, e.g. ana@example.com.",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.label_suffix = ""
        self.fields["email"].widget.attrs.pop("placeholder", None)
