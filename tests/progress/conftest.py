"""Scenery for the progress tests: the meetings tests' fixed clock and triad, reused, and a
Django superuser for the admin site."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.meetings.conftest import NOW, frozen_now, session, triad

__all__ = ["NOW", "frozen_now", "session", "triad"]


@pytest.fixture
def admin_client_django(admin_user):
    """A Django superuser in the admin site (not an organization's admin persona)."""
    client = Client()
    client.force_login(admin_user)
    return client
