"""The import pages: admins only; upload → columns → preview → apply, nothing written before."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from org.models import Member
from partnerships.models import Relationship
from tests.factories import PersonFactory
from transfer import imports

EXPORT = (
    "Badge,Full Name,Job Title,Boss Badge,Department\n"
    "A1,Ada Boss,CEO,,Board\n"
    "A2,Bo Vice,VP,A1,Sales\n"
    "A3,Cy Lead,Lead,A2,Sales\n"
    "A4,Di Rep,Rep,A3,Sales\n"
)


def upload(client, text: str | bytes = EXPORT, encoding: str = "utf-8"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/org/import/",
        {"file": SimpleUploadedFile("people.csv", data, "text/csv"), "encoding": encoding},
    )


COLUMNS = {
    "column_external_id": "Badge",
    "column_name": "Full Name",
    "column_title": "Job Title",
    "column_manager_id": "Boss Badge",
    "column_department": "Department",
    "leadership_levels": "0",
    "leadership_titles": "chief\nvp",
    "teams_from": "auto",
    "team_lines": "on",
}


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_it_is_for_admins_only(role, role_clients):
    client = role_clients[role]
    assert client.get("/org/import/").status_code == 403
    assert upload(client).status_code == 403
    assert client.get("/org/import/preview/").status_code == 403
    assert client.post("/org/import/apply/", {"fingerprint": "x"}).status_code == 403


def test_it_requires_login(client):
    response = client.get("/org/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_whole_flow_imports_the_file(admin_client, org):
    response = admin_client.get("/org/import/")
    assert b"Upload and continue" in response.content

    response = upload(admin_client)
    assert response.status_code == 302
    assert response["Location"] == "/org/import/columns/"

    response = admin_client.get("/org/import/columns/")
    page = response.content.decode()
    assert "Ada Boss" in page  # the first rows, for orientation
    form = response.context["form"]
    assert form["column_name"].initial == "Full Name"  # recognised
    assert form["column_external_id"].initial == "Badge"  # recognised too
    assert form["column_manager_id"].initial is None  # "Boss Badge" is not a name we know

    response = admin_client.post("/org/import/columns/", COLUMNS)
    assert response.status_code == 302
    assert response["Location"] == "/org/import/preview/"

    response = admin_client.get("/org/import/preview/")
    page = response.content.decode()
    preview = response.context["preview"]
    assert vars(preview.people) == {"new": 4, "changed": 0, "unchanged": 0, "archived": 0}
    assert "as proposed from titles and the reporting tree" in page
    assert "(title: VP)" in page and "(top of the reporting tree)" in page
    assert "3 relationships" not in page and "<strong>3</strong> relationships" in page
    assert [(g.quadrant.value, g.count) for g in response.context["proposal"]] == [
        ("L", 2),
        ("M", 1),
        ("T", 2),
        ("E", 1),
    ]
    assert not Member.objects.filter(organization=org).exists()  # nothing written yet

    fingerprint = response.context["apply_form"]["fingerprint"].value()
    response = admin_client.post("/org/import/apply/", {"fingerprint": fingerprint})
    assert response.status_code == 302
    assert response["Location"] == "/org/members/"
    assert Member.objects.filter(organization=org, kind="person").count() == 4
    chain = Relationship.objects.filter(organization=org, partnership__name="Chain of command")
    assert chain.count() == 3
    teams = Relationship.objects.filter(organization=org, partnership__name="Team stewardship")
    assert sorted(str(r) for r in teams) == [
        "Ada Boss → Board (influential)",
        "Bo Vice → Sales (influential)",
        "Cy Lead → Sales (guidance)",
        "Sales → Di Rep (direct)",
    ]
    assert "org_import" not in admin_client.session
    page = admin_client.get("/org/members/").content.decode()
    assert "Imported people.csv: 4 new" in page


def test_an_upload_in_the_wrong_encoding_is_named_by_line_and_column(admin_client):
    data = "id,name\n1,Ann\n2,Zoë\n".encode("latin-1")
    response = upload(admin_client, data)
    assert response.status_code == 200
    [problem] = response.context["problems"]
    assert (problem.line, problem.column) == (3, "name")
    assert "org_import" not in admin_client.session
    response = upload(admin_client, data, encoding="latin-1")
    assert response.status_code == 302


def test_the_columns_form_requires_an_id_and_a_name(admin_client):
    upload(admin_client)
    response = admin_client.post("/org/import/columns/", {**COLUMNS, "column_external_id": ""})
    assert response.status_code == 200
    assert "Choose the column that holds the employee id." in response.content.decode()
    response = admin_client.post("/org/import/columns/", {**COLUMNS, "column_title": "Full Name"})
    assert "already mapped to Name" in response.content.decode()


def test_a_file_with_errors_shows_them_and_cannot_be_applied(admin_client, org):
    upload(admin_client, EXPORT + "A5,Ed Loop,Rep,A5,Sales\n")
    admin_client.post("/org/import/columns/", COLUMNS)
    response = admin_client.get("/org/import/preview/")
    page = response.content.decode()
    assert "<td>6</td><td>Boss Badge</td>" in page
    assert "own manager" in page
    assert "Apply the import" not in page
    response = admin_client.post("/org/import/apply/", {"fingerprint": "whatever"})
    assert response.status_code == 200
    assert "own manager" in response.content.decode()
    assert not Member.objects.filter(organization=org).exists()


def test_a_stale_preview_is_shown_again(admin_client, org):
    upload(admin_client)
    admin_client.post("/org/import/columns/", COLUMNS)
    fingerprint = admin_client.get("/org/import/preview/").context["preview"].fingerprint()
    PersonFactory(organization=org, external_id="A9", name="Added meanwhile")
    response = admin_client.post("/org/import/apply/", {"fingerprint": fingerprint})
    assert response.status_code == 200
    assert "changed since this preview" in response.content.decode()
    assert response.context["preview"].people.archived == 1
    assert Member.objects.filter(organization=org).count() == 1


def test_the_pending_file_belongs_to_its_organization(admin_client, admin_membership, other_org):
    from tests.factories import OrgMembershipFactory

    upload(admin_client)
    OrgMembershipFactory(user=admin_membership.user, organization=other_org, role="admin")
    admin_client.post("/org/switch/", {"organization": other_org.pk})
    response = admin_client.get("/org/import/preview/")
    assert response.status_code == 302
    assert response["Location"] == "/org/import/"


def test_cancel_forgets_the_file(admin_client):
    upload(admin_client)
    response = admin_client.post("/org/import/cancel/")
    assert response.status_code == 302
    assert "org_import" not in admin_client.session


def test_the_preview_costs_the_same_queries_for_few_and_many_people(
    admin_client, org, django_assert_num_queries
):
    for rows in (5, 300):
        lines = ["Badge,Full Name,Job Title,Boss Badge,Department"]
        lines += [f"A{i},Person {i},T,{'A1' if i > 1 else ''},D{i % 9}" for i in range(1, rows + 1)]
        upload(admin_client, "\n".join(lines))
        admin_client.post("/org/import/columns/", COLUMNS)
        with django_assert_num_queries(7):
            response = admin_client.get("/org/import/preview/")
        assert response.context["preview"].people.new == rows


def test_a_file_above_the_upload_limit_is_pointed_to_the_command(admin_client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", 2**20)
    response = upload(admin_client, EXPORT + "A5,Ed Rep,Rep,A3,Sales\n" * (2**20 // 20))
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert "the limit is 1 MB" in message
    assert "from the command line: manage.py import_org" in message
    assert "org_import" not in admin_client.session
