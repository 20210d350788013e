from __future__ import annotations

from django import forms

from org.models import Quadrant


class MemberFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    quadrant = forms.ChoiceField(
        required=False, choices=[("", "All quadrants"), *Quadrant.choices], label="Quadrant"
    )
    archived = forms.BooleanField(required=False, label="Include archived")
