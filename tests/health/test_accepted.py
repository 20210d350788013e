"""A leader accepts a risk with a reason and a review date: it leaves the cards for a collapsed
list, and comes back on its review date."""

from __future__ import annotations

import datetime

import pytest

from org.models import AuditEntry
from partnerships.models import AcceptedRisk
from tests.health.conftest import DAY
from tests.health.test_cards import cards

KEY = "orphan:E"
URL = f"/health/accept/{KEY}/"
REVIEW = DAY + datetime.timedelta(days=30)


def card_keys(client) -> list[str]:
    html = client.get("/health/").content.decode()
    return [card.split('data-risk="')[1].split('"')[0] for card in cards(html)]


def test_an_accepted_risk_is_hidden_until_its_review_date(world, leader_client, clock, org):
    assert KEY in card_keys(leader_client)

    response = leader_client.post(
        URL, {"reason": "Olga starts on a team next month.", "review_on": REVIEW.isoformat()}
    )

    assert response.status_code == 302
    assert KEY not in card_keys(leader_client)
    html = leader_client.get("/health/").content.decode()
    assert "Accepted risks (1)" in html
    assert "Olga starts on a team next month." in html
    entry = AuditEntry.objects.for_org(org).get(object_type="accepted_risk")
    assert entry.action == "accepted"
    assert entry.changes["reason"] == [None, "Olga starts on a team next month."]

    clock.set(REVIEW - datetime.timedelta(days=1))
    assert KEY not in card_keys(leader_client)
    clock.set(REVIEW)
    assert KEY in card_keys(leader_client)
    assert "Accepted risks" not in leader_client.get("/health/").content.decode()


def test_it_needs_a_reason_and_a_review_date_after_today(world, leader_client, clock):
    response = leader_client.post(URL, {"reason": "", "review_on": DAY.isoformat()})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why this risk is accepted." in html
    response = leader_client.post(URL, {"reason": "Later.", "review_on": DAY.isoformat()})
    assert response.status_code == 400
    assert "The review date comes after today (3 Mar 2025)." in response.content.decode()
    assert not AcceptedRisk.objects.exists()


@pytest.mark.parametrize("role", ["manager", "member"])
def test_only_leaders_and_admins_accept_risks(world, role_clients, clock, role):
    response = role_clients[role].post(URL, {"reason": "No.", "review_on": REVIEW.isoformat()})

    assert response.status_code == 403
    assert not AcceptedRisk.objects.exists()


def test_another_organizations_acceptance_hides_nothing_here(
    world, leader_client, clock, other_org
):
    AcceptedRisk.objects.create(
        organization=other_org,
        key=KEY,
        label="theirs",
        reason="theirs",
        accepted_on=DAY,
        review_on=REVIEW,
    )

    assert KEY in card_keys(leader_client)
