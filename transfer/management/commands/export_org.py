"""Export one organization: a JSON backup (the default), or its members or relationships as CSV."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from org.models import Organization
from transfer import backup, exports

WRITERS = {
    "json": backup.write_backup,
    "members-csv": exports.write_members_csv,
    "relationships-csv": exports.write_relationships_csv,
}


class Command(BaseCommand):
    help = (
        "Write a JSON backup of one organization (by slug): its structure, partnerships and "
        "whatever else the apps register (see transfer/backup.py). Restore it with import_backup. "
        "--format members-csv or relationships-csv writes a spreadsheet-safe CSV instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organization", help="The organization's slug.")
        parser.add_argument("--format", choices=list(WRITERS), default="json")
        parser.add_argument(
            "-o", "--output", type=Path, help="The file to write (default: standard output)."
        )

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(f"No organization has the slug {options['organization']!r}.")
        write = WRITERS[options["format"]]
        if options["output"] is None:
            write(organization, self.stdout)
            return
        try:
            with options["output"].open("w", encoding="utf-8", newline="") as out:
                write(organization, out)
        except OSError as exc:
            raise CommandError(str(exc)) from None
        print(f"Wrote {options['output']}.", file=sys.stderr)
