"""The migrations: the data migration writes the 13 actions, and successes logged before the
success log existed get their session's partnership, objective and day."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from meetings.models import Action, SessionSuccess

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.settings_dict["ENGINE"] == "partnerships.citus_backend",
        reason="takes migrations back and forth on the live schema: Citus refuses to alter "
        "a distributed table's organization column (a distributed database migrates forwards, "
        "README)",
    ),
]

BEFORE_ACTIONS = ("meetings", "0002_checklists_measurements_pulse_success_log")
ACTIONS = ("meetings", "0003_the_thirteen_actions")
LATEST = ("meetings", "0005_successes_require_partnership_objective_day")


@pytest.fixture(autouse=True)
def _back_to_the_latest():
    """Leave the database as every app's latest migration made it: later migrations of other
    apps (partnerships 0003, its change log) depend on the meetings ones taken back here."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_the_data_migration_writes_13_actions_and_takes_them_back():
    migrate(BEFORE_ACTIONS)
    assert not Action.objects.exists()
    migrate(ACTIONS)
    numbers = list(Action.objects.order_by("number").values_list("number", "principle"))
    assert numbers == [(n, 1 if n <= 5 else 2 if n <= 10 else 3) for n in range(1, 14)]
    migrate(LATEST)


def test_successes_logged_before_get_their_partnership_objective_and_day():
    old = migrate(ACTIONS)
    Organization = old.get_model("org", "Organization")
    Member = old.get_model("org", "Member")
    Objective = old.get_model("partnerships", "Objective")
    Partnership = old.get_model("partnerships", "Partnership")
    Session = old.get_model("meetings", "Session")
    Success = old.get_model("meetings", "SessionSuccess")
    organization = Organization.objects.create(
        name="Tokyo Freight", slug="tokyo", time_zone="Asia/Tokyo"
    )
    objective = Objective.objects.create(
        organization=organization,
        title="On time",
        emphasis="quality",
        starts_on=datetime.date(2025, 1, 1),
    )
    partnership = Partnership.objects.create(
        organization=organization,
        objective=objective,
        name="Dock",
        formed_on=datetime.date(2025, 1, 1),
    )
    leader = Member.objects.create(organization=organization, quadrant="L", name="Aiko")
    session = Session.objects.create(
        organization=organization,
        partnership=partnership,
        quarter_start=datetime.date(2026, 1, 1),
        facilitator=leader,
        # 23:30 UTC on 9 February is already 10 February in Tokyo.
        starts_at=datetime.datetime(2026, 2, 9, 23, 30, tzinfo=datetime.UTC),
    )
    Success.objects.create(organization=organization, session=session, text="Fewer delays")

    migrate(LATEST)
    success = SessionSuccess.objects.get()
    assert success.partnership_id == partnership.pk
    assert success.objective_id == objective.pk
    assert success.happened_on == datetime.date(2026, 2, 10)
    assert success.shared_with_organization is False
    assert success.author is None


BEFORE_OWN_PULSE = ("meetings", "0008_session_agenda_and_contributions")
OWN_PULSE = ("meetings", "0009_each_person_rates_pulse_and_session")


def test_ratings_entered_before_stay_but_not_who_entered_which_value(
    triad, leader_membership, manager_membership
):
    from tests.factories import SessionFactory

    session = SessionFactory(
        partnership=triad,
        facilitator=leader_membership.member,
        status="held",
        attendees=[manager_membership.member],
    )
    old = migrate(BEFORE_OWN_PULSE)
    relationship = old.get_model("partnerships", "Relationship").objects.get(
        from_member_id=manager_membership.member_id
    )
    rating = old.get_model("meetings", "PulseRating").objects.create(
        organization_id=session.organization_id,
        session_id=session.pk,
        relationship_id=relationship.pk,
        rater_id=manager_membership.member_id,
        rater_quadrant="M",
        other_quadrant="E",
        **dict.fromkeys(
            [
                "frequent",
                "timely",
                "accurate",
                "problem_solving",
                "shared_goals",
                "shared_knowledge",
                "mutual_respect",
            ],
            2,
        ),
    )
    old.get_model("meetings", "MeasurementChange").objects.create(
        organization_id=session.organization_id, pulse_id=rating.pk, field="timely", new_value="2"
    )
    old.get_model("org", "AuditEntry").objects.create(
        organization_id=session.organization_id,
        action="created",
        object_type="pulse_rating",
        object_id=rating.pk,
        object_repr="Pulse of Max Manager (M→E)",
        changes={"timely": [None, 2]},
        at=datetime.datetime(2026, 2, 20, tzinfo=datetime.UTC),
    )
    new = migrate(OWN_PULSE)
    kept = new.get_model("meetings", "PulseRating").objects.get()
    assert (kept.rater_id, kept.timely, kept.relationship_id) == (
        manager_membership.member_id,
        2,
        relationship.pk,
    )
    assert not new.get_model("meetings", "MeasurementChange").objects.exists()
    entry = new.get_model("org", "AuditEntry").objects.get(object_type="pulse_rating")
    assert (entry.changes, entry.object_repr) == ({}, "Pulse rating")
