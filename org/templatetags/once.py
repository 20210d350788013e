"""`{% once_field %}`: the hidden one-time key of a form that adds something (org/once.py).

Built into every template (TEMPLATES' "builtins" in settings)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from org import once

register = template.Library()


@register.simple_tag
def once_field() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', once.FIELD, once.new_key())
