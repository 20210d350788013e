"""The health analysis computed ahead (`manage.py refresh_health`, from cron): the page reads
it rather than waiting, says how fresh it is, and falls back to computing when nothing was
computed ahead."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from partnerships.health import analysis, hooks
from partnerships.models import HealthSnapshot, Relationship
from tests.factories import RelationshipFactory
from tests.health.test_queries import CACHED, NOT_CACHED, WEAK_COLD, WEAK_KEPT, WEAK_STORED

# The snapshot of the scope, looked up when the cache has nothing (whole organization or an
# objective, today).
SNAPSHOT = 1


def refresh(*args: str) -> str:
    out = StringIO()
    call_command("refresh_health", *args, stdout=out, verbosity=2)
    return out.getvalue()


def figures(response) -> str:
    html = response.content.decode()
    return html[
        html.index('<ul class="health-headline"') : html.index(
            "</ul>", html.index("health-headline")
        )
    ]


def slow(org) -> None:
    """As if computing the organization took seconds: a snapshot behind the data is shown."""
    HealthSnapshot.objects.filter(organization=org).update(seconds=2.5)


def test_it_computes_every_organization_and_objective_ahead(world, org, other_org, clock):
    output = refresh()

    snapshots = HealthSnapshot.objects.filter(organization=org)
    assert {s.objective_id for s in snapshots} == {None, world.quality.pk, world.cost.pk}
    assert {s.day for s in snapshots} == {org.today()}
    assert HealthSnapshot.objects.filter(organization=other_org, objective=None).exists()
    assert "acme: 3 of 3 computed" in output
    assert "objective On-time quality: computed" in output
    whole = snapshots.get(objective=None)
    assert whole.data_version == analysis.data_version(org)


def test_a_second_run_leaves_what_did_not_change(world, org, clock):
    refresh()
    first = {s.pk: s.computed_at for s in HealthSnapshot.objects.filter(organization=org)}
    clock.now += datetime.timedelta(minutes=5)

    output = refresh("--organization", "acme")

    assert "acme: 0 of 3 computed" in output and "up to date" in output
    again = {s.pk: s.computed_at for s in HealthSnapshot.objects.filter(organization=org)}
    assert again == first  # the same rows, not recomputed

    RelationshipFactory(partnership=world.cost_team, from_member=world.lee, to_member=world.olga)
    output = refresh("--organization", "acme")
    assert "acme: 3 of 3 computed" in output
    assert HealthSnapshot.objects.filter(organization=org).count() == 3  # replaced, not added
    assert all(s.computed_at == clock.now for s in HealthSnapshot.objects.filter(organization=org))


def test_an_unknown_organization_is_refused(world, org):
    with pytest.raises(CommandError, match="No organization with the slug nowhere"):
        refresh("--organization", "nowhere")
    assert not HealthSnapshot.objects.exists()


def test_the_page_reads_what_was_computed_ahead(
    world, org, leader_client, clock, django_assert_num_queries, monkeypatch
):
    refresh()
    cache.clear()  # another process computed it: this one's cache knows nothing
    clock.now += datetime.timedelta(minutes=12)
    monkeypatch.setattr(analysis, "load", lambda scope: pytest.fail("computed again"))

    # The weak channels too come from what the refresh stored, not computed again.
    monkeypatch.setattr(hooks, "weak_channels", lambda *args: pytest.fail("computed again"))
    with django_assert_num_queries(CACHED + SNAPSHOT + WEAK_STORED - WEAK_KEPT):
        response = leader_client.get("/health/")

    html = response.content.decode()
    assert "Computed <time" in html and "12 minutes ago" in html
    assert "not included yet" not in html  # nothing changed since
    assert 'class="health-brokers"' in html  # the brokers came with it
    assert "7 of 8" in figures(response)
    with django_assert_num_queries(CACHED):  # and now it is in this process's cache too
        assert leader_client.get("/health/").status_code == 200


def test_an_objectives_page_reads_its_own(world, org, leader_client, clock, monkeypatch):
    refresh()
    cache.clear()
    monkeypatch.setattr(analysis, "load", lambda scope: pytest.fail("computed again"))

    response = leader_client.get(f"/health/?objective={world.cost.pk}")

    assert response.status_code == 200
    assert "Lower cost" in response.content.decode()


def test_after_a_change_a_slow_organization_sees_the_snapshot_and_says_so(
    world, org, leader_client, clock
):
    refresh()
    slow(org)
    clock.now += datetime.timedelta(minutes=30)
    RelationshipFactory(partnership=world.cost_team, from_member=world.lee, to_member=world.olga)

    response = leader_client.get("/health/")

    html = response.content.decode()
    assert "30 minutes ago" in html
    assert "not included yet" in html
    assert "7 of 8" in figures(response)  # Olga is not reached in the snapshot
    assert 'href="/health/?live=1"' in html

    live = leader_client.get("/health/?live=1")
    assert "8 of 8" in figures(live)
    assert "Computed <time" in live.content.decode() and "just now" in live.content.decode()
    assert "not included yet" not in live.content.decode()
    # the analysis with the change is cached now: the plain page shows it too
    assert "8 of 8" in figures(leader_client.get("/health/"))


def test_after_a_change_a_quick_organization_is_computed_at_once(world, org, leader_client, clock):
    refresh()  # the small world takes milliseconds
    RelationshipFactory(partnership=world.cost_team, from_member=world.lee, to_member=world.olga)

    html = leader_client.get("/health/").content.decode()

    assert "not included yet" not in html
    assert "8 of 8" in html


def test_without_anything_computed_ahead_the_page_computes_it(
    world, org, leader_client, clock, django_assert_num_queries
):
    with django_assert_num_queries(NOT_CACHED + SNAPSHOT):
        response = leader_client.get("/health/")

    html = response.content.decode()
    assert "7 of 8" in figures(response)
    assert "Computed <time" in html and "just now" in html
    assert not HealthSnapshot.objects.exists()  # a page never writes one


def test_a_snapshot_of_another_day_is_not_used(world, org, leader_client, clock):
    refresh()
    slow(org)
    Relationship.objects.filter(to_member=world.mia).delete()
    clock.set(clock.now.date() + datetime.timedelta(days=1))

    html = leader_client.get("/health/").content.decode()

    assert "not included yet" not in html  # computed for today, with the deletion


def test_managers_see_their_own_partnerships_computed_as_before(
    world, org, manager_client, clock, django_assert_num_queries
):
    refresh()
    cache.clear()

    # Their scope is never computed ahead: no snapshot of it is looked up (the weak channels,
    # the organization's, come from what the refresh stored).
    with django_assert_num_queries(NOT_CACHED - (WEAK_COLD - WEAK_STORED)):
        response = manager_client.get("/health/")

    assert "Your partnerships" in response.content.decode()


def test_the_diagram_badges_never_read_a_snapshot_behind_the_data(world, org, clock):
    refresh()
    slow(org)
    RelationshipFactory(partnership=world.cost_team, from_member=world.lee, to_member=world.olga)
    cache.clear()
    scope = analysis.Scope(organization=org, day=org.today())

    counts = analysis.quadrant_risk_counts(scope)

    fresh = analysis.analyse(analysis.load(scope)).risk_counts_by_quadrant
    assert counts == fresh


@pytest.mark.parametrize(
    ("later", "words"),
    [
        (datetime.timedelta(seconds=20), "just now"),
        (datetime.timedelta(minutes=1), "1 minute ago"),
        (datetime.timedelta(hours=3, minutes=5), "3 hours ago"),
        (datetime.timedelta(hours=47), "47 hours ago"),
        (datetime.timedelta(days=3), "3 days ago"),
    ],
)
def test_the_page_says_how_long_ago_it_was_computed(world, org, leader_client, clock, later, words):
    refresh()
    cache.clear()
    start = clock.now
    clock.now = start + later
    # Past midnight a snapshot is another day's and is not read: made today's here, so that
    # the page shows its age.
    HealthSnapshot.objects.filter(organization=org).update(day=org.today())

    html = leader_client.get("/health/").content.decode()

    assert f">{words}</time>" in html
