"""The suite checks templates: a variable a template names but its context lacks fails the
test that rendered it (pytest-django's fail-on-template-vars, on for every run in
pyproject.toml), instead of rendering an empty line that nobody notices."""

from __future__ import annotations

import pytest
from django.template import Context, Template


def test_an_undefined_variable_fails_the_test_that_renders_it():
    template = Template("Owner: {{ objective.owner.name }}")

    with pytest.raises(pytest.fail.Exception, match=r"objective\.owner\.name"):
        template.render(Context({"objective": {"title": "Quality"}}))


def test_a_value_guarded_by_if_renders_what_the_page_means():
    template = Template(
        "Owner: {% if objective.owner %}{{ objective.owner.name }}{% else %}—{% endif %}"
    )

    assert template.render(Context({"objective": {"title": "Quality"}})) == "Owner: —"
