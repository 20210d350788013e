"""Partnerships form and deform over time: every read has an "as of" day; history is kept."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from partnerships import selectors
from partnerships.models import Partnership, Relationship
from partnerships.services import partnership_dissolve, relationship_add, relationship_end

D = datetime.date
DISSOLVED = D(2024, 9, 1)


def test_dissolving_ends_its_open_relationships_that_day(quality):
    ended = partnership_dissolve(partnership=quality.drive, on=DISSOLVED)

    assert ended == 2
    quality.drive.refresh_from_db()
    assert quality.drive.dissolved_on == DISSOLVED
    assert set(quality.drive.relationships.values_list("ends_on", flat=True)) == {DISSOLVED}
    # Another partnership is untouched, and nothing is deleted.
    assert quality.back_office.relationships.get().ends_on is None
    assert Relationship.objects.count() == 3


def test_as_of_reads_before_and_after_a_dissolution(quality, leader_membership):
    partnership_dissolve(partnership=quality.drive, on=DISSOLVED)
    before, on_the_day = DISSOLVED - datetime.timedelta(days=1), DISSOLVED

    assert len(selectors.relationships_as_of(quality.drive, before)) == 2
    assert selectors.relationships_as_of(quality.drive, on_the_day) == []
    assert quality.drive in Partnership.objects.active_on(before)
    assert quality.drive not in Partnership.objects.active_on(on_the_day)

    active_before = selectors.partnership_list(leader_membership, day=before)
    active_after = selectors.partnership_list(leader_membership, day=on_the_day)
    dissolved_after = selectors.partnership_list(
        leader_membership, day=on_the_day, status=selectors.STATUS_DISSOLVED
    )
    assert [p.name for p in active_before] == ["Back office", "Quality drive"]
    assert [p.name for p in active_after] == ["Back office"]
    assert [(p.name, p.n_direct, p.n_influential) for p in dissolved_after] == [
        ("Quality drive", 0, 0)
    ]
    [drive_before] = [p for p in active_before if p.name == "Quality drive"]
    assert (drive_before.n_direct, drive_before.n_influential, drive_before.n_guidance) == (1, 1, 0)


def test_the_detail_page_reads_as_of_a_day(quality, leader_client):
    partnership_dissolve(partnership=quality.drive, on=DISSOLVED)
    url = f"/partnerships/{quality.drive.pk}/"

    before = leader_client.get(url, {"as_of": "2024-08-31"})
    after = leader_client.get(url, {"as_of": "2024-09-01"})

    assert before.status_code == after.status_code == 200
    assert [r.pk for r in before.context["map"].relationships] == list(
        quality.drive.relationships.order_by("from_member__name").values_list("pk", flat=True)
    )
    assert "Max Manager" in before.content.decode()
    assert after.context["map"].relationships == []
    assert "No direct relationship on 1 Sep 2024" in after.content.decode()
    assert "dissolved" in after.content.decode()


def test_it_refuses_to_dissolve_twice_or_before_forming(quality):
    with pytest.raises(ValidationError, match="only be dissolved after"):
        partnership_dissolve(partnership=quality.drive, on=D(2023, 12, 31))
    with pytest.raises(ValidationError, match="dissolved the same day, it never was"):
        partnership_dissolve(partnership=quality.drive, on=D(2024, 1, 1))
    partnership_dissolve(partnership=quality.drive, on=DISSOLVED)
    with pytest.raises(ValidationError, match="already dissolved"):
        partnership_dissolve(partnership=quality.drive, on=D(2024, 10, 1))
    assert Partnership.objects.get(pk=quality.drive.pk).dissolved_on == DISSOLVED


def test_it_refuses_to_dissolve_before_a_relationship_starts(quality):
    relationship_add(
        partnership=quality.drive,
        from_member=quality.lee,
        to_member=quality.mia,
        starts_on=D(2024, 10, 1),
    )
    with pytest.raises(ValidationError, match="start on or after that day"):
        partnership_dissolve(partnership=quality.drive, on=DISSOLVED)
    assert Partnership.objects.get(pk=quality.drive.pk).dissolved_on is None


def test_a_relationship_cannot_start_in_a_dissolved_partnership(quality):
    partnership_dissolve(partnership=quality.drive, on=DISSOLVED)
    with pytest.raises(ValidationError, match="was dissolved on 1 Sep 2024"):
        relationship_add(
            partnership=quality.drive,
            from_member=quality.lee,
            to_member=quality.mia,
            starts_on=DISSOLVED,
        )


def test_a_relationship_added_in_the_past_of_a_dissolved_partnership_ends_with_it(quality):
    partnership_dissolve(partnership=quality.drive, on=DISSOLVED)
    added = relationship_add(
        partnership=quality.drive,
        from_member=quality.lee,
        to_member=quality.mia,
        starts_on=D(2024, 5, 1),
    )
    assert added.ends_on == DISSOLVED


def test_ending_a_relationship_keeps_it_as_history(quality):
    relationship = quality.drive.relationships.get(to_member=quality.mia)
    relationship_end(relationship=relationship, on=D(2024, 6, 1))

    assert selectors.relationships_as_of(quality.drive, D(2024, 5, 31))[-1].pk == relationship.pk
    assert relationship.pk not in [
        r.pk for r in selectors.relationships_as_of(quality.drive, D(2024, 6, 1))
    ]
    with pytest.raises(ValidationError, match="already ended"):
        relationship_end(relationship=relationship, on=D(2024, 7, 1))
