"""send_session_reminders: this week's sessions and unscheduled partnerships, once a day."""

from __future__ import annotations

import datetime
from io import StringIO

from django.core import mail
from django.core.management import call_command

from meetings.models import SentReminder, Session
from meetings.reminders import session_reminders_send
from tests.factories import PartnershipFactory, RelationshipFactory, SessionFactory
from tests.meetings.conftest import NOW

UTC = datetime.UTC


def run() -> str:
    out = StringIO()
    call_command("send_session_reminders", "--base-url", "https://map.example.com/", stdout=out)
    return out.getvalue()


def test_it_mails_the_facilitator_about_this_weeks_session(session, leader_membership):
    leader = leader_membership.member
    leader.email = "lee@example.com"
    leader.save()
    output = run()
    assert "Sent 1 mail(s) with 1 reminder(s)." in output
    (message,) = mail.outbox
    assert message.to == ["lee@example.com"]
    assert message.subject == "Partnership sessions: 1 session this week"
    assert "Quality first: Fri 20 Feb 2026, 09:00 (UTC)" in message.body
    assert f"https://map.example.com/meetings/sessions/{session.pk}/" in message.body
    reminder = SentReminder.objects.get()
    assert (reminder.kind, reminder.session, reminder.sent_on) == (
        "upcoming",
        session,
        datetime.date(2026, 2, 16),
    )


def test_a_second_run_on_the_same_day_sends_nothing(session, leader_membership):
    leader_membership.member.email = "lee@example.com"
    leader_membership.member.save()
    run()
    output = run()
    assert "Sent 0 mail(s)" in output
    assert len(mail.outbox) == 1
    assert SentReminder.objects.count() == 1


def test_the_next_day_it_reminds_again(session, leader_membership, monkeypatch):
    from django.utils import timezone

    leader_membership.member.email = "lee@example.com"
    leader_membership.member.save()
    run()
    monkeypatch.setattr(timezone, "now", lambda: NOW + datetime.timedelta(days=1))
    run()
    assert len(mail.outbox) == 2
    assert sorted(SentReminder.objects.values_list("sent_on", flat=True)) == [
        datetime.date(2026, 2, 16),
        datetime.date(2026, 2, 17),
    ]


def test_it_lists_partnerships_without_a_session_this_quarter(
    org, session, leader_membership, frozen_now
):
    lee = leader_membership.member
    lee.email = "lee@example.com"
    lee.save()
    lonely = PartnershipFactory(organization=org, name="Night shift")
    RelationshipFactory(partnership=lonely, from_member=lee)
    run()
    (message,) = mail.outbox
    assert "1 session this week, 1 partnership to schedule" in message.subject
    assert "no session planned in FY2026 Q1" in message.body
    assert "- Night shift" in message.body


def test_sessions_further_out_held_or_cancelled_are_not_reminded(
    org, triad, leader_membership, frozen_now
):
    lee = leader_membership.member
    lee.email = "lee@example.com"
    lee.save()
    SessionFactory(
        partnership=triad, facilitator=lee, starts_at=datetime.datetime(2026, 3, 20, 9, tzinfo=UTC)
    )
    assert session_reminders_send().mails == 0
    Session.objects.update(
        starts_at=datetime.datetime(2026, 2, 18, 9, tzinfo=UTC), status=Session.Status.CANCELLED
    )
    assert session_reminders_send().mails == 0
    assert mail.outbox == []


def test_a_facilitator_without_an_email_is_reported(session):
    output = run()
    assert "Skipped Lee Leader: no email address." in output
    assert mail.outbox == []
    assert not SentReminder.objects.exists()
