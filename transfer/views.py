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
from transfer.forms import ApplyForm, MappingForm, SheetForm, UploadForm
from transfer.services import (
    ArchiveNotConfirmed,
    ImportRefused,
    StalePreview,
    organization_import,
)

SESSION_KEY = "org_import"


@dataclass
class PendingImport:
    """The file being imported, kept in the session between the steps."""

    organization_id: int
    filename: str
    encoding: str
    data: bytes = field(repr=False)
    sheet: str | None = None
    mapping: dict[str, str] | None = None
    rules: dict | None = None
    reporting_lines: bool = True
    partial: bool = False

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

    def quadrant_rules(self, organization: Organization) -> imports.QuadrantRules:
        rules = dict(self.rules or {})
        rules["leadership_titles"] = tuple(
            rules.get("leadership_titles", imports.organization_titles(organization))
        )
        return imports.QuadrantRules(**rules)

    def plan(self, organization: Organization) -> imports.ImportPlan:
        return imports.plan_for(
            organization,
            self.data,
            encoding=self.encoding,
            sheet=self.sheet,
            mapping=self.mapping,
            recognise=False,
            reporting_lines=self.reporting_lines,
            rules=self.quadrant_rules(organization),
            partial=self.partial,
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
                sheet=table.sheet or None,
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
    organization = membership.organization
    pending = PendingImport.load(request, organization)
    if pending is None:
        messages.info(request, "Upload a file to import first.")
        return redirect("org_import:upload")
    table, problems = imports.read_table(
        pending.data, encoding=pending.encoding, sheet=pending.sheet
    )
    if table is None:  # the file was checked at upload, so only a changed limit lands here
        messages.error(request, "; ".join(str(p) for p in problems))
        return redirect("org_import:upload")
    sheet_form = SheetForm(initial={"sheet": table.sheet}, sheets=table.sheets)
    if request.method == "POST" and "sheet" in request.POST:
        sheet_form = SheetForm(request.POST, sheets=table.sheets)
        if sheet_form.is_valid():
            chosen = sheet_form.cleaned_data["sheet"]
            _, sheet_problems = imports.read_table(pending.data, sheet=chosen)
            errors = [str(p) for p in sheet_problems if p.is_error]
            if errors:
                sheet_form.add_error("sheet", f"The sheet “{chosen}”: {' '.join(errors)}")
            else:
                pending.sheet, pending.mapping = chosen, None
                pending.save(request)
                return redirect("org_import:columns")
    if pending.mapping is None:
        recognised, _ = imports.resolve_columns(table.headers)
        mapping = recognised.as_mapping()
    else:
        mapping = pending.mapping
    rules = pending.quadrant_rules(organization)
    initial = {f"column_{name}": header for name, header in mapping.items()}
    initial.update(
        leadership_levels=rules.leadership_levels,
        leadership_titles="\n".join(rules.leadership_titles),
        teams_from=rules.teams_from,
        team_lines=rules.team_lines,
        no_reporting_lines=not pending.reporting_lines,
        partial=pending.partial,
    )
    bound = request.method == "POST" and "sheet" not in request.POST
    form = MappingForm(request.POST if bound else None, headers=table.headers, initial=initial)
    if bound and form.is_valid():
        pending.mapping = form.mapping()
        rules = form.rules()
        pending.rules = asdict(rules) | {"leadership_titles": list(rules.leadership_titles)}
        pending.reporting_lines = not form.cleaned_data["no_reporting_lines"]
        pending.partial = form.cleaned_data["partial"]
        pending.save(request)
        return redirect("org_import:preview")
    context = {
        "form": form,
        "sheet_form": sheet_form if len(table.sheets) > 1 else None,
        "pending": pending,
        "table": table,
        "headers": table.headers,
        "first_rows": [cells for _, cells in table.rows[:3]],
    }
    return render(request, "org/import/columns.html", context)


def _render_preview(
    request: HttpRequest,
    pending: PendingImport,
    preview: imports.Preview,
    apply_form: ApplyForm | None = None,
) -> HttpResponse:
    plan = preview.plan
    context = {
        "pending": pending,
        "preview": preview,
        "plan": plan,
        "errors": plan.errors[: imports.PROBLEMS_SHOWN],
        "more_errors": max(0, len(plan.errors) - imports.PROBLEMS_SHOWN),
        "warnings": plan.warnings[: imports.PROBLEMS_SHOWN],
        "archive_sentence": imports.archive_sentence(preview) if plan.ok else "",
        "proposal": imports.proposal_by_quadrant(plan) if plan.ok else [],
        "quadrants_given": plan.columns is not None and "quadrant" in plan.columns.index,
        "type_counts": plan.type_counts() if plan.ok else {},
        "team_type_counts": plan.type_counts(plan.team_lines)
        if plan.ok and plan.team_lines is not None
        else {},
        "apply_form": apply_form or ApplyForm(initial={"fingerprint": preview.fingerprint()}),
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
    organization = membership.organization
    pending, elsewhere = _pending_with_columns(request, organization)
    if pending is None:
        return elsewhere
    return _render_preview(
        request, pending, imports.preview_import(organization, pending.plan(organization))
    )


@require_POST
def apply(request: HttpRequest) -> HttpResponse:
    membership = require_admin(request)
    organization = membership.organization
    pending, elsewhere = _pending_with_columns(request, organization)
    if pending is None:
        return elsewhere
    form = ApplyForm(request.POST)
    if not form.is_valid() and "fingerprint" in form.errors:
        return HttpResponseBadRequest("The preview to apply is missing.")
    try:
        applied = organization_import(
            organization=organization,
            plan=pending.plan(organization),
            by=request.user,
            fingerprint=form.cleaned_data["fingerprint"],
            archive_count=form.cleaned_data.get("archive_count"),
        )
    except ImportRefused as refused:
        return _render_preview(request, pending, refused.preview)
    except StalePreview as stale:
        messages.warning(request, stale.messages[0])
        return _render_preview(request, pending, stale.preview)
    except ArchiveNotConfirmed as unconfirmed:
        if "archive_count" not in form.errors:
            form.add_error(
                "archive_count",
                f"Type {unconfirmed.preview.people.archived}, the number of people this import "
                "archives, to apply it.",
            )
        return _render_preview(request, pending, unconfirmed.preview, form)
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
    return _csv_export(request, "members", exports.write_members_csv)


@require_GET
def export_relationships(request: HttpRequest) -> HttpResponse:
    return _csv_export(request, "relationships", exports.write_relationships_csv)


def _csv_export(request: HttpRequest, what: str, write) -> HttpResponse:
    """One CSV download of the whole organization, written by ``write(organization, out)``."""
    membership = require_role(request, *WHOLE_ORGANIZATION, message=WHOLE_EXPORT_ONLY)
    out = io.StringIO()
    write(membership.organization, out)
    name = _export_name(membership.organization, what, "csv")
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
