"""Satisfaction scores (0-100) and objective values in their unit: entered by admins and
leaders, refused with a message when out of range, corrected with a record of who changed
what."""

from __future__ import annotations

from decimal import Decimal

import pytest

from meetings.models import MeasurementChange, ObjectiveMeasurement, SatisfactionScore
from tests.factories import ObjectiveFactory

HX = {"HTTP_HX_REQUEST": "true"}
SCORE = "/meetings/measurements/2026Q1/scores/customer/"


@pytest.fixture
def objective(org):
    return ObjectiveFactory(
        organization=org,
        title="Zero-damage deliveries",
        target_value=Decimal("99.5"),
        target_unit="% of orders without damage",
    )


def objective_url(objective, quarter="2026Q1") -> str:
    return f"/meetings/measurements/{quarter}/objectives/{objective.pk}/"


def test_a_leader_enters_the_customer_score(leader_client, leader_membership, frozen_now):
    response = leader_client.post(SCORE, {"customer-value": "72.5", "customer-version": 0})
    assert response.status_code == 302
    assert response["Location"] == "/meetings/measurements/?quarter=2026Q1#scores"
    score = SatisfactionScore.objects.get()
    assert (score.kind, str(score.quarter_start), score.value) == (
        "customer",
        "2026-01-01",
        Decimal("72.5"),
    )
    change = MeasurementChange.objects.get()
    assert (change.score, change.old_value, change.new_value, change.changed_by) == (
        score,
        "",
        "72.5",
        leader_membership.user,
    )
    page = leader_client.get(response["Location"]).content.decode()
    assert "Customer satisfaction for FY2026 Q1: 72.5." in page
    assert "0–100" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("101", "A score lies between 0 and 100; 100 is the highest."),
        ("-3", "A score lies between 0 and 100; 0 is the lowest."),
        ("72.55", "Use one decimal at most (e.g. 72.5)."),
        ("lots", "Enter a number from 0 to 100."),
    ],
)
def test_an_out_of_range_score_is_refused_with_a_message_and_nothing_changes(
    admin_client, value, message, frozen_now
):
    admin_client.post(SCORE, {"customer-value": "60", "customer-version": 0})
    response = admin_client.post(SCORE, {"customer-value": value, "customer-version": 1}, **HX)
    assert response.status_code == 200  # htmx swaps the section with the message
    assert message in response.content.decode()
    plain = admin_client.post(SCORE, {"customer-value": value, "customer-version": 1})
    assert plain.status_code == 400
    assert message in plain.content.decode()
    score = SatisfactionScore.objects.get()
    assert (score.value, score.version) == (Decimal("60"), 1)
    assert MeasurementChange.objects.count() == 1


def test_the_database_refuses_a_score_out_of_range(org):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        SatisfactionScore.objects.create(
            organization=org, kind="employee", quarter_start="2026-01-01", value=Decimal("100.1")
        )


def test_corrected_values_keep_their_history(
    admin_client, admin_membership, leader_client, leader_membership, frozen_now
):
    admin_client.post(SCORE, {"customer-value": "61", "customer-version": 0})
    leader_client.post(SCORE, {"customer-value": "64.5", "customer-version": 1}, **HX)
    admin_client.post(SCORE, {"customer-value": "63", "customer-version": 2})
    score = SatisfactionScore.objects.get()
    assert (score.value, score.version) == (Decimal("63"), 3)
    history = list(
        MeasurementChange.objects.filter(score=score)
        .order_by("changed_at", "id")
        .values_list("old_value", "new_value", "changed_by__username")
    )
    assert history == [
        ("", "61", "ada_admin"),
        ("61", "64.5", "lee_leader"),
        ("64.5", "63", "ada_admin"),
    ]
    page = admin_client.get("/meetings/measurements/?quarter=2026Q1").content.decode()
    assert page.count("<td>Customer satisfaction</td>") == 3
    assert "<td>64.5</td>" in page and "<td>Lee Leader</td>" in page  # the person, not the login
    assert "lee_leader" not in page


def test_a_correction_from_an_outdated_form_is_refused(admin_client, leader_client, frozen_now):
    admin_client.post(SCORE, {"customer-value": "61", "customer-version": 0})
    leader_client.post(SCORE, {"customer-value": "62", "customer-version": 1})
    response = admin_client.post(SCORE, {"customer-value": "70", "customer-version": 1}, **HX)
    assert "Someone else saved this" in response.content.decode()
    assert SatisfactionScore.objects.get().value == Decimal("62")
    late_first = admin_client.post(SCORE, {"customer-value": "50", "customer-version": 0})
    assert late_first.status_code == 409
    assert SatisfactionScore.objects.get().value == Decimal("62")


