"""manage.py import_org: every problem refused by line and column, the database unchanged."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from org.models import Member, TeamMembership
from partnerships.models import Partnership, Relationship
from tests.factories import PersonFactory
from transfer import imports

GOOD = (
    "employee_id,name,title,email,manager_id",
    "1,Ada Boss,CEO,ada@acme.example,",
    "2,Bo Vice,VP,bo@acme.example,1",
)


def zip_of(**files: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


ZIP_NOT_A_SPREADSHEET = zip_of(**{"word/document.xml": "<w:document/>"})


def write(tmp_path, data: bytes | str, name: str = "people.csv"):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def import_org(*args) -> str:
    out = io.StringIO()
    call_command("import_org", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def state(org):
    return (
        list(Member.objects.filter(organization=org).order_by("id").values()),
        list(Relationship.objects.filter(organization=org).order_by("id").values()),
        list(Partnership.objects.filter(organization=org).values()),
        list(TeamMembership.objects.filter(organization=org).values()),
    )


# (file contents, extra arguments, code, line, column, words the message must hold)
PROBLEMS = {
    "wrong encoding": (
        "id,name,title\n1,Ann,Boss\n2,Zoë,Clerk\n".encode("latin-1"),
        [],
        "Line 3, column “name”",
        "not valid UTF-8",
    ),
    "missing column": (
        "name,title,manager\nAnn,Boss,\n",
        [],
        "Line 1, column “Employee id”",
        "employee id",
    ),
    "no manager column": (
        "id,name,title\n1,Ann,Boss\n2,Ben,Clerk\n",
        [],
        "Line 1, column “Manager's employee id”",
        "No column holds the manager, so nobody would report to anyone",
    ),
    "duplicate ids": (
        "id,name,manager\n1,Ann,\n1,Ben,\n",
        [],
        "Line 3, column “id”",
        "also on line 2",
    ),
    "unknown manager": (
        "id,name,boss_id\n1,Ann,\n2,Ben,7\n",
        ["--map", "manager_id=boss_id"],
        "Line 3, column “boss_id”",
        "not in the file",
    ),
    "manager in another organization": (
        "id,name,manager_email\n1,Ann,\n2,Ben,rival@globex.example\n",
        [],
        "Line 3, column “manager_email”",
        "member of another organization",
    ),
    "self-management": ("id,name,manager_id\n1,Ann,\n2,Ben,2\n", [], "Line 3", "own manager"),
    "loop": (
        "id,name,manager_id\n1,Ann,\n2,Ben,3\n3,Cat,2\n",
        [],
        "Line 3, column “manager_id”",
        "Ben (2) → Cat (3) → Ben (2)",
    ),
    "empty file": ("", [], "Line 1", "empty"),
    "header only": ("id,name,manager_id\n", [], "Line 2", "no people"),
    "formula-like name": (
        "id,name,manager_id\n1,=1+1,\n",
        [],
        "Line 2, column “name”",
        "formula",
    ),
    "UTF-16 without a byte-order mark, read as text": (
        "id,name,manager_id\n1,Ann,\n".encode("utf-16-le") + b"A",  # cut off mid-character
        [],
        "Error: The file starts as UTF-16",
        "CSV UTF-8",
    ),
    "a binary file": (
        b"%PDF-1.4\n\x00\x01\x02\x03 not a spreadsheet",
        [],
        "Error: This is not a CSV file or a spreadsheet we can read",
        "(.xlsx, .xls)",
    ),
    "a Word document": (
        ZIP_NOT_A_SPREADSHEET,
        [],
        "Error: This is a ZIP archive but not a spreadsheet",
        ".ods",
    ),
}


@pytest.mark.parametrize("problem", PROBLEMS)
def test_it_refuses_a_bad_file_by_line_and_column_and_changes_nothing(
    problem, org, other_org, tmp_path, capsys
):
    PersonFactory(organization=other_org, email="rival@globex.example")
    import_org(org.slug, write(tmp_path, "\n".join(GOOD)))
    before = state(org)
    data, extra, where, words = PROBLEMS[problem]
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_org", org.slug, str(write(tmp_path, data, "bad.csv")), *extra, stdout=out
        )
    errors = [line for line in out.getvalue().splitlines() if line.startswith("Error")]
    assert len(errors) == 1, errors
    assert where in errors[0]
    assert words in errors[0]
    assert state(org) == before


def test_it_refuses_an_oversized_file_saying_its_size(org, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "COMMAND_MAX_FILE_BYTES", 2 * 2**20)
    data = b"id,name,manager_id\n" + b"1,Ann,\n" * (3 * 2**20 // 7)
    with pytest.raises(CommandError, match=r"The file is 3\.0 MB; the limit is 2 MB"):
        import_org(org.slug, write(tmp_path, data))
    assert not Member.objects.filter(organization=org).exists()


def test_it_reads_a_file_larger_than_the_upload_page_takes(org, tmp_path):
    data = b"id,name,manager_id\n" + b"1,Ann,\n" * (6 * 2**20 // 7)
    assert imports.MAX_FILE_BYTES < len(data) < imports.COMMAND_MAX_FILE_BYTES
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):  # read, refused for its rows
        call_command("import_org", org.slug, str(write(tmp_path, data)), stdout=out)
    [error] = [line for line in out.getvalue().splitlines() if line.startswith("Error")]
    assert "more than 100,000 people; that is the limit for one import." in error
    assert not Member.objects.filter(organization=org).exists()


def people(count: int) -> str:
    """A CSV file of `count` people, each reporting to the first."""
    return "\n".join(
        ["id,name,manager_id", "1,Person 1,", *(f"{i},Person {i},1" for i in range(2, count + 1))]
    )


def test_the_command_takes_more_people_than_the_upload_page(
    org, admin_client, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    monkeypatch.setattr(imports, "COMMAND_MAX_ROWS", 10)
    seven = people(7)
    response = admin_client.post(
        "/org/import/",
        {"file": SimpleUploadedFile("people.csv", seven.encode(), "text/csv"), "encoding": "utf-8"},
    )
    assert response.status_code == 200
    [problem] = response.context["problems"]
    assert problem.code == "too_many_rows"
    assert "more than 5 people; that is the limit for an upload." in problem.message
    assert "and 10 people from the command line: manage.py import_org" in problem.message
    assert "org_import" not in admin_client.session
    assert not Member.objects.filter(organization=org).exists()

    out = import_org(org.slug, write(tmp_path, seven))
    assert "Imported into" in out
    assert Member.objects.filter(organization=org).count() == 7


def test_the_command_refuses_more_people_than_its_limit_and_writes_nothing(
    org, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "MAX_ROWS", 5)
    monkeypatch.setattr(imports, "COMMAND_MAX_ROWS", 10)
    import_org(org.slug, write(tmp_path, people(3)))
    before = state(org)
    out = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_org", org.slug, str(write(tmp_path, people(11))), stdout=out)
    errors = [line for line in out.getvalue().splitlines() if line.startswith("Error")]
    assert len(errors) == 1, errors
    assert "Line 12" in errors[0]
    assert "more than 10 people; that is the limit for one import." in errors[0]
    assert "command line" not in errors[0]
    assert state(org) == before


def test_it_imports_with_a_warning_about_several_roots(org, tmp_path):
    out = import_org(org.slug, write(tmp_path, "id,name,manager_id\n1,Ann,\n2,Ben,\n"))
    assert "Warning: 2 people have no manager" in out
    assert Member.objects.filter(organization=org).count() == 2


def test_a_dry_run_writes_nothing(org, tmp_path):
    out = import_org(org.slug, write(tmp_path, "\n".join(GOOD)), "--dry-run")
    assert "People: 2 new, 0 changed, 0 unchanged, 0 archived." in out
    assert "Dry run" in out
    assert not Member.objects.filter(organization=org).exists()


def test_it_reads_utf8_with_a_byte_order_mark(org, tmp_path):
    data = "\ufeffid,name,title,manager\n1,Zoë Müller,Geschäftsführerin,\n2,José Núñez,Jefe,1\n"
    import_org(org.slug, write(tmp_path, data.encode("utf-8")))
    names = set(Member.objects.filter(organization=org).values_list("external_id", "name"))
    assert names == {("1", "Zoë Müller"), ("2", "José Núñez")}


def test_it_reads_latin_1_when_told(org, tmp_path):
    data = "id,name,title,manager\n1,Zoë Müller,Geschäftsführerin,\n2,José Núñez,Jefe,1\n"
    path = write(tmp_path, data.encode("latin-1"))
    import_org(org.slug, path, "--encoding", "latin-1")
    assert Member.objects.get(external_id="1").title == "Geschäftsführerin"
    assert Member.objects.get(external_id="2").name == "José Núñez"


def test_it_refuses_an_unknown_organization(db, tmp_path):
    with pytest.raises(CommandError, match="No organization has the slug"):
        import_org("nope", write(tmp_path, "\n".join(GOOD)))


def test_it_refuses_a_malformed_map(org, tmp_path):
    with pytest.raises(CommandError, match="field=column"):
        import_org(org.slug, write(tmp_path, "\n".join(GOOD)), "--map", "employee_id")


# A third-party export: its own column names, ids as quoted strings with leading zeros, blank
# and literal NULL cells, a column we do not import, and no final newline. One root (the
# director) with a dozen direct reports; two of them lead people of their own.
THIRD_PARTY = "\r\n".join(
    [
        '"Worker ID","Legal Name","Business Title","Work Email","Supervisor ID","Cost Center","Phone"',
        '"000100","Rae Director","Director","rae@acme.example","NULL","Head Office","+1 555 0100"',
        *(
            f'"{100 + i:06d}","Report {i:02d}","{"Lead" if i in (1, 2) else "Analyst"}",'
            f'"{"NULL" if i == 5 else f"r{i}@acme.example"}","000100","{"" if i > 10 else "Ops"}",'
            '"NULL"'
            for i in range(1, 13)
        ),
        '"000201","Sam Staff","Clerk","","000101","Ops",""',
        '"000202","Tia Staff","Clerk","NULL","000101","NULL",""',
        '"000203","Uma Staff","Clerk","","000102","Ops",""',
    ]
)


def test_a_third_party_export_imports_through_map(org, tmp_path):
    path = write(tmp_path, THIRD_PARTY)
    out = import_org(
        org.slug,
        path,
        "--map",
        "id=Worker ID",
        "--map",
        "name=Legal Name",
        "--map",
        "title=Business Title",
        "--map",
        "email=Work Email",
        "--map",
        "manager_id=Supervisor ID",
        "--map",
        "department=Cost Center",
        "--leadership-levels",
        "0",
    )
    assert "People: 16 new, 0 changed, 0 unchanged, 0 archived." in out
    assert "Teams: 2 new" in out
    assert "Warning" not in out
    people = {m.external_id: m for m in Member.objects.filter(organization=org, kind="person")}
    assert len(people) == 16
    assert people["000100"].quadrant == "L"
    assert people["000101"].quadrant == "M"  # leads people of their own
    assert people["000103"].quadrant == "E"
    assert people["000105"].email == ""  # NULL
    assert people["000201"].email == ""  # blank
    tree = {
        (r.from_member.external_id, r.to_member.external_id): r.type
        for r in Relationship.objects.for_org(org)
        .filter(partnership__name="Chain of command")
        .with_members()
    }
    assert len(tree) == 15
    direct_reports = sorted(report for manager, report in tree if manager == "000100")
    assert direct_reports == [f"{100 + i:06d}" for i in range(1, 13)]
    assert tree[("000100", "000101")] == "direct"  # L → M
    assert tree[("000100", "000103")] == "guidance"  # L → E
    assert tree[("000101", "000201")] == "influential"  # M → E
    assert sorted(r for m, r in tree if m == "000101") == ["000201", "000202"]
    assert tree[("000102", "000203")] == "influential"
    assert "(1 direct" not in out and "Reporting lines in “Chain of command”: 15" in out
    teams = dict(
        Member.objects.filter(organization=org, kind="team").values_list("name", "quadrant")
    )
    assert teams == {"Head Office": "T", "Ops": "T"}
    assert TeamMembership.objects.filter(organization=org, team__name="Ops").count() == 12

    again = import_org(
        org.slug,
        path,
        "--map",
        "id=Worker ID",
        "--map",
        "name=Legal Name",
        "--map",
        "title=Business Title",
        "--map",
        "email=Work Email",
        "--map",
        "manager_id=Supervisor ID",
        "--map",
        "department=Cost Center",
        "--leadership-levels",
        "0",
    )
    assert "People: 0 new, 0 changed, 16 unchanged, 0 archived." in again
    assert "nothing changed" in again
