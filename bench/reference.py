"""The benchmark's reference page: the floor every other page is compared with.

A signed-in page of the same site, through the same middleware, context processors and
layout, whose view runs one query for 50 rows and renders them in a table. It exists only
in the benchmark's URLconf (bench/urls.py); the product does not carry it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from org.access import require_membership
from org.models import Member

ROWS = 50


@require_GET
def reference(request: HttpRequest) -> HttpResponse:
    organization = require_membership(request).organization
    members = Member.objects.for_org(organization).order_by("name", "id")[:ROWS]
    return render(request, "bench/reference.html", {"members": members})
