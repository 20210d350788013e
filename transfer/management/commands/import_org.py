"""Import an organization's people and reporting lines from an HR system's CSV export."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from org.models import Organization
from transfer import imports
from transfer.services import ImportRefused, organization_import


class Command(BaseCommand):
    help = (
        "Import people and reporting lines from a CSV file into an organization (by slug). "
        "Common HR column names are recognised; map others with --map field=column, e.g. "
        "--map id=employee_number --map manager_id='Supervisor Badge'. Nothing is written when "
        "the file has errors, and --dry-run only shows what would change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organization", help="The organization's slug.")
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help=f"Our field, then the file's column. Fields: {', '.join(imports.FIELDS)}.",
        )
        parser.add_argument("--encoding", choices=list(imports.ENCODINGS), default="utf-8")
        parser.add_argument("--dry-run", action="store_true", help="Preview only; write nothing.")
        parser.add_argument(
            "--leadership-levels",
            type=int,
            default=imports.QuadrantRules.leadership_levels,
            help="Levels below the top that are leadership too, when the file has no quadrant "
            "column (default: %(default)s).",
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
        try:
            with options["file"].open("rb") as file:
                data = file.read(imports.MAX_FILE_BYTES + 1)
            mapping = imports.parse_map_arguments(options["map"])
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if options["leadership_levels"] < 0:
            raise CommandError("--leadership-levels cannot be negative.")
        rules = imports.QuadrantRules(
            leadership_levels=options["leadership_levels"], teams_from=options["teams_from"]
        )
        plan = imports.plan_import(data, encoding=options["encoding"], mapping=mapping, rules=rules)
        if options["dry_run"]:
            preview = imports.preview_import(organization, plan)
            self._report(preview)
            if not preview.ok:
                raise CommandError("The file has errors; nothing would be imported.")
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            preview = organization_import(organization=organization, plan=plan)
        except ImportRefused as refused:
            self._report(refused.preview)
            raise CommandError("The file has errors; nothing was imported.") from None
        self._report(preview)
        if preview.has_changes:
            self.stdout.write(self.style.SUCCESS(f"Imported into {organization.name}."))
        else:
            self.stdout.write(f"{organization.name} already matches the file; nothing changed.")

    def _report(self, preview: imports.Preview) -> None:
        for line in imports.describe_preview(preview):
            style = self.style.ERROR if line.startswith("Error") else None
            self.stdout.write(style(line) if style else line)
