"""The GET forms of the diagram pages: which slice of the organization, as of which day."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from org.models import OrgMembership
from partnerships.models import Objective, Partnership
from partnerships.scope import Scope


def _attrs(attrs: dict) -> SafeString:
    """HTML attributes as Django's attrs.html writes them (True: the bare name; False: none)."""
    shown = [(name, value) for name, value in attrs.items() if value is not False]
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in shown
        ),
    )


class QuickSelect(forms.Select):
    """A select written in Python, to the same HTML as Django's select template, straight
    from the field's choices: rendering that template (or even building its context) once
    per option costs tens of milliseconds for a few hundred partnerships, on every diagram
    page."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        selected = {str(v) for v in self.format_value(value)}
        parts = [format_html('<select name="{}"{}>', name, _attrs(final_attrs))]

        def option(option_value, label) -> str:
            # html.escape is what Django's escape does, without its lazy-string wrapper (a
            # thousand partnerships: two thousand calls on every diagram page).
            text = "" if option_value is None else str(option_value)
            chosen = " selected" if text in selected else ""
            return f'\n  <option value="{escape(text)}"{chosen}>{escape(str(label))}</option>\n'

        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # a group: its name, then its choices
                parts.append(format_html('\n  <optgroup label="{}">', option_value))
                parts.extend(option(inner, inner_label) for inner, inner_label in label)
                parts.append("\n  </optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label escaped


class _RowChoices(forms.models.ModelChoiceIterator):
    """The choices from (id, label) rows: no model instance per option."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", self.field.label_field)


class LabelledModelChoiceField(forms.ModelChoiceField):
    """A model choice whose options are read as (id, label_field) rows; the chosen one is
    still checked against the queryset and cleaned to its instance."""

    iterator = _RowChoices

    def __init__(self, *args, label_field: str, **kwargs) -> None:
        self.label_field = label_field
        super().__init__(*args, **kwargs)


class DiagramFilterForm(forms.Form):
    objective = LabelledModelChoiceField(
        queryset=Objective.objects.none(),
        label_field="title",
        widget=QuickSelect,
        required=False,
        empty_label="All objectives",
        error_messages={"invalid_choice": "That objective is not one of this organization's."},
    )
    partnership = LabelledModelChoiceField(
        queryset=Partnership.objects.none(),
        label_field="name",
        widget=QuickSelect,
        required=False,
        empty_label="All partnerships",
        error_messages={"invalid_choice": "That partnership is not one you can see."},
    )
    as_of = forms.DateField(
        required=False,
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Give the date as YYYY-MM-DD."},
    )

    def __init__(self, data, *, membership: OrgMembership) -> None:
        super().__init__(data)
        self.membership = membership
        partnerships = Partnership.objects.visible_to(membership)
        # Only what the options show: the select lists every partnership the viewer sees.
        self.fields["partnership"].queryset = partnerships.only("pk", "name").order_by("name", "pk")
        objectives = Objective.objects.filter(organization=membership.organization)
        if not membership.sees_whole_organization:
            objectives = objectives.filter(pk__in=partnerships.values("objective"))
        self.fields["objective"].queryset = objectives.only("pk", "title").order_by("title", "pk")

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope.for_membership(
            self.membership,
            day=data.get("as_of"),
            objective=data.get("objective"),
            partnership=data.get("partnership"),
        )

    def query(self) -> str:
        """The filters as a query string ("" or "?objective=3&as_of=2025-06-30") for links."""
        data = self.cleaned_data
        pairs = []
        if data.get("objective"):
            pairs.append(("objective", data["objective"].pk))
        if data.get("partnership"):
            pairs.append(("partnership", data["partnership"].pk))
        if data.get("as_of"):
            pairs.append(("as_of", data["as_of"].isoformat()))
        return "?" + urlencode(pairs) if pairs else ""

    @property
    def is_filtered(self) -> bool:
        return any(self.cleaned_data.get(name) for name in ("objective", "partnership"))


class AsOfForm(forms.Form):
    """The "as of" day alone, for one member's or one partnership's map."""

    as_of = DiagramFilterForm.base_fields["as_of"]


class SearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        strip=True,
        widget=forms.SearchInput(
            attrs={"placeholder": "Name, title or team", "autocomplete": "off"}
        ),
    )
