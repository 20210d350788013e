"""The benchmark's reference page, and the bare Django page it is measured against.

The reference: a signed-in page of the same site, through the same middleware, context
processors and layout, whose view runs one query for 50 rows and renders them in a table.

The bare page: what Django alone costs for the same rows. One query for the same 50 members,
a plain template (no layout, no context processors), served by bench/run.py through a
client whose only middleware are sessions and authentication (BARE_MIDDLEWARE). Reference
minus bare is what the site's layout, middleware and context processors cost.

Both exist only in the benchmark's URLconf (bench/urls.py); the product does not carry them.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from org.access import require_membership
from org.models import Member

ROWS = 50
BARE_SESSION_KEY = "bench_organization_id"
BARE_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]


@require_GET
def reference(request: HttpRequest) -> HttpResponse:
    organization = require_membership(request).organization
    members = Member.objects.for_org(organization).order_by("name", "id")[:ROWS]
    return render(request, "bench/reference.html", {"members": members})


@require_GET
def bare(request: HttpRequest) -> HttpResponse:
    """The same 50 members in one query, no layout. The organization comes from the session
    (bench/run.py puts it there, as the site keeps the current organization), so that the
    one query is the reference's own."""
    organization_id = request.session.get(BARE_SESSION_KEY)
    if not request.user.is_authenticated or organization_id is None:
        raise Http404
    members = list(
        Member.objects.filter(organization_id=organization_id).order_by("name", "id")[:ROWS]
    )
    html = loader.get_template("bench/bare.html").render({"members": members})
    return HttpResponse(html)
