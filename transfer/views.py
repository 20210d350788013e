"""The import pages, for admins: upload → columns and quadrant rules → preview → apply.

Between the steps the uploaded file waits in the user's session (compressed), tied to the
organization it was uploaded for; nothing is written to the organization before apply.
"""

from __future__ import annotations

import base64
import io
import zlib
from dataclasses import asdict, dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from org.access import WHOLE_ORGANIZATION, require_admin, require_role
from org.models import Organization
from org.spreadsheets import attachment
from transfer import backup, exports, imports
from transfer.forms import ApplyForm, MappingForm, UploadForm
from transfer.services import ImportRefused, StalePreview, organization_import

SESSION_KEY = "org_import"


@dataclass
class PendingImport:
    """The file being imported, kept in the session between the steps."""

    organization_id: int
    filename: str
    encoding: str
    data: bytes = field(repr=False)
    mapping: dict[str, str] | None = None
    rules: dict | None = None

    @classmethod
    def load(cls, request: HttpRequest, organization: Organization) -> PendingImport | None:
        stored = request.session.get(SESSION_KEY)
        if not stored or stored.get("organization_id") != organization.pk:
            return None
        stored = dict(stored)
        stored["data"] = zlib.decompress(base64.b64decode(stored["data"]))
        return cls(**stored)

    def save(self, request: HttpRequest) -> None:
        stored = asdict(self)
        stored["data"] = base64.b64encode(zlib.compress(self.data)).decode("ascii")
        request.session[SESSION_KEY] = stored

    def quadrant_rules(self) -> imports.QuadrantRules:
        return imports.QuadrantRules(**(self.rules or {}))

    def plan(self) -> imports.ImportPlan:
        return imports.plan_import(
            self.data,
            encoding=self.encoding,
            mapping=self.mapping,
            recognise=False,
            rules=self.quadrant_rules(),
        )


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    membership = require_admin(request)
    organization = membership.organization
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[imports.Problem] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        encoding = form.cleaned_data["encoding"]
        table, problems = imports.read_table(data, encoding=encoding)
        if table is not None and not any(p.is_error for p in problems):
            PendingImport(
                organization_id=organization.pk,
                filename=form.cleaned_data["file"].name,
                encoding=encoding,
                data=data,
            ).save(request)
            return redirect("org_import:columns")
    context = {
        "form": form,
        "problems": problems,
        "pending": PendingImport.load(request, organization),
        "limits": {"size_mb": imports.MAX_FILE_BYTES // 2**20, "rows": imports.MAX_ROWS},
    }
    return render(request, "org/import/upload.html", context)


@require_http_methods(["GET", "POST"])
def columns(request: HttpRequest) -> HttpResponse:
    membership = require_admin(request)
    pending = PendingImport.load(request, membership.organization)
    if pending is None:
        messages.info(request, "Upload a file to import first.")
        return redirect("org_import:upload")
    table, problems = imports.read_table(pending.data, encoding=pending.encoding)
    if table is None:  # the file was checked at upload, so only a changed limit lands here
        messages.error(request, "; ".join(str(p) for p in problems))
        return redirect("org_import:upload")
    if pending.mapping is None:
        recognised, _ = imports.resolve_columns(table.headers)
        mapping = recognised.as_mapping()
    else:
        mapping = pending.mapping
    initial = {f"column_{name}": header for name, header in mapping.items()}
    initial.update(asdict(pending.quadrant_rules()))
    form = MappingForm(request.POST or None, headers=table.headers, initial=initial)
    if request.method == "POST" and form.is_valid():
        pending.mapping = form.mapping()
        pending.rules = asdict(form.rules())
        pending.save(request)
        return redirect("org_import:preview")
    context = {
        "form": form,
        "pending": pending,
        "headers": table.headers,
        "first_rows": [cells for _, cells in table.rows[:3]],
    }
    return render(request, "org/import/columns.html", context)


def _render_preview(
    request: HttpRequest, pending: PendingImport, preview: imports.Preview
) -> HttpResponse:
    plan = preview.plan
    context = {
        "pending": pending,
        "preview": preview,
        "plan": plan,
        "errors": plan.errors[: imports.PROBLEMS_SHOWN],
        "more_errors": max(0, len(plan.errors) - imports.PROBLEMS_SHOWN),
        "warnings": plan.warnings[: imports.PROBLEMS_SHOWN],
        "proposal": imports.proposal_by_quadrant(plan) if plan.ok else [],
        "quadrants_given": plan.columns is not None and "quadrant" in plan.columns.index,
        "type_counts": plan.type_counts() if plan.ok else {},
        "apply_form": ApplyForm(initial={"fingerprint": preview.fingerprint()}),
    }
    return render(request, "org/import/preview.html", context)


def _pending_with_columns(request: HttpRequest, organization: Organization):
    pending = PendingImport.load(request, organization)
    if pending is None:
        messages.info(request, "Upload a file to import first.")
        return None, redirect("org_import:upload")
    if pending.mapping is None:
        return None, redirect("org_import:columns")
    return pending, None


@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    membership = require_admin(request)
    pending, elsewhere = _pending_with_columns(request, membership.organization)
    if pending is None:
        return elsewhere
    return _render_preview(
        request, pending, imports.preview_import(membership.organization, pending.plan())
    )


@require_POST
def apply(request: HttpRequest) -> HttpResponse:
    membership = require_admin(request)
    pending, elsewhere = _pending_with_columns(request, membership.organization)
    if pending is None:
        return elsewhere
    form = ApplyForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("The preview to apply is missing.")
    try:
        applied = organization_import(
            organization=membership.organization,
            plan=pending.plan(),
            by=request.user,
            fingerprint=form.cleaned_data["fingerprint"],
        )
    except ImportRefused as refused:
        return _render_preview(request, pending, refused.preview)
    except StalePreview as stale:
        messages.warning(request, stale.messages[0])
        return _render_preview(request, pending, stale.preview)
    del request.session[SESSION_KEY]
    people = applied.people
    messages.success(
        request,
        f"Imported {pending.filename}: {people.new} new, {people.changed} changed and "
        f"{people.archived} archived people; {len(applied.lines_to_add)} reporting lines added "
        f"and {applied.lines_ended} ended"
        + (
            f"; {len(applied.ended_elsewhere)} relationships in other partnerships ended."
            if applied.ended_elsewhere
            else "."
        ),
    )
    return redirect("org:member_list")


WHOLE_EXPORT_ONLY = "Only admins and leaders can export the whole organization."


def _export_name(organization: Organization, what: str, extension: str) -> str:
    return f"{organization.slug}-{what}-{organization.today().isoformat()}.{extension}"


@require_GET
def export_members(request: HttpRequest) -> HttpResponse:
    """Members as CSV: for admins and leaders, who see the whole organization anyway."""
    membership = require_role(request, *WHOLE_ORGANIZATION, message=WHOLE_EXPORT_ONLY)
    out = io.StringIO()
    exports.write_members_csv(membership.organization, out)
    name = _export_name(membership.organization, "members", "csv")
    return attachment(out.getvalue(), name, "text/csv; charset=utf-8")


@require_GET
def export_relationships(request: HttpRequest) -> HttpResponse:
    membership = require_role(request, *WHOLE_ORGANIZATION, message=WHOLE_EXPORT_ONLY)
    out = io.StringIO()
    exports.write_relationships_csv(membership.organization, out)
    name = _export_name(membership.organization, "relationships", "csv")
    return attachment(out.getvalue(), name, "text/csv; charset=utf-8")


@require_GET
def export_backup(request: HttpRequest) -> HttpResponse:
    """The JSON backup (admins only: it names the organization's logins)."""
    membership = require_admin(request)
    out = io.StringIO()
    backup.write_backup(membership.organization, out)
    name = _export_name(membership.organization, "backup", "json")
    return attachment(out.getvalue(), name, "application/json")


@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    require_admin(request)
    request.session.pop(SESSION_KEY, None)
    messages.info(request, "The import was cancelled; nothing was changed.")
    return redirect("org_import:upload")
