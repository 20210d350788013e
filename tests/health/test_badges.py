"""The quadrant diagram marks each quadrant that has risks with a badge linking to them."""

from __future__ import annotations

from tests.factories import RelationshipFactory
from tests.health.conftest import AS_OF


def badges(html: str, drawing: str = "diagram-overview") -> list[str]:
    """The badges of one of the page's two drawings (the wide box, or the narrow one that a
    phone shows instead: "diagram-compact")."""
    svg = html.split(f'class="diagram {drawing}"', 1)[1].split("</svg>", 1)[0]
    return [part.split(">")[0] for part in svg.split('<a class="diagram-badge" ')[1:]]


def test_it_marks_the_quadrants_with_risks(world, leader_client):
    html = leader_client.get(f"/diagram/?{AS_OF}").content.decode()

    assert badges(html) == [
        f'href="/health/?{AS_OF}&amp;quadrant=M" aria-label="1 risk in Managers: see the '
        'partnership health"',
        f'href="/health/?{AS_OF}&amp;quadrant=T" aria-label="3 risks in Teams: see the '
        'partnership health"',
        f'href="/health/?{AS_OF}&amp;quadrant=E" aria-label="2 risks in Employees: see the '
        'partnership health"',
    ]
    # The phone's drawing shows the same badges (in its own reading order).
    assert sorted(badges(html, "diagram-compact")) == sorted(badges(html))


def test_a_badge_leads_to_that_quadrants_risks(world, leader_client):
    response = leader_client.get(f"/health/?{AS_OF}&quadrant=T")

    assert response.status_code == 200
    assert "Risks in Teams" in response.content.decode()


def test_it_marks_the_risks_of_the_objective_shown(world, leader_client):
    html = leader_client.get(f"/diagram/?objective={world.cost.pk}&{AS_OF}").content.decode()

    found = badges(html)
    assert len(found) == 3
    assert f"/health/?objective={world.cost.pk}&amp;{AS_OF}&amp;quadrant=T" in found[1]
    # The quality crew's complete triads have no risk at all.
    html = leader_client.get(f"/diagram/?objective={world.quality.pk}&{AS_OF}").content.decode()
    assert badges(html) == []


def test_it_marks_only_a_managers_own_partnerships(world, manager_client):
    html = manager_client.get(f"/diagram/?{AS_OF}").content.decode()

    assert badges(html) == []  # the quality crew is healthy; the cost crew is not theirs


def test_it_marks_nothing_on_one_partnerships_box(world, leader_client):
    html = leader_client.get(f"/diagram/?partnership={world.cost_team.pk}&{AS_OF}")

    assert badges(html.content.decode()) == []


def test_the_badges_follow_the_data(world, leader_client):
    assert len(badges(leader_client.get(f"/diagram/?{AS_OF}").content.decode())) == 3

    # Lee guides Yves: Yves hears two channels now, and no longer depends on the Yard team.
    RelationshipFactory(partnership=world.cost_team, from_member=world.lee, to_member=world.yves)

    html = leader_client.get(f"/diagram/?{AS_OF}").content.decode()
    assert 'aria-label="1 risk in Employees' in html  # Olga, whom nobody reaches
    assert 'aria-label="2 risks in Teams' in html  # Yard: guidance only, and no leader


def test_the_badges_cost_one_query_once_cached(world, leader_client, django_assert_num_queries):
    leader_client.get(f"/diagram/?{AS_OF}")

    # session, user, roles, the form's choices (2), and the data version that keys the
    # cached badge counts (and the box's counts, cached under it too)
    with django_assert_num_queries(6):
        assert leader_client.get(f"/diagram/?{AS_OF}").status_code == 200
