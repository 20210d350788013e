"""Import an organization's people and reporting lines from an HR system's export (CSV or a
spreadsheet)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from org.models import Organization
from transfer import imports
from transfer.services import ArchiveNotConfirmed, ImportRefused, organization_import


class Command(BaseCommand):
    help = (
        "Import people and reporting lines from a CSV file or a spreadsheet (.xlsx, .xls, .ods) "
        "into an organization (by slug). Common HR column names are recognised; map others "
        "with --map field=column, e.g. --map id=employee_number --map manager_id='Supervisor "
        "Badge', leave a field out with --map email=, or skip a column with --ignore. Nothing "
        "is written when the file has errors, and --dry-run only shows what would change. "
        f"Takes up to {imports.COMMAND_MAX_FILE_BYTES // 2**20} MB and "
        f"{imports.COMMAND_MAX_ROWS:,} people (the upload page: "
        f"{imports.MAX_FILE_BYTES // 2**20} MB and {imports.MAX_ROWS:,})."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organization", help="The organization's slug.")
        parser.add_argument("file", type=Path, help="The CSV file or spreadsheet.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Our field, then the file's column; nothing after = leaves the field out. "
            f"Fields: {', '.join(imports.FIELDS)}.",
        )
        parser.add_argument(
            "--ignore",
            action="append",
            default=[],
            metavar="COLUMN",
            help="A column of the file to read nothing from.",
        )
        parser.add_argument(
            "--encoding",
            choices=list(imports.ENCODINGS),
            default="utf-8",
            help="For a CSV file without a byte-order mark (UTF-8 and UTF-16 with one are "
            "recognised whatever this says).",
        )
        parser.add_argument("--sheet", help="The spreadsheet's sheet to read (default: the first).")
        parser.add_argument("--dry-run", action="store_true", help="Preview only; write nothing.")
        parser.add_argument(
            "--partial",
            action="store_true",
            help="The file holds only part of the organization: add and update its people, "
            "archive nobody. Managers may be people already in the organization.",
        )
        parser.add_argument(
            "--archive-missing",
            action="store_true",
            help="Apply even when the import archives more than a tenth of the active people "
            "(everyone with an employee id who is not in the file).",
        )
        parser.add_argument(
            "--no-reporting-lines",
            action="store_true",
            help="The file has no manager column: import the people without reporting lines.",
        )
        parser.add_argument(
            "--no-team-lines",
            action="store_true",
            help="Seat people on their teams but leave the Team stewardship partnership alone.",
        )
        parser.add_argument(
            "--leadership-titles",
            metavar="WORDS",
            help="Comma-separated words that make a title read as leadership (kept for the "
            "organization's next imports; default: its own list, or chief, president, vice "
            "president, VP, director, head of, ...).",
        )
        parser.add_argument(
            "--leadership-levels",
            type=int,
            default=imports.QuadrantRules.leadership_levels,
            help="Levels below the top that are leadership whatever their titles, when the file "
            "has no quadrant column (default: %(default)s).",
        )
        parser.add_argument(
            "--teams-from",
            choices=["auto", "team", "department", "both", "none"],
            default="auto",
            help="Which column names the teams people sit on (default: team, else department).",
        )

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(f"No organization has the slug {options['organization']!r}.")
        path: Path = options["file"]
        # Larger than the upload page takes: a large organization's whole export.
        limits = imports.command_limits()
        try:
            size = path.stat().st_size
            if size > limits.file_bytes:  # before reading it into memory
                raise CommandError(str(imports.file_too_large(size, limits)))
            data = path.read_bytes()
            mapping = imports.parse_map_arguments(options["map"])
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if options["leadership_levels"] < 0:
            raise CommandError("--leadership-levels cannot be negative.")
        titles = (
            imports.title_words(options["leadership_titles"])
            if options["leadership_titles"] is not None
            else imports.organization_titles(organization)
        )
        rules = imports.QuadrantRules(
            leadership_levels=options["leadership_levels"],
            leadership_titles=titles,
            teams_from=options["teams_from"],
            team_lines=not options["no_team_lines"],
        )
        plan = imports.plan_for(
            organization,
            data,
            encoding=options["encoding"],
            sheet=options["sheet"],
            mapping=mapping,
            ignore=options["ignore"],
            reporting_lines=not options["no_reporting_lines"],
            rules=rules,
            partial=options["partial"],
            limits=limits,
        )
        if options["dry_run"]:
            preview = imports.preview_import(organization, plan)
            self._report(preview)
            if not preview.ok:
                raise CommandError("The file has errors; nothing would be imported.")
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            preview = organization_import(
                organization=organization, plan=plan, archive_missing=options["archive_missing"]
            )
        except ImportRefused as refused:
            self._report(refused.preview)
            raise CommandError("The file has errors; nothing was imported.") from None
        except ArchiveNotConfirmed as unconfirmed:
            self._report(unconfirmed.preview)
            preview = unconfirmed.preview
            raise CommandError(
                f"This import archives {preview.people.archived:,} of the "
                f"{preview.people_active:,} active people, more than a tenth; nothing was "
                "imported. If they have all left, run it again with --archive-missing; if the "
                "file holds only part of the organization, with --partial."
            ) from None
        self._report(preview)
        if preview.has_changes:
            self.stdout.write(self.style.SUCCESS(f"Imported into {organization.name}."))
        else:
            self.stdout.write(f"{organization.name} already matches the file; nothing changed.")

    def _report(self, preview: imports.Preview) -> None:
        for line in imports.describe_preview(preview):
            style = self.style.ERROR if line.startswith("Error") else None
            if line.startswith("This import archives"):
                style = self.style.WARNING
            self.stdout.write(style(line) if style else line)
