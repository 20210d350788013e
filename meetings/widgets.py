"""Choice widgets drawn in Python, for the long lists of a session's forms.

Django draws every option of a select (and every box of a checkbox list) through a template
of its own: a partnership of 250 people made the session page render over a thousand small
templates, most of its time (issue 20). These widgets write the same HTML as Django's, with
every value and label escaped, in one pass.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            selected = " selected" if key in chosen else ""
            options.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
        body = "\n  ".join(options)
        return mark_safe(f'<select name="{escape(name)}"{flatatt(final)}>\n  {body}\n</select>')


class FastCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        base_id = final.pop("id", None)
        css = final.pop("class", None)
        final.pop("required", None)  # a box list is never required box by box
        common = flatatt(final)  # the same on every box
        chosen = {str(v) for v in (self.format_value(value) or [])}
        quoted_name = escape(name)
        boxes = []
        for index, (option_value, label) in enumerate(self.choices):
            key = escape(str(option_value))
            checked = " checked" if str(option_value) in chosen else ""
            if base_id:
                box_id = escape(f"{base_id}_{index}")
                label_for, id_attr = f' for="{box_id}"', f' id="{box_id}"'
            else:
                label_for = id_attr = ""
            boxes.append(
                f'<div>\n    <label{label_for}><input type="checkbox" name="{quoted_name}" '
                f'value="{key}"{common}{id_attr}{checked}> {escape(label)}</label></div>'
            )
        wrapper_id = f' id="{escape(base_id)}"' if base_id else ""
        wrapper_class = f' class="{escape(css)}"' if css else ""
        return mark_safe(f"<div{wrapper_id}{wrapper_class}>{''.join(boxes)}\n</div>")
