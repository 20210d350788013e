"""Fixed personas: one organization with a user per role, and an outsider's organization."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.test import Client
from hypothesis import settings as hypothesis_settings

from org.models import Quadrant, Role
from tests.factories import OrganizationFactory, OrgMembershipFactory, PersonFactory

# Hypothesis fails an example that takes over 200 ms by default: a timing assertion, which a
# loaded machine (CI, other work beside it) trips. Speed is measured by `make bench`, not here.
hypothesis_settings.register_profile("project", deadline=None)
hypothesis_settings.load_profile("project")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts and ends with an empty cache: allauth's rate limits (failed logins
    counted per address) and the analysis cached under a data version would otherwise carry
    over from one test to the next, and a test's result would depend on the ones before it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _thirteen_actions(request):
    """The 13 actions are rows a data migration writes. A test that commits for real (a live
    server's) ends by emptying every table, and Django's serialized rollback does not always
    put them back (after a transactional test without it, the serialized copy is gone); so
    every such test starts with them, written by the migration's own function."""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from meetings.models import Action

    if not Action.objects.exists():
        migration = importlib.import_module("meetings.migrations.0003_the_thirteen_actions")
        migration.create_actions(django_apps, None)


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme Logistics", slug="acme")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Globex Rival", slug="globex")


def _persona(organization, role, username, quadrant=None):
    member = None
    if quadrant is not None:
        member = PersonFactory(
            organization=organization, quadrant=quadrant, name=username.replace("_", " ").title()
        )
    return OrgMembershipFactory(
        organization=organization, role=role, user__username=username, member=member
    )


@pytest.fixture
def admin_membership(org):
    return _persona(org, Role.ADMIN, "ada_admin")


@pytest.fixture
def leader_membership(org):
    return _persona(org, Role.LEADER, "lee_leader", Quadrant.LEADERSHIP)


@pytest.fixture
def manager_membership(org):
    return _persona(org, Role.MANAGER, "max_manager", Quadrant.MANAGERS)


@pytest.fixture
def member_membership(org):
    return _persona(org, Role.MEMBER, "mia_member", Quadrant.EMPLOYEES)


@pytest.fixture
def outsider_membership(other_org):
    return _persona(other_org, Role.ADMIN, "oscar_outsider", Quadrant.LEADERSHIP)


def _client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def admin_client(admin_membership):
    return _client_for(admin_membership)


@pytest.fixture
def leader_client(leader_membership):
    return _client_for(leader_membership)


@pytest.fixture
def manager_client(manager_membership):
    return _client_for(manager_membership)


@pytest.fixture
def member_client(member_membership):
    return _client_for(member_membership)


@pytest.fixture
def outsider_client(outsider_membership):
    return _client_for(outsider_membership)


@pytest.fixture
def role_clients(admin_client, leader_client, manager_client, member_client, outsider_client):
    """Every persona by role name, for role-matrix tests."""
    return {
        "admin": admin_client,
        "leader": leader_client,
        "manager": manager_client,
        "member": member_client,
        "outsider": outsider_client,
    }
