"""Keep only the newest change row of each organization and domain (safe to run from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from partnerships.versions import prune_changes


class Command(BaseCommand):
    help = (
        "Delete the change rows the data versions no longer need (all but the newest of each "
        "organization and domain). The versions, and so the caches, stay as they are."
    )

    def handle(self, *args, **options) -> None:
        deleted = prune_changes()
        self.stdout.write(f"Deleted {deleted} change row{'s' if deleted != 1 else ''}.")
