"""Create an organization and its first admin without the Django admin site."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.urls import reverse

from org.invitations import INVITATION_DAYS, organization_create

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Create an organization with one person in its leadership, invited as its admin, and "
        "print the one-time link with which that person chooses a password (no mail is sent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The organization's name.")
        parser.add_argument(
            "--admin", required=True, metavar="EMAIL", help="The first admin's email address."
        )
        parser.add_argument(
            "--admin-name", default="", help="The first admin's name (default: from the email)."
        )
        parser.add_argument(
            "--base-url",
            default=DEFAULT_BASE_URL,
            help=f"The site's address, for the link (default: {DEFAULT_BASE_URL}).",
        )

    def handle(self, *args, **options) -> None:
        email = options["admin"].strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        base = options["base_url"].strip().rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CommandError(f"--base-url must start with http:// or https://; got {base!r}.")
        try:
            organization, invitation, key = organization_create(
                name=options["name"], admin_email=email, admin_name=options["admin_name"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        link = base + reverse("invitation_accept", args=[key])
        self.stdout.write(
            f"Created {organization.name} (slug {organization.slug}) with "
            f"{invitation.member.name} <{invitation.email}> invited as its admin.\n"
            f"Send them this link; it works once, for {INVITATION_DAYS} days:\n{link}"
        )
