"""Restore a JSON backup (from export_org) into a new or empty organization."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from transfer import backup


class Command(BaseCommand):
    help = (
        "Restore a JSON backup made by export_org into the organization --into SLUG: created "
        "from the backup's settings when it does not exist, refused when it is not empty. "
        "The whole file is checked first: a reference to a row that is not in it refuses the "
        "restore, and nothing is written. Logins are restored only with --logins, onto "
        "existing users."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup (JSON).")
        parser.add_argument("--into", required=True, metavar="SLUG", help="The organization.")
        parser.add_argument("--name", help="A name for a new organization (default: the backup's).")
        parser.add_argument(
            "--logins",
            action="store_true",
            help="Also give the backup's users (matched by username) their roles.",
        )

    def handle(self, *args, **options) -> None:
        try:
            with options["file"].open("rb") as source:
                data = backup.read_backup(source)
            report = backup.restore_backup(
                data, slug=options["into"], name=options["name"], logins=options["logins"]
            )
        except OSError as exc:
            raise CommandError(str(exc)) from None
        except backup.BackupError as exc:
            raise CommandError(exc.messages[0]) from None
        except backup.ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        organization = report.organization
        counts = ", ".join(f"{n} {label}" for label, n in report.rows.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored into {organization.name} ({organization.slug}): {counts}."
            )
        )
        if report.skipped_logins:
            self.stdout.write(
                f"Logins not restored ({len(report.skipped_logins)}): "
                + ", ".join(report.skipped_logins[:20])
                + ("" if options["logins"] else ". Use --logins to restore them.")
            )
        for reason, tables in report.left_out.items():
            self.stdout.write(
                f"Left out {reason}: "
                + ", ".join(f"{n} {label}" for label, n in tables.items())
                + "."
            )
        if report.emptied:
            self.stdout.write(
                "Emptied references: "
                + ", ".join(f"{n} {where} ({why})" for (where, why), n in report.emptied.items())
                + "."
            )
