"""Lay the tables out for Citus (partnerships/citus.py): tenant tables distributed by
organization, shared ones as reference tables. `migrate` does it by itself where the citus
extension is present; this shows the layout and runs what is left to do."""

from django.core.management.base import BaseCommand, CommandError

from partnerships.citus import citus_present, distribute, layout


class Command(BaseCommand):
    help = "Distribute the tenant tables by organization on a Citus coordinator."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, verbosity, **options):
        if not citus_present(database):
            raise CommandError("The citus extension is not present in this database.")
        ran = distribute(database, verbosity=max(verbosity - 1, 0))
        plan = layout()
        self.stdout.write(
            f"{len(plan.tenant)} tenant tables distributed by organization, "
            f"{len(plan.reference)} reference tables, {len(plan.local)} coordinator-local "
            f"({len(ran)} statements run now)."
        )
