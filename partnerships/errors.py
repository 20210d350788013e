"""The answer when a request fails with an exception nobody caught (handler500).

A database that does not answer (connection refused, dropped, restarting) is not a bug: the
visitor gets a 503 "back soon" page with Retry-After, and the next request tries the database
again (Django opens a fresh connection, checking a kept one first: CONN_HEALTH_CHECKS).
Anything else is a 500. Both pages are rendered without the request, so they need no
database (no user, no organization) and show nothing but the layout and a short message.

Django calls this handler for exceptions raised anywhere in the middleware or the view, when
DEBUG is off; with DEBUG on it shows its technical page instead.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

RETRY_AFTER_SECONDS = 30
DATABASE_DOWN = (OperationalError, InterfaceError)


def database_unavailable(exception: BaseException | None) -> bool:
    """Whether the exception, or one it came from, says the database cannot be reached."""
    while exception is not None:
        if isinstance(exception, DATABASE_DOWN):
            return True
        exception = exception.__cause__ or exception.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    if database_unavailable(sys.exception()):
        body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