def test_an_objective_value_is_entered_in_the_objectives_unit(leader_client, objective, frozen_now):
    response = leader_client.post(
        objective_url(objective),
        {
            f"objective-{objective.pk}-value": "97.25",
            f"objective-{objective.pk}-unit": "% of orders without damage",
            f"objective-{objective.pk}-version": 0,
        },
    )
    assert response.status_code == 302
    measured = ObjectiveMeasurement.objects.get()
    assert (measured.value, measured.unit) == (Decimal("97.25"), "% of orders without damage")
    page = leader_client.get("/meetings/measurements/?quarter=2026Q1").content.decode()
    assert "98% of target" in page


def test_a_value_in_another_unit_is_refused(leader_client, objective, frozen_now):
    response = leader_client.post(
        objective_url(objective),
        {
            f"objective-{objective.pk}-value": "12",
            f"objective-{objective.pk}-unit": "damaged parcels",
            f"objective-{objective.pk}-version": 0,
        },
        **HX,
    )
    assert response.status_code == 200
    assert "is now measured in “% of orders without damage”, not “damaged parcels”" in (
        response.content.decode()
    )
    assert not ObjectiveMeasurement.objects.exists()


def test_an_objective_value_correction_keeps_its_history(leader_client, objective, frozen_now):
    field = f"objective-{objective.pk}"
    unit = "% of orders without damage"
    leader_client.post(
        objective_url(objective),
        {f"{field}-value": "90", f"{field}-unit": unit, f"{field}-version": 0},
    )
    leader_client.post(
        objective_url(objective),
        {f"{field}-value": "91.5", f"{field}-unit": unit, f"{field}-version": 1},
    )
    assert list(MeasurementChange.objects.order_by("id").values_list("old_value", "new_value")) == [
        ("", "90"),
        ("90", "91.5"),
    ]


@pytest.mark.parametrize("role", ["manager", "member"])
def test_managers_and_members_do_not_enter_measurements(role, role_clients, objective, frozen_now):
    client = role_clients[role]
    assert client.get("/meetings/measurements/").status_code == 403
    assert client.post(SCORE, {"customer-value": "50", "customer-version": 0}).status_code == 403
    assert not SatisfactionScore.objects.exists()


def test_another_organizations_objective_is_404(outsider_client, objective, frozen_now):
    response = outsider_client.post(
        objective_url(objective),
        {f"objective-{objective.pk}-value": "1", f"objective-{objective.pk}-unit": "x"},
    )
    assert response.status_code == 404
    assert not ObjectiveMeasurement.objects.exists()


def test_a_future_quarter_takes_no_measurement(leader_client, frozen_now):
    url = "/meetings/measurements/2026Q2/scores/customer/"
    assert (
        leader_client.post(url, {"customer-value": "50", "customer-version": 0}).status_code == 404
    )
    assert not SatisfactionScore.objects.exists()


def test_the_measurements_export_is_spreadsheet_safe(leader_client, org, frozen_now):
    risky = ObjectiveFactory(
        organization=org, title="=HYPERLINK(1)", target_value=Decimal("5"), target_unit="-pts"
    )
    field = f"objective-{risky.pk}"
    leader_client.post(
        objective_url(risky),
        {f"{field}-value": "-2", f"{field}-unit": "-pts", f"{field}-version": 0},
    )
    leader_client.post(SCORE, {"customer-value": "70", "customer-version": 0})
    response = leader_client.get("/meetings/export/measurements.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("quarter,measure,objective,value,unit_or_scale,target")
    assert "FY2026 Q1,Customer satisfaction,,70.0,0–100,,lee_leader,2026-02-16" in lines
    assert "FY2026 Q1,Objective,'=HYPERLINK(1),'-2.00,'-pts,5.00,lee_leader,2026-02-16" in lines


def test_members_cannot_export_measurements(member_client):
    assert member_client.get("/meetings/export/measurements.csv").status_code == 403


def test_the_measurements_page_costs_the_same_queries_for_few_and_many(
    org, leader_client, django_assert_num_queries, frozen_now
):
    def objectives(count):
        for _ in range(count):
            objective = ObjectiveFactory(
                organization=org, target_value=Decimal("10"), target_unit="units"
            )
            ObjectiveMeasurement.objects.create(
                organization=org,
                objective=objective,
                quarter_start="2026-01-01",
                value=Decimal("5"),
                unit="units",
            )

    objectives(1)
    leader_client.post(SCORE, {"customer-value": "50", "customer-version": 0})
    with django_assert_num_queries(7):
        few = leader_client.get("/meetings/measurements/?quarter=2026Q1")
    objectives(20)
    leader_client.post(SCORE, {"customer-value": "55", "customer-version": 1})
    with django_assert_num_queries(7):
        many = leader_client.get("/meetings/measurements/?quarter=2026Q1")
    assert many.content.decode().count("50% of target") == 21
    assert few.status_code == many.status_code == 200
