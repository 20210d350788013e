"""Files as organizations really export them import with no --map at all: the shapes of two
public org-chart exports, an HRIS export, the same organization as .xlsx, .ods and UTF-16 CSV.
Each refusal names its problem and writes nothing."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from org.models import Member, TeamMembership
from partnerships.graph import RiskKind
from partnerships.health.analysis import health_report
from partnerships.models import Objective, Partnership, Relationship
from partnerships.scope import Scope
from tests.factories import PersonFactory

# One organization, the shape of the HR sample schema behind the d3 export: a president, two
# vice presidents, department managers (three report to the president himself) and clerks.
# (id, manager id, first name, last name, title, department)
ORGANIZATION = [
    ("100", "", "Steven", "King", "President", "Executive"),
    ("101", "100", "Neena", "Kochhar", "Administration Vice President", "Executive"),
    ("102", "100", "Lex", "De Haan", "Administration Vice President", "Executive"),
    ("103", "102", "Alexander", "Hunold", "Programmer", "IT"),
    ("104", "103", "Bruce", "Ernst", "Programmer", "IT"),
    ("105", "103", "David", "Austin", "Programmer", "IT"),
    ("106", "103", "Valli", "Pataballa", "Programmer", "IT"),
    ("108", "101", "Nancy", "Greenberg", "Finance Manager", "Finance"),
    ("109", "108", "Daniel", "Faviet", "Accountant", "Finance"),
    ("110", "108", "John", "Chen", "Accountant", "Finance"),
    ("120", "100", "Matthew", "Weiss", "Stock Manager", "Shipping"),
    ("121", "100", "Adam", "Fripp", "Stock Manager", "Shipping"),
    ("125", "120", "Julia", "Nayer", "Stock Clerk", "Shipping"),
    ("126", "120", "Irene", "Mikkilineni", "Stock Clerk", "Shipping"),
    ("129", "121", "Laura", "Bissot", "Stock Clerk", "Shipping"),
    ("130", "121", "Mozhe", "Atkinson", "Stock Clerk", "Shipping"),
    ("145", "100", "John", "Russell", "Sales Manager", "Sales"),
    ("150", "145", "Peter", "Tucker", "Sales Representative", "Sales"),
    ("178", "145", "Kimberely", "Grant", "Sales Representative", ""),  # no department
    ("201", "100", "Michael", "Hartstein", "Marketing Manager", "Marketing"),
    ("202", "201", "Pat", "Fay", "Marketing Representative", "Marketing"),
]
LEADERS = {"100", "101", "102"}
MANAGERS = {"103", "108", "120", "121", "145", "201"}
TEAMS = {"Executive", "IT", "Finance", "Shipping", "Sales", "Marketing"}


def d3_export() -> bytes:
    """id, parentId, name, lastName, position, email (login names), department_name; NULL for
    no value, and no newline after the last line."""
    lines = ["id,parentId,name,lastName,position,email,department_name"]
    for ext, manager, first, last, title, department in ORGANIZATION:
        login = (first[0] + last.replace(" ", "")).upper()[:8]
        lines.append(
            f"{ext},{manager or 'NULL'},{first},{last},{title},{login},{department or 'NULL'}"
        )
    return "\n".join(lines).encode()


HRIS_HEADER = ["Employee ID", "Manager ID", "First Name", "Last Name", "Job Title", "Department"]


def hris_rows() -> list[list[str]]:
    return [
        [
            ext,
            manager,
            first,
            last,
            title,
            department,
            f"{first}.{last.replace(' ', '')}@acme.example".lower(),
        ]
        for ext, manager, first, last, title, department in ORGANIZATION
    ]


def hris_csv(encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*HRIS_HEADER, "Email"])
    writer.writerows(hris_rows())
    return out.getvalue().encode(encoding)


def hris_xlsx() -> bytes:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "About"  # the first sheet is not always the people
    notes.append(["Exported from the HR system"])
    sheet = book.create_sheet("People")
    sheet.append([*HRIS_HEADER, "Email"])
    for row in hris_rows():
        sheet.append([int(row[0]), int(row[1]) if row[1] else None, *row[2:]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_of(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet with one sheet."""
    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p>'
            "</table:table-cell>"
            for value in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="People">{cells}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return out.getvalue()


def import_file(org, tmp_path, data: bytes, name: str, *args) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_org", org.slug, str(path), *args, stdout=out)
    return out.getvalue()


