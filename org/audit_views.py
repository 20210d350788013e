"""The audit trail page: who changed what in the organization, for its admins. Read-only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_GET

from org.access import require_admin
from org.audit import field_changes, object_type_label, related_names
from org.audit_forms import AuditFilterForm
from org.fragments import render_page_or_fragment
from org.models import AuditEntry, person_name

ENTRIES_PER_PAGE = 50


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The organization's changes, newest first, filtered by who, what, a name and the days."""
    membership = require_admin(request)
    organization = membership.organization
    form = AuditFilterForm(request.GET, organization=organization)
    if not form.is_valid():
        return HttpResponseBadRequest("Invalid filter.")
    entries = (
        form.filter(AuditEntry.objects.for_org(organization))
        .newest_first()
        .annotate(actor_name=person_name("actor"))
    )
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(form.cleaned_data["page"])
    with timezone.override(organization.tz):  # times as the organization reads them
        names = related_names(page.object_list)
        rows = [
            {
                "entry": entry,
                "what": object_type_label(entry.object_type),
                "changes": field_changes(entry, names),
            }
            for entry in page.object_list
        ]
        context = {"form": form, "page": page, "rows": rows, "filtered": form.filtered}
        return render_page_or_fragment(request, "org/audit.html", context, fragment="#results")
