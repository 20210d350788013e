"""A card's remedy: the leader picks the partnership, sees exactly what will be created, and
applies it in one transaction, audited as one entry; the card is then gone."""

from __future__ import annotations

import re

import pytest

from org.models import AuditEntry, Quadrant
from partnerships import services
from partnerships.models import Relationship
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory
from tests.health.test_cards import cards

URL = "/health/remedy/one_channel:E:direct/"


@pytest.fixture
def crew(world, org, clock):
    """Yves and three more employees reached only by the Yard team's direct lines."""
    people = [world.yves] + [
        PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name=name)
        for name in ("Yara Stacker", "Yusuf Driver", "Yoko Picker")
    ]
    for person in people[1:]:
        RelationshipFactory(partnership=world.cost_team, from_member=world.yard, to_member=person)
    return people


def preview(client, world, partnership=None) -> str:
    partnership = partnership or world.cost_team
    response = client.get(f"{URL}?partnership={partnership.pk}")
    assert response.status_code == 200
    return response.content.decode()


def fingerprint(html: str) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]+)"', html).group(1)


def test_it_previews_exactly_what_will_be_created(world, crew, leader_client):
    html = preview(leader_client, world)

    assert "4 relationships to add to Cost crew, from 3 Mar 2025" in html
    (row,) = re.findall(r'<tr><th scope="row"><bdi>(.*?)</bdi>.*?<td>(.*?)</td>', html)
    assert row[0] == "Sam Supervisor"
    assert sorted(re.findall(r"<li><bdi>(.*?)</bdi></li>", row[1])) == sorted(
        person.name for person in crew
    )
    assert "type-influential" in html
    assert not Relationship.objects.filter(from_member=world.sam, to_member__in=crew).exists()


def test_it_applies_the_remedy_as_one_audited_change(world, crew, leader_client, org):
    before = Relationship.objects.count()
    html = preview(leader_client, world)

    response = leader_client.post(
        URL, {"partnership": world.cost_team.pk, "fingerprint": fingerprint(html)}
    )

    assert response.status_code == 302
    assert response["Location"] == "/health/?live=1"  # computed again, not read ahead
    added = Relationship.objects.filter(from_member=world.sam, to_member__in=crew)
    assert added.count() == 4 == Relationship.objects.count() - before
    assert {r.type for r in added} == {"influential"}
    assert {r.partnership_id for r in added} == {world.cost_team.pk}
    entries = AuditEntry.objects.for_org(org).filter(action="added relationships")
    (entry,) = entries
    assert entry.object_repr == "Cost crew: 4 relationships"
    assert "Sam Supervisor → Yoko Picker (influential)" in entry.changes["relationships added"][1]
    page = leader_client.get("/health/").content.decode()
    assert "4 relationships added to Cost crew." in page
    assert not any('data-risk="one_channel:E:direct"' in card for card in cards(page))


def test_it_refuses_a_list_that_changed_since_the_preview(world, crew, leader_client, org):
    html = preview(leader_client, world)
    services.relationship_add(
        partnership=world.cost_team,
        from_member=world.sam,
        to_member=crew[1],
        starts_on=org.today(),
    )
    before = Relationship.objects.count()

    response = leader_client.post(
        URL, {"partnership": world.cost_team.pk, "fingerprint": fingerprint(html)}
    )

    assert response.status_code == 400
    assert "The map changed since this preview" in response.content.decode()
    assert "3 relationships to add to Cost crew" in response.content.decode()
    assert Relationship.objects.count() == before


def test_it_asks_for_the_partnership(world, crew, leader_client):
    before = Relationship.objects.count()

    response = leader_client.post(URL, {"fingerprint": "x"})

    assert response.status_code == 400
    assert "Choose the partnership these relationships serve." in response.content.decode()
    assert Relationship.objects.count() == before


def test_it_never_adds_to_the_chain_of_command(world, crew, admin_client, org):
    chain = PartnershipFactory(organization=org, name="Chain of command")
    before = Relationship.objects.count()

    response = admin_client.post(URL, {"partnership": chain.pk, "fingerprint": "x"})

    assert response.status_code == 400
    assert "not the chain of command" in response.content.decode()
    assert Relationship.objects.count() == before


def test_another_organizations_partnership_is_refused(world, crew, leader_client, other_org):
    theirs = PartnershipFactory(organization=other_org, name="Theirs")

    response = leader_client.post(URL, {"partnership": theirs.pk, "fingerprint": "x"})

    assert response.status_code == 400
    assert "active partnerships" in response.content.decode()


def test_a_card_that_is_not_there_is_a_404(world, crew, leader_client):
    assert leader_client.get("/health/remedy/orphan:M/").status_code == 404


@pytest.mark.parametrize("role", ["manager", "member"])
def test_only_leaders_and_admins_apply_remedies(world, crew, role_clients, role):
    before = Relationship.objects.count()

    response = role_clients[role].post(URL, {"partnership": world.cost_team.pk})

    assert response.status_code == 403
    assert Relationship.objects.count() == before