def chain(org) -> dict[tuple[str, str], str]:
    return {
        (r.from_member.external_id, r.to_member.external_id): r.type
        for r in Relationship.objects.for_org(org)
        .filter(partnership__name="Chain of command")
        .with_members()
    }


def people(org) -> dict[str, Member]:
    return {m.external_id: m for m in Member.objects.filter(organization=org, kind="person")}


def assert_the_organization_is_imported(org, *, emails: bool) -> None:
    imported = people(org)
    assert len(imported) == 21
    assert imported["100"].name == "Steven King"  # first and last name joined
    assert imported["102"].name == "Lex De Haan"
    assert {ext for ext, m in imported.items() if m.quadrant == "L"} == LEADERS
    assert {ext for ext, m in imported.items() if m.quadrant == "M"} == MANAGERS
    assert sum(1 for m in imported.values() if m.quadrant == "E") == 12
    lines = chain(org)
    assert len(lines) == 20
    roots = set(imported) - {report for _, report in lines}
    assert roots == {"100"}
    assert lines[("100", "120")] == "direct"  # the president to a department manager
    assert lines[("120", "125")] == "influential"  # a department manager to a clerk
    assert sorted(lines.values()).count("guidance") == 0
    teams = set(Member.objects.filter(organization=org, kind="team").values_list("name", flat=True))
    assert teams == TEAMS
    assert imported["104"].email == ("bruce.ernst@acme.example" if emails else "")


# --- the shapes, with no --map at all ---------------------------------------------------------


def test_a_d3_style_export_imports_as_it_is(org, tmp_path):
    out = import_file(org, tmp_path, d3_export(), "orgchart.csv")
    assert_the_organization_is_imported(org, emails=False)
    assert "People: 21 new" in out
    assert "1 person at the top" in out
    assert "Reporting lines in “Chain of command”: 20 (8 direct, 12 influential, 0 guidance)" in out
    # Login names in the email column are left out, with one warning that names the lines.
    [warning] = [line for line in out.splitlines() if line.startswith("Warning")]
    assert "Column “email”: 21 values are not email addresses (lines 2, 3, 4," in warning
    assert "e.g. “SKING”" in warning
    assert people(org)["178"].name == "Kimberely Grant"
    assert not TeamMembership.objects.filter(person__external_id="178").exists()  # NULL


def test_an_hris_export_imports_as_it_is(org, tmp_path):
    out = import_file(org, tmp_path, hris_csv(), "hris.csv")
    assert "Warning" not in out
    assert_the_organization_is_imported(org, emails=True)


def test_the_same_organization_imports_from_an_xlsx_workbook(org, tmp_path):
    out = import_file(org, tmp_path, hris_xlsx(), "hris.xlsx", "--sheet", "People")
    assert "Warning" not in out
    assert_the_organization_is_imported(org, emails=True)
    assert people(org)["100"].external_id == "100"  # 100.0 in the workbook, an id here


def test_an_xlsx_workbook_reads_its_first_sheet_that_holds_people(org, tmp_path):
    import_file(org, tmp_path, hris_xlsx(), "hris.xlsx")  # "About" holds a title, no table
    assert_the_organization_is_imported(org, emails=True)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_org", org.slug, str(tmp_path / "hris.xlsx"), "--sheet", "About", stdout=out
        )
    assert "Error: Line 2: The file has a header but no people." in out.getvalue()


def test_the_same_organization_imports_from_utf16_csv(org, tmp_path):
    data = hris_csv("utf-16")  # Excel's "Unicode text": a byte-order mark, then UTF-16
    assert data.startswith(b"\xff\xfe")
    import_file(org, tmp_path, data, "hris.csv")
    assert_the_organization_is_imported(org, emails=True)


def test_the_same_organization_imports_from_an_ods_spreadsheet(org, tmp_path):
    rows = [[*HRIS_HEADER, "Email"], *hris_rows()]
    import_file(org, tmp_path, ods_of(rows), "hris.ods")
    assert_the_organization_is_imported(org, emails=True)


