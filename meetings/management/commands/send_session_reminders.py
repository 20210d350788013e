"""Mail facilitators about this week's sessions and partnerships without a session this
quarter. Run it daily from cron; a second run on the same day sends nothing new."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from meetings.reminders import session_reminders_send


class Command(BaseCommand):
    help = "Email facilitators about sessions in the next 7 days and unscheduled partnerships."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url",
            default="",
            help="Where the app is served (e.g. https://map.example.com), for links in mails.",
        )

    def handle(self, *args, base_url: str, **options) -> None:
        run = session_reminders_send(base_url=base_url.rstrip("/"))
        self.stdout.write(f"Sent {run.mails} mail(s) with {run.reminders} reminder(s).")
        for name in run.skipped_no_email:
            self.stdout.write(f"Skipped {name}: no email address.")
