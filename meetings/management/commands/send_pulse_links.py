"""Mail attendees without a login their own pulse link after a held session, once."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from meetings.progress.pulse_mail import pulse_links_send


class Command(BaseCommand):
    help = "Email each attendee without a login their single-use pulse link, once per session."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url",
            default="",
            help="Where the app is served (e.g. https://map.example.com), for links in mails.",
        )

    def handle(self, *args, base_url: str, **options) -> None:
        run = pulse_links_send(base_url=base_url.rstrip("/"))
        self.stdout.write(f"Sent {run.mails} pulse link(s).")
        for name in run.skipped_no_email:
            self.stdout.write(f"Skipped {name}: no email address.")
