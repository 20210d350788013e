"""URLs of many objects of one kind for a page, reversed once.

`reverse()` walks the URL resolver every time it is called: a page listing a hundred
members with a link each spent more time reversing than reading them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_PK = 2_147_000_123  # a number no route holds, standing for the id in a reversed URL


def href_maker(name: str, *args: int) -> Callable[[int], str]:
    """pk -> the URL of `name` with `args` then pk, reversed once."""
    pattern = reverse(name, args=[*args, _PK])
    marker = f"/{_PK}/"
    return lambda pk: pattern.replace(marker, f"/{pk}/")
