"""The 13 actions: created by the data migration, three principles of 5, 5 and 3, never
deleted through the app."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.test import RequestFactory

from meetings.models import Action, ChecklistItem, Principle
from meetings.progress.services import checklist_ensure
from meetings.quarters import Quarter

pytestmark = pytest.mark.django_db


def test_the_data_migration_creates_exactly_13_actions_in_groups_of_5_5_and_3():
    actions = list(Action.objects.order_by("number"))
    assert [a.number for a in actions] == list(range(1, 14))
    by_principle = {p: [a.number for a in actions if a.principle == p] for p in Principle}
    assert by_principle == {
        Principle.EXAMPLE: [1, 2, 3, 4, 5],
        Principle.TEACH: [6, 7, 8, 9, 10],
        Principle.EVALUATE: [11, 12, 13],
    }
    assert len({a.label for a in actions}) == 13
    assert all(a.label and a.explanation for a in actions)


def test_the_labels_are_our_own_short_words():
    for action in Action.objects.all():
        assert len(action.label) <= 40
        assert len(action.explanation) <= 120
    # Not the seed's sentences.
    assert not Action.objects.filter(label__icontains="soft-skills of communications").exists()
    assert not Action.objects.filter(
        explanation__icontains="Start with improving yourself"
    ).exists()


def test_the_admin_cannot_add_or_delete_an_action(admin_user):
    request = RequestFactory().get("/admin/meetings/action/")
    request.user = admin_user
    action_admin = site._registry[Action]
    action = Action.objects.get(number=1)
    assert action_admin.has_delete_permission(request, action) is False
    assert action_admin.has_add_permission(request) is False
    assert "delete_selected" not in action_admin.get_actions(request)


def test_the_admin_delete_page_refuses(admin_client_django):
    action = Action.objects.get(number=5)
    response = admin_client_django.post(
        f"/admin/meetings/action/{action.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Action.objects.count() == 13


def test_the_app_has_no_page_that_deletes_an_action(leader_client):
    for url in ["/meetings/checklist/2026Q1/1/", "/meetings/actions/1/delete/"]:
        assert leader_client.post(url).status_code == 404
    assert Action.objects.count() == 13


def test_an_action_in_a_checklist_is_protected(leader_membership):
    checklist_ensure(membership=leader_membership, quarter=Quarter(2026, 1))
    with pytest.raises(ProtectedError):
        Action.objects.filter(number=7).delete()
    assert ChecklistItem.objects.count() == 13


def test_the_database_refuses_an_action_under_the_wrong_principle():
    with pytest.raises(IntegrityError):
        Action.objects.create(number=14, principle=Principle.EXAMPLE, label="x", explanation="y")
