"""The Django admin lists partnerships and relationships but leaves writes to the services."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def staff_client(django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_lists_and_shows_partnerships(staff_client, quality):
    assert staff_client.get("/admin/partnerships/objective/").status_code == 200
    assert staff_client.get("/admin/partnerships/partnership/").status_code == 200
    page = staff_client.get(f"/admin/partnerships/partnership/{quality.drive.pk}/change/")
    assert page.status_code == 200
    assert "Max Manager" in page.content.decode()


def test_the_admin_adds_no_relationships(staff_client, quality):
    assert staff_client.get("/admin/partnerships/relationship/").status_code == 200
    assert staff_client.get("/admin/partnerships/relationship/add/").status_code == 403
