"""The filter form's selects are written in Python, to the same HTML as Django's template."""

from __future__ import annotations

import pytest
from django import forms

from partnerships.diagram.forms import DiagramFilterForm, QuickSelect
from tests.factories import ObjectiveFactory, PartnershipFactory

CHOICES = [
    ("", "All of them"),
    (1, "<script>alert('x')</script>"),
    ("2", 'Quotes " and & ampersands'),
    ("Group <b>", [(3, "Inside"), (4, "Also inside")]),
]


@pytest.mark.parametrize("value", [None, "", "1", 2, ["3"]])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_x"}, {"id": "id_x", "required": True, "disabled": False}]
)
def test_it_writes_the_same_html_as_djangos_select(value, attrs):
    quick = QuickSelect(choices=CHOICES).render("x", value, attrs)
    django = forms.Select(choices=CHOICES).render("x", value, attrs)
    assert quick == django
    assert "<script>" not in quick


def test_it_renders_the_filter_form_as_django_would(org, leader_membership):
    objective = ObjectiveFactory(organization=org, title="Quality & <care>")
    PartnershipFactory(organization=org, objective=objective, name='The "A" team <b>')
    PartnershipFactory(organization=org, objective=objective, name="Second")
    chosen = PartnershipFactory(organization=org, objective=objective, name="Chosen")
    form = DiagramFilterForm({"partnership": chosen.pk}, membership=leader_membership)
    assert form.is_valid()
    for name in ("objective", "partnership"):
        field = form[name]
        plain = forms.Select(choices=field.field.choices)
        expected = plain.render(field.html_name, field.value(), {"id": field.auto_id})
        assert str(field) == expected
    assert f'<option value="{chosen.pk}" selected>Chosen</option>' in str(form["partnership"])
    assert "The &quot;A&quot; team &lt;b&gt;" in str(form["partnership"])
