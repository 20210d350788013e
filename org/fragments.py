"""Answering a page or its fragment: the whole page for a browser, a part of it for htmx.

One helper for every view that has a fragment, because the hand-written copies went wrong in
two ways. htmx restores a page it no longer holds in its history cache with an htmx request
(``HX-History-Restore-Request``), which needs the whole page, not the fragment. And a browser
or a cache that stored the fragment under the page's URL serves it again for the page (say
on Back) unless the answer says that it varies with ``HX-Request``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """Whether to answer with the fragment: an htmx request that is not a history restore.

    A view asks this itself only when the fragment needs less context than the page."""
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request


def render_page_or_fragment(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    fragment: str,
    status: int = 200,
) -> HttpResponse:
    """The page ``template_name``, or its fragment for htmx (see ``wants_fragment``).

    ``fragment`` names a partial of the page (``"#results"``) or a template of its own
    (``"org/_team_people.html"``). ``status`` is for a plain request: an htmx request always
    gets 200, since htmx 2 swaps nothing else in (a form's errors, a history restore). Every
    answer varies with ``HX-Request``.
    """
    if wants_fragment(request):
        name = template_name + fragment if fragment.startswith("#") else fragment
    else:
        name = template_name
    response = render(request, name, context, status=200 if request.htmx else status)
    patch_vary_headers(response, ["HX-Request"])
    return response