def test_a_text_id_export_with_untidy_names_imports_as_it_is(org, tmp_path):
    data = "\n".join(
        [
            "name,positionName,id,parentId,area,office",
            "  Marta Ruiz,Chief Executive Officer,O-6066,,Board,Madrid",
            " Ana Silva,Head of Operations,O-6100,O-6066,Operations,Lisbon",
            "Ana Silva ,Warehouse Supervisor,O-6101,O-6100,Operations,Porto",
            "João  Reis,Picker,O-6102,O-6101,Operations,Porto",
            "Ana Silva,Picker,O-6103,O-6101,Operations,Porto",
        ]
    ).encode()
    import_file(org, tmp_path, data, "export.csv")
    imported = people(org)
    assert {ext: m.name for ext, m in imported.items()} == {
        "O-6066": "Marta Ruiz",
        "O-6100": "Ana Silva",
        "O-6101": "Ana Silva",
        "O-6102": "João Reis",
        "O-6103": "Ana Silva",
    }
    assert {ext: m.quadrant for ext, m in imported.items()} == {
        "O-6066": "L",  # the top
        "O-6100": "L",  # title: Head of Operations, reporting to a leader
        "O-6101": "M",  # 2 reports
        "O-6102": "E",
        "O-6103": "E",
    }
    assert len(chain(org)) == 4
    assert chain(org)[("O-6101", "O-6103")] == "influential"


def test_the_preview_gives_each_persons_reason(org):
    from transfer.imports import plan_import, proposal_by_quadrant

    plan = plan_import(d3_export())
    reasons = {
        row["name"]: row["reason"] for group in proposal_by_quadrant(plan) for row in group.sample
    }
    assert reasons["Steven King"] == "top of the reporting tree"
    assert reasons["Neena Kochhar"] == "title: Administration Vice President"
    assert reasons["Alexander Hunold"] == "3 reports"
    assert reasons["Matthew Weiss"] == "2 reports"
    assert reasons["Julia Nayer"] == "no reports"


def test_the_leadership_titles_are_the_organizations_own(org, tmp_path):
    import_file(org, tmp_path, d3_export(), "orgchart.csv", "--leadership-titles", "president")
    org.refresh_from_db()
    assert org.leadership_titles == "president"
    assert people(org)["101"].quadrant == "L"  # "Vice President" holds "president"
    # Without the word, the vice presidents (who have reports) are managers.
    import_file(org, tmp_path, d3_export(), "orgchart.csv", "--leadership-titles", "chief")
    assert people(org)["101"].quadrant == "M"


# --- teams that work ------------------------------------------------------------------------


def test_teams_get_their_lines_and_the_health_page_names_no_team(org, tmp_path):
    import_file(org, tmp_path, d3_export(), "orgchart.csv")
    stewardship = Partnership.objects.get(organization=org, name="Team stewardship")
    lines = {
        (r.from_member.name, r.to_member.name): r.type
        for r in Relationship.objects.filter(partnership=stewardship).with_members()
    }
    assert lines[("Shipping", "Julia Nayer")] == "direct"
    assert lines[("Matthew Weiss", "Shipping")] == "guidance"
    assert lines[("Steven King", "Shipping")] == "influential"
    assert lines[("Lex De Haan", "IT")] == "influential"
    assert ("IT", "Alexander Hunold") not in lines  # a manager: no line points back up
    report = health_report(Scope(organization=org, day=org.today()))
    team_ids = set(
        Member.objects.filter(organization=org, kind="team").values_list("pk", flat=True)
    )
    about_teams = {
        (entry.member_name, entry.risk.kind)
        for entry in report.risks
        if team_ids & set(entry.risk.member_ids)
    }
    # Only the team of leaders lacks a manager to guide it; every other team is reached by
    # both channels a team can hear.
    assert about_teams == {("Executive", RiskKind.ONE_CHANNEL)}
    one_channel = {entry.member_name for entry in report.risks if entry.quadrant == "E"}
    assert one_channel == {"Kimberely Grant"}  # the one person on no team


def test_no_team_lines_leaves_the_teams_without_relationships(org, tmp_path):
    import_file(org, tmp_path, d3_export(), "orgchart.csv", "--no-team-lines")
    assert TeamMembership.objects.filter(organization=org).count() == 20
    assert not Partnership.objects.filter(organization=org, name="Team stewardship").exists()


# --- columns: left out, ignored, none --------------------------------------------------------


def test_map_with_nothing_after_the_equals_sign_leaves_a_field_out(org, tmp_path):
    out = import_file(org, tmp_path, d3_export(), "orgchart.csv", "--map", "email=")
    assert "Warning" not in out
    assert len(people(org)) == 21


def test_ignore_leaves_a_column_unread(org, tmp_path):
    import_file(org, tmp_path, d3_export(), "orgchart.csv", "--ignore", "department_name")
    assert not Member.objects.filter(organization=org, kind="team").exists()


