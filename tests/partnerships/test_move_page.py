"""The admin's move page refuses a move breaking relationships, lists them, and ends them
on the move date once confirmed."""

from __future__ import annotations

import datetime

from org.models import Member, QuadrantMove
from partnerships.models import Relationship

D = datetime.date


def _move(client, member, extra=None, **kwargs):
    data = {"to_quadrant": "L", "on": "2024-06-01", **(extra or {})}
    return client.post(f"/org/members/{member.pk}/move/", data, **kwargs)


def test_it_lists_the_relationships_a_move_would_break(admin_client, quality):
    response = _move(admin_client, quality.max)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Moving <bdi>Max Manager</bdi> would break 1 relationship." in body
    assert (
        "Max Manager → Mia Member (influential in Quality drive; Leadership → Employees: it would become guidance)"
        in body
    )
    assert 'name="end_conflicting"' in body
    assert Member.objects.get(pk=quality.max.pk).quadrant == "M"
    assert not QuadrantMove.objects.exists()
    assert not Relationship.objects.filter(ends_on__isnull=False).exists()


def test_a_confirmed_move_ends_them_on_the_move_date(admin_client, quality):
    refused = _move(admin_client, quality.max)
    confirmed = refused.context["confirm"].initial["confirmed"]

    response = _move(admin_client, quality.max, {"end_conflicting": "on", "confirmed": confirmed})

    assert response.status_code == 302
    assert Member.objects.get(pk=quality.max.pk).quadrant == "L"
    ended = Relationship.objects.get(from_member=quality.max)
    assert (ended.ends_on, ended.type) == (D(2024, 6, 1), "influential")
    kept = Relationship.objects.get(to_member=quality.max)
    assert (kept.ends_on, kept.from_quadrant, kept.to_quadrant, kept.type) == (
        None,
        "L",
        "L",
        "direct",
    )


def test_it_lists_again_when_the_relationships_changed_since(admin_client, quality):
    response = _move(admin_client, quality.max, {"end_conflicting": "on", "confirmed": "999999"})

    assert response.status_code == 200
    assert "would break 1 relationship" in response.content.decode()
    assert Member.objects.get(pk=quality.max.pk).quadrant == "M"
    assert not Relationship.objects.filter(ends_on__isnull=False).exists()


def test_htmx_gets_the_form_with_the_list(admin_client, quality):
    response = _move(admin_client, quality.max, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "would break 1 relationship" in body


def test_a_move_breaking_nothing_needs_no_confirmation(admin_client, quality):
    # Lee from Leadership to Managers: Lee → Max becomes M → M, still direct.
    response = _move(admin_client, quality.lee, {"to_quadrant": "M"})
    assert response.status_code == 302
    kept = Relationship.objects.get(from_member=quality.lee)
    assert (kept.from_quadrant, kept.to_quadrant, kept.type) == ("M", "M", "direct")


def test_only_admins_move(leader_client, quality):
    assert _move(leader_client, quality.max).status_code == 403
    assert Member.objects.get(pk=quality.max.pk).quadrant == "M"
