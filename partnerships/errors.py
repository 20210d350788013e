"""The answer when a request fails with an exception nobody caught (handler500).

A database that does not answer (connection refused, dropped, restarting) is not a bug: the
visitor gets a 503 "back soon" page with Retry-After, and the next request tries the database
again (Django opens a fresh connection, checking a kept one first: CONN_HEALTH_CHECKS).
Anything else is a 500. Both pages are rendered without the request, so they need no
database (no user, no organization) and show nothing but the layout and a short message.

Django calls this handler for exceptions raised anywhere in the middleware or the view, when
DEBUG is off; with DEBUG on it shows its technical page instead. When the layout itself cannot
be rendered (the static files' manifest is missing because `collectstatic` was never run, a
template fails), the page falls back to a plain one that needs nothing at all.

`ClientErrorsBriefly` keeps the log readable: a refusal (403) or a missing page (404) is the
visitor's mistake, not the server's, and is logged once, as a warning, without a traceback.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
_PLAIN_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body><main id="main"><h1>{title}</h1><p>{text}</p><p><a href="/">Back to the start page'
    "</a></p></main></body></html>"
)
DATABASE_DOWN = (OperationalError, InterfaceError)


def database_unavailable(exception: BaseException | None) -> bool:
    """Whether the exception, or one it came from, says the database cannot be reached."""
    while exception is not None:
        if isinstance(exception, DATABASE_DOWN):
            return True
        exception = exception.__cause__ or exception.__context__
    return False


def _page(template_name: str, context: dict, *, title: str, text: str) -> str:
    """The error page in the site's layout or, when that cannot be rendered, a plain one."""
    try:
        return loader.get_template(template_name).render(context)
    except Exception:  # the page that reports a failure must not fail itself
        logger.exception("The error page %s could not be rendered; sent a plain one", template_name)
        return _PLAIN_PAGE.format(title=title, text=text)


def server_error(request: HttpRequest) -> HttpResponse:
    if database_unavailable(sys.exception()):
        body = _page(
            "503.html",
            {"retry_after": RETRY_AFTER_SECONDS},
            title="Back in a moment",
            text="The site cannot reach its database just now. Try again in a minute.",
        )
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    body = _page(
        "500.html",
        {},
        title="Something went wrong",
        text="The site failed to answer this request. The error is logged; try again.",
    )
    return HttpResponseServerError(body)


class ClientErrorsBriefly(logging.Filter):
    """On django.request: a 4xx answer is logged without the traceback of the exception that
    made it (PermissionDenied, Http404). Server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