def test_a_file_without_reporting_lines_imports_when_told(org, tmp_path):
    data = b"id,name,title\n1,Ann Lee,Chief Executive\n2,Ben Ng,Office Manager\n3,Cy Do,Clerk\n"
    with pytest.raises(CommandError):
        import_file(org, tmp_path, data, "flat.csv")
    assert not Member.objects.filter(organization=org).exists()
    import_file(org, tmp_path, data, "flat.csv", "--no-reporting-lines")
    assert {ext: m.quadrant for ext, m in people(org).items()} == {"1": "L", "2": "M", "3": "E"}
    assert not chain(org)


# --- safety ---------------------------------------------------------------------------------


def six_people() -> bytes:
    return b"id,name,manager_id\n1,Ann,\n2,Ben,1\n3,Cat,1\n4,Dan,1\n5,Eve,1\n6,Fay,1\n"


def state(org):
    return (
        list(Member.objects.filter(organization=org).order_by("id").values()),
        list(Relationship.objects.filter(organization=org).order_by("id").values()),
        list(TeamMembership.objects.filter(organization=org).order_by("id").values()),
    )


def test_an_import_that_archives_more_than_a_tenth_is_refused_without_archive_missing(
    org, tmp_path
):
    import_file(org, tmp_path, d3_export(), "orgchart.csv")
    before = state(org)
    path = tmp_path / "six.csv"
    path.write_bytes(six_people())
    out = io.StringIO()
    with pytest.raises(CommandError, match="archives 21 of the 21 active people") as refused:
        call_command("import_org", org.slug, str(path), stdout=out)
    assert "--archive-missing" in str(refused.value) and "--partial" in str(refused.value)
    assert out.getvalue().startswith("This import archives 21 of the 21 active people")
    assert state(org) == before


def age(org, days: int = 30) -> None:
    """Pretend the organization was imported `days` ago."""
    then = org.today() - datetime.timedelta(days=days)
    Member.objects.filter(organization=org).update(active_from=then)
    Relationship.objects.filter(organization=org).update(starts_on=then)
    Partnership.objects.filter(organization=org).update(formed_on=then)
    Objective.objects.filter(organization=org).update(starts_on=then)


def test_archive_missing_archives_and_ends_seats_and_lines(org, tmp_path):
    import_file(org, tmp_path, d3_export(), "orgchart.csv")
    age(org)
    out = import_file(org, tmp_path, six_people(), "six.csv", "--archive-missing")
    assert "People: 6 new, 0 changed, 0 unchanged, 21 archived." in out
    today = org.today()
    assert not Member.objects.filter(organization=org, external_id="125").get().is_active_on(today)
    assert not TeamMembership.objects.filter(person__external_id="125").exists()
    open_lines = Relationship.objects.for_org(org).not_ended_by(today)
    assert not open_lines.filter(to_member__external_id="125").exists()
    assert not open_lines.filter(partnership__name="Team stewardship").exists()


def test_a_partial_file_adds_and_updates_and_archives_nobody(org, tmp_path):
    import_file(org, tmp_path, d3_export(), "orgchart.csv")
    data = b"id,parentId,name,lastName,position\n300,120,Ada,New,Stock Clerk\n125,120,Julia,Nayer,Senior Stock Clerk\n"
    out = import_file(org, tmp_path, data, "two.csv", "--partial")
    assert "People: 1 new, 1 changed, 0 unchanged, 0 archived." in out
    imported = people(org)
    assert all(m.active_until is None for m in imported.values())
    assert imported["125"].title == "Senior Stock Clerk"
    assert chain(org)[("120", "300")] == "influential"  # her manager was already there
    assert len(chain(org)) == 21


# --- refusals that name the problem ----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV file or a spreadsheet"),
        (b"PK\x03\x04 broken zip", "This file is a ZIP archive, as .xlsx and .ods"),
        (hris_xlsx()[:2000], "it is damaged (cut short?) and cannot be read"),
        (
            "\ufeffid,name,manager_id\n1,Ann\x00,\n".encode(),
            "Line 2: A NUL character is on this line",
        ),
    ],
    ids=["a picture", "a broken zip", "a truncated workbook", "a NUL in a name"],
)
def test_a_file_that_is_not_a_table_is_refused_as_such(org, tmp_path, data, message):
    PersonFactory(organization=org, external_id="keep")
    before = state(org)
    out = io.StringIO()
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError):
        call_command("import_org", org.slug, str(path), stdout=out)
    assert message in out.getvalue()
    assert "Latin-1" not in out.getvalue()
    assert out.getvalue().count("Line 2") <= 1
    assert state(org) == before