def test_an_admin_applies_it_too(world, crew, admin_client):
    html = preview(admin_client, world)

    response = admin_client.post(
        URL, {"partnership": world.cost_team.pk, "fingerprint": fingerprint(html)}
    )

    assert response.status_code == 302
    assert Relationship.objects.filter(from_member=world.sam, to_member__in=crew).count() == 4


@pytest.mark.parametrize("size", [1, 40])
def test_adding_many_costs_the_same_queries_as_adding_one(
    world, org, clock, size, django_assert_num_queries
):
    people = [
        PersonFactory(organization=org, quadrant=Quadrant.EMPLOYEES, name=f"Hand {n}")
        for n in range(size)
    ]
    # Lock, partnership, members, pairs held, insert, audit entry; SQLite's savepoint pair.
    with django_assert_num_queries(8):
        created = services.relationships_add_many(
            partnership=world.cost_team,
            pairs=[(world.sam.pk, person.pk) for person in people],
            starts_on=org.today(),
        )
    assert len(created) == size


def test_a_direct_line_is_not_added_in_bulk(world, org, clock):
    with pytest.raises(services.ValidationError, match="Direct lines are added one at a time"):
        services.relationships_add_many(
            partnership=world.cost_team,
            pairs=[(world.yard.pk, world.olga.pk)],
            starts_on=org.today(),
        )
    assert not Relationship.objects.filter(to_member=world.olga).exists()


def test_on_an_objectives_page_the_partnership_serves_that_objective(world, crew, leader_client):
    before = Relationship.objects.count()
    url = f"{URL}?objective={world.cost.pk}&partnership={world.quality_team.pk}"

    response = leader_client.get(url)

    assert response.status_code == 400
    assert "Quality crew serves another objective." in response.content.decode()
    assert Relationship.objects.count() == before
    ok = leader_client.get(f"{URL}?objective={world.cost.pk}&partnership={world.cost_team.pk}")
    assert "4 relationships to add to Cost crew" in ok.content.decode()


# --- the cards of single points and of managers without a team ----------------------------


def test_a_manager_carrying_every_path_gets_a_leader_to_their_team(world, leader_client, org):
    """Sam alone reaches the Yard team (and Yves below it): Lee, who directs Sam, influences
    Yard, and Sam no longer carries every path."""
    url = "/health/remedy/single_point_of_failure:M/"
    html = leader_client.get(f"{url}?partnership={world.cost_team.pk}").content.decode()
    assert "1 relationship to add to Cost crew" in html
    (row,) = re.findall(r'<tr><th scope="row"><bdi>(.*?)</bdi>.*?<td>(.*?)</td>', html)
    assert row[0] == world.lee.name
    assert re.findall(r"<li><bdi>(.*?)</bdi></li>", row[1]) == ["Yard Team"]

    response = leader_client.post(
        url, {"partnership": world.cost_team.pk, "fingerprint": fingerprint(html)}
    )

    assert response.status_code == 302
    added = Relationship.objects.get(from_member=world.lee, to_member=world.yard)
    assert added.type == "influential"
    page = leader_client.get("/health/").content.decode()
    assert not any('data-risk="single_point_of_failure:M"' in card for card in cards(page))


def test_a_team_carrying_every_path_gets_its_manager_to_its_employees(world, crew, leader_client):
    url = "/health/remedy/single_point_of_failure:T/"
    html = leader_client.get(f"{url}?partnership={world.cost_team.pk}").content.decode()
    assert "4 relationships to add to Cost crew" in html

    response = leader_client.post(
        url, {"partnership": world.cost_team.pk, "fingerprint": fingerprint(html)}
    )

    assert response.status_code == 302
    added = Relationship.objects.filter(from_member=world.sam, to_member__in=crew)
    assert sorted(added.values_list("to_member__name", flat=True)) == sorted(p.name for p in crew)
    page = leader_client.get("/health/").content.decode()
    assert not any('data-risk="single_point_of_failure:T"' in card for card in cards(page))


def test_a_manager_who_guides_no_team_is_sent_to_the_stewardship_form(world, leader_client, org):
    stewardship = PartnershipFactory(organization=org, name="Team stewardship")
    RelationshipFactory(partnership=stewardship, from_member=world.max, to_member=world.dock)
    PersonFactory(organization=org, quadrant=Quadrant.MANAGERS, name="Nora Newhire")

    page = leader_client.get("/health/").content.decode()

    (card,) = [c for c in cards(page) if 'data-risk="manager_guides_no_team:M"' in c]
    assert "Nora Newhire" in card
    assert f'href="/partnerships/{stewardship.pk}/?from=Nora+Newhire&amp;to=#add-heading"' in card
    form = leader_client.get(f"/partnerships/{stewardship.pk}/?from=Nora+Newhire&to=")
    assert 'value="Nora Newhire"' in form.content.decode()
