"""The health page: headline numbers, coverage by quadrant, ranked risks with their links and
next steps, brokers with their method, filters, the cap on the list, the empty state."""

from __future__ import annotations

import datetime

from org.models import Member, Quadrant
from partnerships.models import Relationship
from tests.factories import OrganizationFactory, OrgMembershipFactory, PartnershipFactory
from tests.health.conftest import AS_OF, DAY


def risk_items(html: str) -> list[str]:
    """The text of each listed risk, in order."""
    start = html.index('<ol class="health-risks"')
    listed = html[start : html.index("</ol>", start)]
    return [item.split("</li>")[0] for item in listed.split("<li")[1:]]


def test_it_shows_the_headline_numbers(world, leader_client):
    response = leader_client.get(f"/health/?{AS_OF}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<bdi>Acme Logistics</bdi>,\n    as of 3 Mar 2025" in html
    # 8 active members (Lee, Max, Mia, Dock, Sam, Yard, Yves, Olga); Olga is not reached.
    assert '<span class="figure">7 of 8</span> members reached from leadership' in html
    assert '<span class="figure">2</span> single points of failure' in html  # Sam, Yard
    assert '<span class="figure">9</span> active relationships' in html


def test_it_shows_the_share_of_each_quadrant_by_channels(world, leader_client):
    html = leader_client.get(f"/health/?{AS_OF}").content.decode()

    employees = html[html.index('<tr class="q-E">') :]
    employees = employees[: employees.index("</tr>")]
    cells = [cell.split("</td>")[0].strip() for cell in employees.split("<td>")[1:]]
    # Olga: none; Yves: direct only; Mia: all three.
    assert cells[:5] == [
        "3",
        '1 <span class="muted">(33%)</span>',
        '1 <span class="muted">(33%)</span>',
        '0 <span class="muted">(0%)</span>',
        '1 <span class="muted">(33%)</span>',
    ]
    managers = html[html.index('<tr class="q-M">') :]
    assert managers.index("n/a") < managers.index("</tr>")  # only direct lines reach managers


def test_leadership_shows_as_reached_by_definition_not_as_missing_channels(world, leader_client):
    html = leader_client.get(f"/health/?{AS_OF}").content.decode()

    leadership = html[html.index('<tr class="q-L">') :]
    leadership = leadership[: leadership.index("</tr>")]
    assert '<td colspan="4">Reached by definition: objectives start here</td>' in leadership
    assert "%)" not in leadership  # no share of leaders "without a channel"


def test_it_ranks_the_risks_with_links_and_next_steps(world, leader_client):
    html = leader_client.get(f"/health/?{AS_OF}&risks=all").content.decode()

    items = risk_items(html)
    assert len(items) == 7
    # Most severe and widest first: Sam carries the message to two members.
    assert "Every path from leadership to 2 members passes through Sam Supervisor." in items[0]
    assert f'Member: <a href="/org/members/{world.sam.pk}/">Sam Supervisor</a>' in items[0]
    assert "Next step:</strong> Add a relationship from a leader or another manager" in items[0]
    orphan = next(item for item in items if "Olga Alone" in item)
    assert "never reaches Olga Alone" in orphan
    assert f'href="/org/members/{world.olga.pk}/"' in orphan
    assert "Next step:</strong> Add a direct line from a team to Olga Alone." in orphan
    lacking = items[-1]
    assert "Cost crew lacks the influential channel." in lacking
    assert f'Partnership: <a href="/partnerships/{world.cost_team.pk}/">Cost crew</a>' in lacking
    assert "Add an influential relationship from Lee Leader to Yard Team, completing a triad" in (
        lacking
    )
    # The complete triads of the quality crew raise nothing.
    assert "Quality crew" not in html.split('id="risks"')[1]


def _brokers_list(html: str) -> str:
    brokers = html[html.index('<ol class="health-brokers">') :]
    return brokers[: brokers.index("</ol>")]


def test_the_page_comes_first_and_htmx_fetches_the_brokers_after_it(world, leader_client):
    html = leader_client.get(f"/health/?{AS_OF}&quadrant=E").content.decode()

    # Not found yet: a placeholder that htmx replaces as soon as the page has loaded.
    assert '<ol class="health-brokers">' not in html
    fetch = f'hx-get="/health/brokers/?as_of={DAY.isoformat()}&amp;quadrant=E"'
    assert f'<section id="brokers" aria-labelledby="brokers-heading" {fetch}' in html
    assert 'hx-trigger="load" hx-swap="outerHTML"' in html

    fragment = leader_client.get(
        f"/health/brokers/?{AS_OF}&quadrant=E", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.startswith('\n<section id="brokers"')
    assert "hx-get" not in fragment
    assert f'<a href="/org/members/{world.sam.pk}/"><bdi>Sam Supervisor</bdi></a>' in _brokers_list(
        fragment
    )
    assert "computed exactly from all 5 members who pass the message on." in fragment
    assert 'id="report"' not in fragment


def test_without_javascript_the_link_gives_the_page_with_its_brokers(world, leader_client):
    html = leader_client.get(f"/health/brokers/?{AS_OF}").content.decode()

    assert '<div id="report"' in html
    assert f'<a href="/org/members/{world.sam.pk}/"><bdi>Sam Supervisor</bdi></a>' in _brokers_list(
        html
    )
    assert "computed exactly from all 5 members who pass the message on." in html
    # In words, not a decimal: Mia hears Lee directly, Yves only through Sam.
    assert "5 in 10 paths from leadership to employees pass through Sam Supervisor" in html
    assert "betweenness 0." not in html


def test_once_found_the_brokers_come_with_the_page(world, leader_client):
    leader_client.get(f"/health/brokers/?{AS_OF}", HTTP_HX_REQUEST="true")

    html = leader_client.get(f"/health/?{AS_OF}").content.decode()

    assert 'hx-get="/health/brokers/' not in html
    assert f'<a href="/org/members/{world.sam.pk}/"><bdi>Sam Supervisor</bdi></a>' in _brokers_list(
        html
    )


def test_it_limits_the_analysis_to_one_objective(world, leader_client):
    response = leader_client.get(f"/health/?objective={world.quality.pk}&{AS_OF}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<bdi>On-time quality</bdi>,\n    as of 3 Mar 2025" in html
    # Only the quality crew's four members count; Olga is not an orphan of this objective.
    assert '<span class="figure">4 of 4</span> members reached' in html
    assert "Olga Alone" not in html
    assert "Sam Supervisor" not in html
    assert f'<option value="{world.quality.pk}" selected>On-time quality</option>' in html


def test_it_lists_the_risks_of_one_quadrant(world, leader_client):
    html = leader_client.get(f"/health/?{AS_OF}&quadrant=T").content.decode()

    assert "Risks in Teams" in html
    items = risk_items(html)
    assert len(items) == 3
    assert all("Yard Team" in item for item in items)
    assert f'href="/health/?{AS_OF}&amp;quadrant=T" aria-current="true">Teams (3)</a>' in html


def test_it_caps_the_list_and_counts_the_rest(world, org, leader_client):
    Member.objects.bulk_create(
        Member(
            organization=org,
            quadrant=Quadrant.EMPLOYEES,
            name=f"Newcomer {n:03}",
            active_from=datetime.date(2020, 1, 1),
        )
        for n in range(60)
    )

    html = leader_client.get(f"/health/?{AS_OF}&risks=all").content.decode()

    assert len(risk_items(html)) == 50
    assert '<span class="figure">67</span> risks' in html
    assert "17 more risks after these." in html
    assert f'href="/health/?as_of={DAY.isoformat()}&amp;risks=all&amp;page=2#risks"' in html

    second = leader_client.get(f"/health/?{AS_OF}&risks=all&page=2").content.decode()

    assert len(risk_items(second)) == 17
    assert '<ol class="health-risks" start="51">' in second
    assert "more risks after these" not in second
    assert "The 50 before" in second
    listed = risk_items(html) + risk_items(second)
    assert len(set(listed)) == 67  # every risk once over the two pages


def test_it_defaults_to_today(world, leader_client, org):
    html = leader_client.get("/health/").content.decode()

    today = org.today()
    assert f"as of {today.day} {today:%b %Y}" in html


def test_it_reads_the_organization_as_of_an_earlier_day(world, leader_client):
    html = leader_client.get("/health/?as_of=2023-12-31").content.decode()

    # The partnerships formed on 1 January 2024: nothing was active yet.
    assert "This organization has no relationship active on 31 Dec 2023 yet." in html
    assert "health-risks" not in html


def test_it_shows_an_empty_state_without_relationships(db, client):
    organization = OrganizationFactory(name="Quiet Co", slug="quiet")
    leader = OrgMembershipFactory(organization=organization, role="leader")
    PartnershipFactory(organization=organization)  # formed, but nobody related yet
    client.force_login(leader.user)

    response = client.get(f"/health/?{AS_OF}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "This organization has no relationship active on 3 Mar 2025 yet." in html
    assert "members reached" not in html
    assert not Relationship.objects.filter(organization=organization).exists()


def test_it_rejects_a_bad_date(world, leader_client):
    response = leader_client.get("/health/?as_of=March")

    assert response.status_code == 400
    assert "Give the date as YYYY-MM-DD." in response.content.decode()


def test_it_rejects_an_unknown_quadrant(world, leader_client):
    response = leader_client.get(f"/health/?{AS_OF}&quadrant=X")

    assert response.status_code == 400
    assert "Choose one of the four quadrants." in response.content.decode()


def test_it_answers_htmx_with_the_report_alone(world, leader_client):
    response = leader_client.get(f"/health/?{AS_OF}&quadrant=E", headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report"')
    assert "<html" not in html
    assert "Olga Alone" in html
    assert "HX-Request" in response["Vary"]


def test_it_keeps_bad_htmx_filters_swappable(world, leader_client):
    response = leader_client.get("/health/?as_of=soon", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Give the date as YYYY-MM-DD." in response.content.decode()


def test_it_rejects_post(world, leader_client):
    assert leader_client.post("/health/").status_code == 405


def test_it_links_from_the_navigation(world, leader_client):
    elsewhere = leader_client.get("/org/members/").content.decode()
    here = leader_client.get("/health/").content.decode()

    assert '<li><a href="/health/" >Health</a></li>' in elsewhere
    assert '<li><a href="/health/" aria-current="page">Health</a></li>' in here


def test_the_day_is_the_one_asked_for(world, leader_client):
    html = leader_client.get(f"/health/?{AS_OF}").content.decode()

    assert f'value="{DAY.isoformat()}"' in html


def test_its_risk_links_lead_to_the_member_and_partnership_pages(world, leader_client):
    html = leader_client.get(f"/health/?{AS_OF}&risks=all").content.decode()
    links = set()
    for item in risk_items(html):
        links.update(part.split('"')[0] for part in item.split('<a href="')[1:])

    assert links == {
        f"/org/members/{world.sam.pk}/",
        f"/org/members/{world.olga.pk}/",
        f"/org/members/{world.yard.pk}/",
        f"/org/members/{world.yves.pk}/",
        f"/partnerships/{world.cost_team.pk}/",
    }
    for link in sorted(links):
        response = leader_client.get(link)
        assert response.status_code == 200, link
    assert "Cost crew" in leader_client.get(f"/partnerships/{world.cost_team.pk}/").content.decode()