# --- the pages ------------------------------------------------------------------------------


def upload(client, data: bytes, name: str = "people.csv"):
    return client.post(
        "/org/import/", {"file": SimpleUploadedFile(name, data), "encoding": "utf-8"}
    )


def columns_as_recognised(client) -> dict:
    form = client.get("/org/import/columns/").context["form"]
    return {
        name: field.initial if field.initial is not None else ""
        for name, field in ((n, form[n]) for n in form.fields)
        if form[name].initial is not None and form[name].initial is not False
    } | {"team_lines": "on"}


def test_the_page_reads_a_workbook_and_offers_its_sheets(admin_client, org):
    assert upload(admin_client, hris_xlsx(), "hris.xlsx").status_code == 302
    page = admin_client.get("/org/import/columns/").content.decode()
    assert '<option value="People" selected>People</option>' in page  # the first with people
    response = admin_client.post("/org/import/columns/", {"sheet": "About"})
    assert response.status_code == 200
    assert "The sheet “About”: Line 2: The file has a header but no people." in (
        response.content.decode()
    )
    response = admin_client.post("/org/import/columns/", {"sheet": "People"})
    assert response.status_code == 302
    page = admin_client.get("/org/import/columns/").content.decode()
    assert "of the sheet “People”" in page and "Steven" in page
    response = admin_client.post("/org/import/columns/", columns_as_recognised(admin_client))
    assert response.status_code == 302
    preview = admin_client.get("/org/import/preview/").context["preview"]
    assert preview.people.new == 21


def test_the_page_refuses_a_file_without_a_manager_column_unless_told(admin_client, org):
    upload(admin_client, b"id,name,title\n1,Ann Lee,Chief Executive\n2,Ben Ng,Clerk\n")
    data = columns_as_recognised(admin_client)
    response = admin_client.post("/org/import/columns/", data)
    assert response.status_code == 200
    assert "or tick “This file has no reporting lines”" in response.content.decode()
    response = admin_client.post("/org/import/columns/", {**data, "no_reporting_lines": "on"})
    assert response.status_code == 302
    assert admin_client.get("/org/import/preview/").context["plan"].ok


def test_the_preview_leads_with_whom_it_archives_and_asks_for_the_number(admin_client, org):
    for i in range(1, 270):
        PersonFactory(organization=org, external_id=f"old-{i}", name=f"Old Timer {i}")
    upload(admin_client, six_people())
    admin_client.post("/org/import/columns/", columns_as_recognised(admin_client))
    response = admin_client.get("/org/import/preview/")
    page = response.content.decode()
    assert page.index("import-archive") < page.index("What changes")
    assert "269 of the 269 active people will be archived" in page
    assert "Old Timer 1 (old-1)" in page
    assert "Apply and archive 269 people" in page
    fingerprint = response.context["preview"].fingerprint()

    response = admin_client.post("/org/import/apply/", {"fingerprint": fingerprint})
    assert response.status_code == 200
    assert "Type 269, the number of people this import archives" in response.content.decode()
    response = admin_client.post(
        "/org/import/apply/", {"fingerprint": fingerprint, "archive_count": "26"}
    )
    assert "Type 269" in response.content.decode()
    assert Member.objects.filter(organization=org, active_until__isnull=True).count() == 269

    response = admin_client.post(
        "/org/import/apply/", {"fingerprint": fingerprint, "archive_count": "269"}
    )
    assert response.status_code == 302
    assert Member.objects.filter(organization=org, active_until__isnull=True).count() == 6


def test_the_page_imports_part_of_the_organization(admin_client, org):
    for i in range(1, 20):
        PersonFactory(organization=org, external_id=str(i), name=f"Person {i}")
    upload(admin_client, six_people())
    data = columns_as_recognised(admin_client) | {"partial": "on"}
    admin_client.post("/org/import/columns/", data)
    page = admin_client.get("/org/import/preview/").content.decode()
    assert "import-archive" not in page
    assert "archives nobody" in page


def test_people_and_teams_links_to_import_and_export_for_admins(admin_client, role_clients):
    page = admin_client.get("/org/members/").content.decode()
    assert 'href="/org/import/"' in page and 'href="/org/import/#export"' in page
    page = role_clients["leader"].get("/org/members/").content.decode()
    assert 'href="/org/import/"' not in page
