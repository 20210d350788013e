"""Load the demo organization and print its logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from demo.organizations import DEMO_SEED, DemoLogin, demo_logins, demo_seed
from org.models import Organization


class Command(BaseCommand):
    help = (
        "Build the demo organizations (Northwind Freight and Riverbend Analytics) with one login "
        "per role, replacing earlier demo data, and print the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but still print the logins) when the database has an organization.",
        )
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="Random seed.")

    def handle(self, *args, if_empty: bool, seed: int, **options) -> None:
        if if_empty and Organization.objects.exists():
            logins = demo_logins()
            if not logins:
                self.stdout.write("The database already holds organizations; no demo loaded.")
                return
            self.stdout.write("The demo organization is already loaded.")
        else:
            logins = demo_seed(seed=seed)
            self.stdout.write(self.style.SUCCESS("Loaded the demo organizations."))
        self._print_logins(logins)

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        roles: dict[tuple[str, str], list[str]] = {}
        for login in logins:
            who = f" (as {login.member})" if login.member else ""
            role = f"{login.role} of {login.organization}{who}"
            roles.setdefault((login.username, login.password), []).append(role)
        self.stdout.write("\nDemo logins (username / password):")
        for (username, password), descriptions in roles.items():
            self.stdout.write(f"  {username:<16} {password:<18} {'; '.join(descriptions)}")
