"""seed_progress: four quarters of history so the dashboard's charts show trends at once."""

from __future__ import annotations

import random
from decimal import Decimal

from demo.sessions import seed_meetings, seed_progress
from meetings.models import (
    Checklist,
    ChecklistOptIn,
    ObjectiveMeasurement,
    PulseRating,
    SatisfactionScore,
    Session,
    SessionSuccess,
)


def test_it_seeds_four_quarters_that_the_dashboard_draws_as_trends(
    org, triad, leader_client, leader_membership, manager_membership, frozen_now
):
    triad.objective.target_value = Decimal("95")
    triad.objective.target_unit = "% on time"
    triad.objective.save()
    rng = random.Random(5)
    seed_meetings(org, rng)
    seed_progress(org, rng)

    starts = ["2025-04-01", "2025-07-01", "2025-10-01", "2026-01-01"]
    assert (
        sorted(str(s) for s in Session.objects.values_list("quarter_start", flat=True).distinct())
        == starts
    )
    assert (
        sorted(str(c.quarter_start) for c in Checklist.objects.filter(membership=leader_membership))
        == starts
    )
    assert ChecklistOptIn.objects.filter(membership=manager_membership).exists()
    assert SatisfactionScore.objects.filter(organization=org).count() == 8
    assert ObjectiveMeasurement.objects.filter(objective=triad.objective).count() == 4
    pulse_quarters = set(PulseRating.objects.values_list("session__quarter_start", flat=True))
    assert len(pulse_quarters) >= 3
    assert SessionSuccess.objects.filter(session__isnull=True).exists()
    assert SessionSuccess.objects.filter(shared_with_organization=True).exists()

    response = leader_client.get("/meetings/progress/")
    assert response.status_code == 200
    board = response.context["board"]
    assert all(n.customer is not None and n.employee is not None for n in board.numbers)
    assert sum(n.checklist_done for n in board.numbers) > 0
    assert all(len(s.points) == 4 for s in response.context["satisfaction_chart"].series)
    assert all(t.values.count(None) == 0 for t in board.objectives)


def test_it_is_repeatable_for_the_same_seed(org, triad, leader_membership, frozen_now):
    seed_meetings(org, random.Random(9))
    seed_progress(org, random.Random(9))
    first = list(SatisfactionScore.objects.order_by("quarter_start", "kind").values_list("value"))
    assert first and all(Decimal(0) <= v <= Decimal(100) for (v,) in first)
