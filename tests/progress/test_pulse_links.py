"""The signed pulse link in the reminder mail, for people without a login: it works once,
for its person and session only; an altered or reused link changes nothing."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail, signing
from django.core.management import call_command

from meetings.models import PULSE_FIELDS, PulseGiven, PulseRating, Session, SessionRating
from meetings.progress.links import SALT, pulse_link_path
from tests.factories import PersonFactory, RelationshipFactory


def answers(quadrants, *, worth=4) -> dict:
    data = {"pulse-worth": worth}
    for quadrant in quadrants:
        for name in PULSE_FIELDS:
            data[f"pulse-{quadrant}_{name}"] = 3
    return data


@pytest.fixture
def held(session):
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    session.refresh_from_db()
    return session


@pytest.fixture
def noor(org, held):
    """An employee without a login who attended the session."""
    person = PersonFactory(organization=org, quadrant="E", name="Noor Nologin")
    RelationshipFactory(
        partnership=held.partnership, from_member=held.facilitator, to_member=person
    )
    held.attendees.add(person)
    return person


def nothing_stored() -> bool:
    return not (
        PulseRating.objects.exists()
        or SessionRating.objects.exists()
        or PulseGiven.objects.exists()
    )


def test_the_link_works_once_for_its_person(client, held, noor):
    link = pulse_link_path(held, noor)
    page = client.get(link)
    assert page.status_code == 200
    assert "Hello <bdi>Noor Nologin</bdi>" in page.content.decode()
    response = client.post(link, answers("LM", worth=5))
    assert response.status_code == 302
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you" in thanks
    given = PulseGiven.objects.get()
    assert (given.member, given.session, given.via) == (noor, held, "link")
    assert SessionRating.objects.get().rater == noor
    assert set(PulseRating.objects.values_list("rater", flat=True)) == {noor.pk}

    # used: the link says so, and a second answer changes nothing
    again = client.get(link)
    assert again.status_code == 410
    assert "You have already given your pulse for this session." in again.content.decode()
    refused = client.post(link, answers("LM", worth=1))
    assert refused.status_code == 410
    assert SessionRating.objects.get().value == 5
    assert PulseRating.objects.count() == 2


def test_an_altered_link_changes_nothing(client, held, noor):
    token = pulse_link_path(held, noor).split("/")[-2]
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in [altered, "nonsense", token.replace(":", "x")]:
        response = client.post(f"/meetings/pulse/{bad}/", answers("LM"))
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    # signed, but not by us for a pulse (another purpose's salt), or naming someone else
    forged = signing.dumps({"o": held.organization_id, "s": held.pk, "m": noor.pk}, salt="x")
    assert client.post(f"/meetings/pulse/{forged}/", answers("LM")).status_code == 404
    assert nothing_stored()


def test_a_link_gives_only_its_own_persons_pulse(client, held, noor, member_membership):
    mia = member_membership.member
    client.post(pulse_link_path(held, mia), answers("LM"))
    assert PulseGiven.objects.get().member == mia
    # Noor's link still works for Noor, and only once
    assert client.post(pulse_link_path(held, noor), answers("LM")).status_code == 302
    assert set(PulseGiven.objects.values_list("member__name", flat=True)) == {
        "Mia Member",
        "Noor Nologin",
    }


def test_a_link_to_another_organization_s_session_is_not_valid(client, held, noor, other_org):
    token = signing.dumps({"o": other_org.pk, "s": held.pk, "m": noor.pk}, salt=SALT)
    assert client.post(f"/meetings/pulse/{token}/", answers("LM")).status_code == 404
    assert nothing_stored()


def test_before_the_session_is_held_the_link_asks_to_come_back(client, session, org):
    person = PersonFactory(organization=org, quadrant="E")
    session.attendees.add(person)
    link = pulse_link_path(session, person)
    assert "once the session is held" in client.get(link).content.decode()
    assert client.post(link, answers("LM")).status_code == 400
    assert nothing_stored()


def test_someone_who_did_not_attend_gives_nothing_with_a_link(client, held, org):
    person = PersonFactory(organization=org, quadrant="E")
    link = pulse_link_path(held, person)
    assert client.post(link, answers("LM")).status_code == 400
    assert nothing_stored()


def test_the_reminder_mail_carries_the_person_s_own_link(session, leader_membership, client):
    leader = leader_membership.member
    leader.email = "lee@example.com"
    leader.save()
    call_command(
        "send_session_reminders", "--base-url", "https://map.example.com/", stdout=StringIO()
    )
    (message,) = mail.outbox
    link = re.search(
        r"Your pulse, after it: https://map\.example\.com(/meetings/pulse/\S+/)", message.body
    )
    assert link is not None
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    response = client.post(link.group(1), answers("ME"))
    assert response.status_code == 302
    assert PulseGiven.objects.get().member == leader


def test_attendees_without_a_login_get_their_link_once_after_the_session(
    client, held, noor, member_membership
):
    noor.email = "noor@example.com"
    noor.save()
    out = StringIO()
    # the fixed clock stands before the session (20 February): nothing to send yet
    call_command("send_pulse_links", "--base-url", "https://map.example.com/", stdout=out)
    assert "Sent 0 pulse link(s)." in out.getvalue()
    Session.objects.filter(pk=held.pk).update(starts_at=held.starts_at.replace(month=2, day=10))
    call_command("send_pulse_links", "--base-url", "https://map.example.com/", stdout=out)
    (message,) = mail.outbox  # Noor only: Mia, Max and Lee have logins
    assert message.to == ["noor@example.com"]
    link = re.search(r"https://map\.example\.com(/meetings/pulse/\S+/)", message.body).group(1)
    call_command("send_pulse_links", "--base-url", "https://map.example.com/", stdout=out)
    assert len(mail.outbox) == 1  # once per session
    assert client.post(link, answers("LM")).status_code == 302
    assert PulseGiven.objects.get().member == noor
