"""`manage.py create_organization "Name" --admin email`: the first admin without the Django
admin site. It makes the organization, a person in its leadership and an invitation as admin,
and prints the one-time link."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from org.models import AuditEntry, Invitation, Member, Organization, OrgMembership

PASSWORD = "a rather longer passphrase 42"


def create(*args: str) -> str:
    out = io.StringIO()
    call_command("create_organization", *args, stdout=out)
    return out.getvalue()


def test_it_creates_the_organization_its_first_admin_and_prints_the_link(db):
    output = create("Initech", "--admin", "Peter@initech.test", "--admin-name", "Peter Gibbons")
    organization = Organization.objects.get()
    assert (organization.name, organization.slug) == ("Initech", "initech")
    person = Member.objects.get()
    assert (person.organization, person.kind, person.quadrant, person.name, person.email) == (
        organization,
        "person",
        "L",
        "Peter Gibbons",
        "Peter@initech.test",
    )
    invitation = Invitation.objects.get()
    assert (invitation.member, invitation.role) == (person, "admin")
    link = re.search(r"http://127\.0\.0\.1:8000(/invitation/[A-Za-z0-9_\-]+/)", output).group(1)
    assert "works once, for 7 days" in output
    client = Client()
    response = client.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    login = OrgMembership.objects.get()
    assert (login.organization, login.role, login.member) == (organization, "admin", person)
    assert client.get("/org/access/").status_code == 200  # the new admin manages access
    assert Client().get(link).status_code == 410  # once
    actions = set(AuditEntry.objects.values_list("object_type", "action"))
    assert {("member", "created"), ("invitation", "invited")} <= actions


def test_it_uses_the_base_url_given(db):
    output = create("Initech", "--admin", "p@initech.test", "--base-url", "https://pm.example/")
    assert re.search(r"^https://pm\.example/invitation/[A-Za-z0-9_\-]+/$", output, re.M)
    assert Member.objects.get().name == "p"


def test_a_second_organization_of_the_same_name_gets_its_own_slug(db):
    create("Initech", "--admin", "a@initech.test")
    create("Initech", "--admin", "b@initech.test")
    assert sorted(Organization.objects.values_list("slug", flat=True)) == ["initech", "initech-2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Initech", "--admin", "not-an-email"], "is not an email address"),
        (["Initech", "--admin", "p@initech.test", "--base-url", "ftp://x"], "--base-url"),
        (["  ", "--admin", "p@initech.test"], "The organization needs a name."),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_made(db, args, message):
    with pytest.raises(CommandError, match=message):
        create(*args)
    assert not Organization.objects.exists()
    assert not Invitation.objects.exists()
