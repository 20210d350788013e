"""The rule of types, checked in Python and refused by the database itself."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError

from org.models import Quadrant
from partnerships.models import Partnership, Relationship, relationship_type_for
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory, TeamFactory

ALLOWED = {
    ("L", "M"): "direct",
    ("T", "E"): "direct",
    ("L", "T"): "influential",
    ("M", "E"): "influential",
    ("L", "E"): "guidance",
    ("M", "T"): "guidance",
    ("L", "L"): "direct",
    ("M", "M"): "direct",
    ("T", "T"): "direct",
    ("E", "E"): "direct",
}
ALL_PAIRS = [(a, b) for a in "LMTE" for b in "LMTE"]


@pytest.mark.parametrize(("from_q", "to_q"), ALL_PAIRS)
def test_it_derives_the_type_from_the_quadrant_pair(from_q, to_q):
    assert relationship_type_for(from_q, to_q) == ALLOWED.get((from_q, to_q))


def test_it_allows_nothing_from_a_higher_quadrant_to_a_lower_one():
    order = "LMTE"
    for from_q, to_q in ALL_PAIRS:
        if order.index(from_q) > order.index(to_q):
            assert relationship_type_for(from_q, to_q) is None


def _member(organization, quadrant):
    if quadrant == Quadrant.TEAMS:
        return TeamFactory(organization=organization)
    return PersonFactory(organization=organization, quadrant=quadrant)


def _row(partnership, from_q, to_q, type_, **extra):
    """A Relationship built straight from the model, bypassing every service."""
    organization = partnership.organization
    return Relationship(
        organization=organization,
        partnership=partnership,
        from_member=_member(organization, from_q),
        to_member=_member(organization, to_q),
        from_quadrant=from_q,
        to_quadrant=to_q,
        type=type_,
        starts_on=datetime.date(2024, 2, 1),
        **extra,
    )


BAD_ROWS = [
    ("M", "L", "direct"),  # bottom to top
    ("E", "T", "direct"),
    ("T", "L", "influential"),  # right to left
    ("E", "M", "influential"),
    ("E", "L", "guidance"),  # diagonals backwards
    ("T", "M", "guidance"),
    ("L", "M", "influential"),  # allowed pair, wrong type
    ("L", "T", "guidance"),
    ("M", "T", "direct"),
    ("L", "L", "guidance"),  # inside one quadrant only direct
    ("E", "E", "influential"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("from_q", "to_q", "type_"), BAD_ROWS)
def test_it_refuses_a_row_breaking_the_rule_at_the_database(org, from_q, to_q, type_):
    partnership = PartnershipFactory(organization=org)
    row = _row(partnership, from_q, to_q, type_)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    assert not Relationship.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_bad_row_in_bulk_create(org):
    partnership = PartnershipFactory(organization=org)
    good = _row(partnership, "L", "M", "direct")
    bad = _row(partnership, "E", "M", "influential")
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.bulk_create([good, bad])
    assert not Relationship.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("from_q", "to_q"), sorted(ALLOWED))
def test_it_accepts_every_allowed_combination(org, from_q, to_q):
    partnership = PartnershipFactory(organization=org)
    Relationship.objects.bulk_create([_row(partnership, from_q, to_q, ALLOWED[from_q, to_q])])
    assert Relationship.objects.get().type == ALLOWED[from_q, to_q]


@pytest.mark.django_db
def test_it_refuses_a_self_relationship_at_the_database(org):
    partnership = PartnershipFactory(organization=org)
    leader = PersonFactory(organization=org, quadrant=Quadrant.LEADERSHIP)
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(
            organization=org,
            partnership=partnership,
            from_member=leader,
            to_member=leader,
            from_quadrant="L",
            to_quadrant="L",
            type="direct",
            starts_on=datetime.date(2024, 2, 1),
        )
    assert not Relationship.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("ends_on", [datetime.date(2024, 2, 1), datetime.date(2024, 1, 31)])
def test_it_refuses_an_end_not_after_the_start_at_the_database(org, ends_on):
    partnership = PartnershipFactory(organization=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(partnership, "L", "M", "direct", ends_on=ends_on).save()
    assert not Relationship.objects.exists()


@pytest.mark.django_db
def test_it_refuses_two_open_relationships_between_the_same_pair(org):
    first = RelationshipFactory(partnership=PartnershipFactory(organization=org))
    with pytest.raises(IntegrityError), transaction.atomic():
        RelationshipFactory(
            partnership=first.partnership, from_member=first.from_member, to_member=first.to_member
        )
    assert Relationship.objects.count() == 1


@pytest.mark.django_db
def test_full_clean_reports_the_rule_in_words(org):
    row = _row(PartnershipFactory(organization=org), "M", "L", "direct")
    with pytest.raises(ValidationError, match="does not follow from the quadrants"):
        row.full_clean()


def test_history_keeps_members_and_objectives_in_use(org):
    relationship = RelationshipFactory(partnership=PartnershipFactory(organization=org))
    with pytest.raises(RestrictedError), transaction.atomic():
        relationship.from_member.delete()
    with pytest.raises(RestrictedError), transaction.atomic():
        relationship.partnership.objective.delete()
    assert Relationship.objects.count() == 1


def test_deleting_an_organization_takes_its_partnerships_along(org):
    RelationshipFactory(partnership=PartnershipFactory(organization=org))
    org.delete()
    assert not Relationship.objects.exists()
    assert not Partnership.objects.exists()
