"""The filters of the audit trail page."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, QuerySet

from org.audit import OBJECT_TYPES
from org.models import AuditEntry, Organization

ANYTHING = [("", "Anything")]
# Days the trail can be asked about: far enough from the calendar's ends that midnight in any
# time zone, and the day after, are still dates.
DAY_RANGE = [
    MinValueValidator(datetime.date(1900, 1, 1), "Choose a day from the year 1900 on."),
    MaxValueValidator(datetime.date(9000, 12, 31), "Choose a day before the year 9001."),
]


class DateInput(forms.DateInput):
    input_type = "date"


class LoginChoiceField(forms.ModelChoiceField):
    """A login, named by the person it is in the organization (annotated `person_name`)."""

    def label_from_instance(self, obj) -> str:
        return obj.person_name or f"{obj.get_username()} (a login with no person)"


class AuditFilterForm(forms.Form):
    actor = LoginChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Who",
        empty_label="Anyone",
        error_messages={"invalid_choice": "Choose one of this organization's logins."},
    )
    object_type = forms.ChoiceField(
        required=False,
        label="What",
        choices=ANYTHING + sorted(((k, v[1]) for k, v in OBJECT_TYPES.items()), key=lambda c: c[1]),
    )
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Concerning",
        widget=forms.SearchInput(attrs={"placeholder": "A name or title"}),
    )
    date_from = forms.DateField(
        required=False, label="From", widget=DateInput, validators=DAY_RANGE
    )
    date_to = forms.DateField(
        required=False, label="To (inclusive)", widget=DateInput, validators=DAY_RANGE
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        users = get_user_model()
        self.fields["actor"].queryset = (
            users.objects.filter(org_memberships__organization=organization)
            .annotate(person_name=F("org_memberships__member__name"))
            .only("pk", users.USERNAME_FIELD)
            .order_by(F("person_name").asc(nulls_last=True), users.USERNAME_FIELD)
        )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The last day comes on or after the first day.")
        return data

    def _moment(self, day: datetime.date) -> datetime.datetime:
        """Midnight starting `day` in the organization's time zone."""
        return datetime.datetime.combine(day, datetime.time(), tzinfo=self.organization.tz)

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        data = self.cleaned_data
        if data["actor"] is not None:
            entries = entries.filter(actor=data["actor"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        if data["q"].strip():
            entries = entries.filter(object_repr__icontains=data["q"].strip())
        if data["date_from"]:  # DAY_RANGE keeps it and the day after inside the calendar
            entries = entries.filter(at__gte=self._moment(data["date_from"]))
        if data["date_to"]:
            day_after = data["date_to"] + datetime.timedelta(days=1)
            entries = entries.filter(at__lt=self._moment(day_after))
        return entries

    @property
    def filtered(self) -> bool:
        data = self.cleaned_data
        return any(data[name] for name in ["actor", "object_type", "q", "date_from", "date_to"])
