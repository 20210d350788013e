"""Compute the health analysis ahead for every organization (safe to run from cron)."""

from __future__ import annotations

import hashlib

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from org.models import Organization
from partnerships.health.ahead import refresh_organization


class Command(BaseCommand):
    help = (
        "Compute the health analysis (and the brokers) of every organization and of each of "
        "its objectives, today, so that the health page reads it rather than waiting for it. "
        "Scopes whose data did not change since their last refresh are left as they are; run "
        "it every few minutes from cron. A second run while one is going does nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--organization",
            action="append",
            default=[],
            metavar="SLUG",
            help="only this organization (repeat for several)",
        )
        parser.add_argument(
            "--force", action="store_true", help="compute again even what is up to date"
        )

    def handle(self, *args, **options) -> None:
        organizations = Organization.objects.order_by("pk")
        if options["organization"]:
            slugs = options["organization"]
            organizations = organizations.filter(slug__in=slugs)
            missing = sorted(set(slugs) - {o.slug for o in organizations})
            if missing:
                raise CommandError(f"No organization with the slug {', '.join(missing)}.")
        if not self._lock(True):
            self.stdout.write("Another refresh_health is running; nothing done.")
            return
        try:
            self._refresh(organizations, options)
        finally:
            self._lock(False)

    def _refresh(self, organizations, options) -> None:
        failed = []
        for organization in organizations:
            try:
                done = refresh_organization(organization, force=options["force"])
            except Exception as error:  # one organization's failure must not stop the rest
                failed.append(organization.slug)
                self.stderr.write(f"{organization.slug}: failed ({error!r}).")
                continue
            computed = [r for r in done if r.outcome == "computed"]
            seconds = sum(r.seconds for r in computed)
            others = sorted({r.outcome for r in done if r.outcome != "computed"})
            self.stdout.write(
                f"{organization.slug}: {len(computed)} of {len(done)} computed in "
                f"{seconds:.1f} s" + (f" ({', '.join(others)} for the rest)" if others else "")
            )
            if options["verbosity"] > 1:
                for r in done:
                    timing = f" in {r.seconds:.2f} s" if r.outcome == "computed" else ""
                    self.stdout.write(f"  {r.label}: {r.outcome}{timing}")
        if failed:
            raise CommandError(f"The refresh failed for {', '.join(failed)}.")

    def _lock(self, take: bool) -> bool:
        """On PostgreSQL, a session lock held while the refresh runs: a cron run that starts
        while the previous one is still going leaves. (SQLite writes one at a time anyway.)"""
        if connection.vendor != "postgresql":
            return True
        key = int(hashlib.sha256(b"partnership-map refresh_health").hexdigest()[:15], 16)
        function = "pg_try_advisory_lock" if take else "pg_advisory_unlock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [key])
            return cursor.fetchone()[0]
