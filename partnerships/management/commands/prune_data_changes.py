"""Keep only the newest change row of each organization and domain, and forget forms' one-time
keys older than a week (safe to run from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from org import once
from partnerships.versions import prune_changes


class Command(BaseCommand):
    help = (
        "Delete the change rows the data versions no longer need (all but the newest of each "
        "organization and domain). The versions, and so the caches, stay as they are. Also forgets "
        "the one-time keys of forms sent more than a week ago."
    )

    def handle(self, *args, **options) -> None:
        deleted = prune_changes()
        self.stdout.write(f"Deleted {deleted} change row{'s' if deleted != 1 else ''}.")
        keys = once.prune()
        self.stdout.write(f"Forgot {keys} one-time key{'s' if keys != 1 else ''} of forms.")
