"""One visibility rule per kind of data, whichever page, fragment or export shows it."""

from __future__ import annotations

import datetime

import pytest

from meetings import services
from meetings.models import SessionSuccess
from tests.factories import PartnershipFactory, PersonFactory, RelationshipFactory, SessionFactory


@pytest.fixture
def hidden(world_a) -> SessionSuccess:
    """A success of A's partnership, not shared with the organization."""
    return services.success_add(
        session=world_a.session, text="HIDDEN-SUCCESS", shared_by=world_a.leader
    )


def _shown(response) -> bool:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return b"HIDDEN-SUCCESS" in content


@pytest.mark.parametrize(("role", "sees"), [("leader", True), ("manager", True), ("member", False)])
def test_a_success_not_shared_is_shown_alike_everywhere(role, sees, clients, world_a, hidden):
    client = clients[role]
    pages = [
        f"/meetings/sessions/{world_a.session.pk}/",
        "/meetings/successes/",
        f"/meetings/partnerships/{world_a.partnership.pk}/successes/",
        "/meetings/export/successes.csv",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _shown(response) == sees, f"{role} {url}"
    fragment = client.get(f"/meetings/log/successes/{hidden.pk}/", headers={"HX-Request": "true"})
    assert fragment.status_code == (200 if sees else 404)
    assert _shown(fragment) == sees


@pytest.mark.parametrize(("role", "count"), [("leader", 2), ("manager", 1), ("member", 1)])
def test_an_objectives_count_is_what_its_page_lists(role, count, clients, world_a):
    elsewhere = PartnershipFactory(
        organization=world_a.organization,
        objective=world_a.objective,
        name="Elsewhere",
        formed_on=datetime.date(2020, 1, 1),
    )
    RelationshipFactory(
        partnership=elsewhere,
        from_member=PersonFactory(organization=world_a.organization, quadrant="L"),
        to_member=PersonFactory(organization=world_a.organization, quadrant="E"),
    )
    client = clients[role]
    [objective] = client.get("/objectives/").context["objectives"]
    assert objective.n_partnerships == count
    listed = client.get(f"/objectives/{world_a.objective.pk}/").context["partnerships"]
    assert len(listed) == count


@pytest.fixture
def previous(world_a):
    """The partnership's session of the quarter before, with a success not shared."""
    session = SessionFactory(
        partnership=world_a.partnership,
        facilitator=world_a.leader,
        starts_at=world_a.session.starts_at - datetime.timedelta(days=91),
        attendees=[world_a.leader, world_a.manager],
    )
    services.success_add(session=session, text="EARLIER-HIDDEN", shared_by=None)
    services.success_add(session=session, text="EARLIER-OPEN", shared_by=None)
    SessionSuccess.objects.filter(text="EARLIER-OPEN").update(shared_with_organization=True)
    return session


@pytest.mark.parametrize(("role", "sees"), [("leader", True), ("manager", True), ("member", False)])
def test_since_the_last_session_applies_the_viewers_rule(role, sees, clients, world_a, previous):
    response = clients[role].get(f"/meetings/sessions/{world_a.session.pk}/")
    since = response.context["since"]
    assert since.previous == previous
    texts = [s.text for s in since.successes]
    assert "EARLIER-OPEN" in texts
    assert ("EARLIER-HIDDEN" in texts) == sees
    assert (b"EARLIER-HIDDEN" in response.content) == sees
