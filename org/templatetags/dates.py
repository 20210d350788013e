"""The site's one date format in templates: `{{ value|day }}` and `{{ value|moment }}`.

Both are built into every template (TEMPLATES' "builtins" in settings). `"weekday"` as the
argument puts the weekday in front: `{{ session.starts_at|moment:"weekday" }}`.
"""

from __future__ import annotations

from django import template

from org import dates

register = template.Library()


def _weekday(arg: str | None) -> bool:
    if arg in (None, "", "weekday"):
        return arg == "weekday"
    raise template.TemplateSyntaxError(f'The date filters take "weekday" or nothing, not {arg!r}')


@register.filter(expects_localtime=True)
def day(value, arg: str | None = None) -> str:
    """A date (or the day of a moment, in the current time zone); empty for no value."""
    if not value:
        return ""
    return dates.day(value, weekday=_weekday(arg))


@register.filter(expects_localtime=True)
def moment(value, arg: str | None = None) -> str:
    """A moment in the current time zone; empty for no value."""
    if not value:
        return ""
    return dates.moment(value, weekday=_weekday(arg))
