"""Reading, mapping and checking a CSV file: every problem named by line and column."""

from __future__ import annotations

import pytest

from transfer import imports
from transfer.imports import QuadrantRules, plan_import


def csv_bytes(*lines: str, final_newline: bool = True, encoding: str = "utf-8") -> bytes:
    text = "\n".join(lines) + ("\n" if final_newline else "")
    return text.encode(encoding)


def only_error(plan) -> imports.Problem:
    assert len(plan.errors) == 1, [str(p) for p in plan.errors]
    return plan.errors[0]


SMALL = (
    "employee_id,name,title,manager_id",
    "1,Ada Boss,CEO,",
    "2,Bo Vice,VP Sales,1",
    "3,Cy Lead,Sales Lead,2",
    "4,Di Rep,Sales Rep,3",
)


def test_it_reads_a_small_file():
    plan = plan_import(csv_bytes(*SMALL))
    assert plan.ok
    assert [p.name for p in plan.people] == ["Ada Boss", "Bo Vice", "Cy Lead", "Di Rep"]
    assert plan.managers == {"2": "1", "3": "2", "4": "3"}
    assert plan.quadrants == {"1": "L", "2": "L", "3": "M", "4": "E"}
    assert plan.lines == {("1", "2"): "direct", ("2", "3"): "direct", ("3", "4"): "influential"}
    assert plan.type_counts() == {"direct": 2, "influential": 1, "guidance": 0}


def test_it_strips_a_byte_order_mark():
    plan = plan_import(b"\xef\xbb\xbf" + csv_bytes(*SMALL))
    assert plan.ok
    assert plan.columns.headers[0] == "employee_id"
    assert len(plan.people) == 4


def test_it_reads_latin_1_when_told():
    data = csv_bytes("id,name,manager_id", "1,Zoë Müller,", "2,José Núñez,1", encoding="latin-1")
    plan = plan_import(data, encoding="latin-1")
    assert [p.name for p in plan.people] == ["Zoë Müller", "José Núñez"]
    assert not plan.warnings


def test_it_reports_the_wrong_encoding_by_line_and_column():
    data = csv_bytes("id,name,title", "1,Ann,Boss", "2,Zoë Müller,Clerk", encoding="latin-1")
    problem = only_error(plan_import(data, encoding="utf-8"))
    assert problem.code == "wrong_encoding"
    assert (problem.line, problem.column) == (3, "name")
    assert "Latin-1" in problem.message
    assert str(problem).startswith("Line 3, column “name”:")


def test_it_warns_when_a_utf8_file_is_read_as_latin_1():
    plan = plan_import(csv_bytes("id,name", "1,Zoë"), encoding="latin-1")
    assert "maybe_utf8" in {p.code for p in plan.warnings}


def test_it_recognises_common_hr_headers():
    data = csv_bytes(
        "Employee ID,First Name,Last Name,Job Title,Work Email,Supervisor ID,Department",
        "A1,Ada,Boss,CEO,ada@example.com,,Board",
        "A2,Bo,Vice,VP,bo@example.com,A1,Sales",
    )
    plan = plan_import(data)
    assert plan.ok, plan.errors
    assert plan.columns.as_mapping() == {
        "external_id": "Employee ID",
        "first_name": "First Name",
        "last_name": "Last Name",
        "title": "Job Title",
        "email": "Work Email",
        "manager_id": "Supervisor ID",
        "department": "Department",
    }
    assert plan.people[1].name == "Bo Vice"
    assert plan.managers == {"A2": "A1"}
    assert sorted(plan.teams.values()) == ["Board", "Sales"]


def test_it_follows_an_explicit_mapping_either_way_round():
    data = csv_bytes("Badge,Person,Boss", "7,Ann,", "8,Ben,7")
    plan = plan_import(data, mapping={"id": "Badge", "name": "Person", "Boss": "manager_id"})
    assert plan.ok, plan.errors
    assert plan.managers == {"8": "7"}


def test_it_reports_a_mapping_to_a_column_that_is_not_there():
    data = csv_bytes("Badge,Person,Boss", "7,Ann,")
    plan = plan_import(data, mapping={"id": "Badge", "name": "Nom", "manager": "Boss"})
    problem = only_error(plan)
    assert problem.code == "unknown_column"
    assert (problem.line, problem.column) == (1, "Nom")


def test_it_reports_a_missing_required_column():
    problem = only_error(plan_import(csv_bytes("name,title,manager", "Ann,Boss,")))
    assert problem.code == "missing_column"
    assert (problem.line, problem.column) == (1, "Employee id")
    assert "name, title, manager" in problem.message


def test_it_reports_a_missing_name_column():
    problem = only_error(plan_import(csv_bytes("id,title,manager_id", "1,Boss,")))
    assert (problem.code, problem.line, problem.column) == ("missing_column", 1, "Name")


def test_it_reports_duplicate_ids():
    data = csv_bytes("id,name,manager_id", "1,Ann,", "2,Ben,1", "1,Cat,1")
    problem = only_error(plan_import(data))
    assert problem.code == "duplicate_id"
    assert (problem.line, problem.column) == (4, "id")
    assert "also on line 2" in problem.message


def test_it_keeps_ids_as_strings():
    plan = plan_import(csv_bytes("id,name,manager_id", "007,Bond,", "7,Other,007"))
    assert plan.ok
    assert plan.managers == {"7": "007"}


def test_it_reports_an_unknown_manager():
    data = csv_bytes("id,name,manager_id", "1,Ann,", "2,Ben,99")
    problem = only_error(plan_import(data))
    assert problem.code == "unknown_manager"
    assert (problem.line, problem.column) == (3, "manager_id")
    assert "99" in problem.message


def test_it_finds_managers_by_email():
    data = csv_bytes(
        "id,name,email,manager_email",
        "1,Ann,ann@example.com,",
        "2,Ben,ben@example.com,ANN@example.com",
        "3,Cat,cat@example.com,nobody@example.com",
    )
    problem = only_error(plan_import(data))
    assert (problem.code, problem.line, problem.column) == ("unknown_manager", 4, "manager_email")


def test_it_reports_self_management():
    data = csv_bytes("id,name,manager_id", "1,Ann,", "2,Ben,2")
    problem = only_error(plan_import(data))
    assert problem.code == "self_managed"
    assert (problem.line, problem.column) == (3, "manager_id")


def test_it_names_a_loop_in_the_reporting_lines():
    data = csv_bytes("id,name,manager_id", "1,Ann,", "2,Ben,4", "3,Cat,2", "4,Dan,3", "5,Eve,1")
    problem = only_error(plan_import(data))
    assert problem.code == "reporting_loop"
    assert (problem.line, problem.column) == (3, "manager_id")
    assert "Ben (2) → Dan (4) → Cat (3) → Ben (2)" in problem.message


def test_it_warns_about_several_roots():
    data = csv_bytes("id,name,manager_id", "1,Ann,", "2,Ben,", "3,Cat,1")
    plan = plan_import(data)
    assert plan.ok
    [warning] = plan.warnings
    assert warning.code == "several_roots"
    assert "Ann (line 2), Ben (line 3)" in warning.message


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_it_reports_an_empty_file(data):
    problem = only_error(plan_import(data))
    assert (problem.code, problem.line) == ("empty_file", 1)


def test_it_reports_a_header_without_people():
    problem = only_error(plan_import(csv_bytes("id,name,manager_id")))
    assert (problem.code, problem.line) == ("empty_file", 2)


def test_it_refuses_an_oversized_file():
    data = csv_bytes("id,name") + b"x" * imports.MAX_FILE_BYTES
    problem = only_error(plan_import(data))
    assert problem.code == "file_too_large"
    assert "limit is 5 MB" in problem.message


def test_it_refuses_too_many_rows(monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    data = csv_bytes("id,name,manager_id", "1,A,", "2,B,1", "3,C,1", "4,D,1", "5,E,1")
    problem = only_error(plan_import(data))
    assert (problem.code, problem.line) == ("too_many_rows", 5)


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)"])
def test_it_refuses_formula_like_cells(cell):
    data = csv_bytes("id,name,title,manager_id", "1,Ann,Boss,", f'2,"{cell}",Clerk,1')
    problem = only_error(plan_import(data))
    assert problem.code == "formula_cell"
    assert (problem.line, problem.column) == (3, "name")


def test_it_ignores_formulas_in_columns_it_does_not_import():
    plan = plan_import(csv_bytes("id,name,phone,manager_id", "1,Ann,+44 20 7946 0000,"))
    assert plan.ok


def test_it_treats_blank_and_null_cells_as_empty():
    data = csv_bytes(
        "id,name,title,manager_id", "1,Ann,NULL,NULL", "2,Ben, ,1", final_newline=False
    )
    plan = plan_import(data)
    assert plan.ok
    assert [(p.title, p.manager_ref) for p in plan.people] == [("", ""), ("", "1")]


def test_it_reports_an_empty_id_and_an_empty_name():
    data = csv_bytes("id,first_name,last_name,manager_id", "1,Ann,Lee,", ",Ben,Ng,1", "3,NULL,,1")
    plan = plan_import(data)
    assert [(p.code, p.line, p.column) for p in plan.errors] == [
        ("missing_value", 3, "id"),
        ("missing_value", 4, "first_name"),
    ]


def test_it_reports_a_bad_email():
    plan = plan_import(csv_bytes("id,name,email,manager_id", "1,Ann,not-an-email,"))
    assert plan.ok
    [warning] = plan.warnings
    assert (warning.code, warning.line, warning.column) == ("bad_email", 2, "email")
    assert warning.message.startswith("1 value is not an email address (line 2;")
    assert plan.people[0].email == ""


def test_it_reports_unquoted_commas():
    problem = only_error(plan_import(csv_bytes("id,name,manager_id,title", "1,Lee, Ann,,Boss")))
    assert (problem.code, problem.line) == ("too_many_cells", 2)


def test_it_counts_lines_across_quoted_line_breaks():
    data = csv_bytes("id,name,title,manager_id", '1,Ann,"Chief\nExecutive",', "2,=1,Clerk,1")
    problem = only_error(plan_import(data))
    assert (problem.line, problem.column) == (4, "name")


def test_it_reads_semicolon_separated_files():
    plan = plan_import(csv_bytes("id;name;manager_id", "1;Ann;", "2;Ben;1"))
    assert plan.ok
    assert plan.managers == {"2": "1"}


def test_it_proposes_quadrants_by_rules():
    data = csv_bytes(*SMALL)
    top_only = plan_import(data, rules=QuadrantRules(leadership_titles=()))
    assert top_only.quadrants == {"1": "L", "2": "M", "3": "M", "4": "E"}
    assert top_only.type_counts() == {"direct": 2, "influential": 1, "guidance": 0}
    deep = plan_import(data, rules=QuadrantRules(leadership_levels=2, leadership_titles=()))
    assert deep.quadrants == {"1": "L", "2": "L", "3": "L", "4": "E"}
    assert deep.lines[("3", "4")] == "guidance"


def test_the_files_own_quadrants_win_over_the_proposal():
    data = csv_bytes(
        "id,name,manager_id,quadrant", "1,Ann,,", "2,Ben,1,Managers", "3,Cat,2,e", "4,Dan,1,"
    )
    plan = plan_import(data)
    assert plan.ok
    assert plan.quadrants == {"1": "L", "2": "M", "3": "E", "4": "E"}
    assert plan.quadrant_counts() == {"L": 1, "M": 1, "T": 0, "E": 2}
    assert plan.reasons["2"] == "the file's quadrant column"


def test_it_refuses_a_reporting_line_that_points_back_up():
    data = csv_bytes("id,name,manager_id,quadrant", "1,Ann,,", "2,Ben,1,E", "3,Cat,2,M")
    problem = only_error(plan_import(data))
    assert problem.code == "line_against_quadrants"
    assert (problem.line, problem.column) == (4, "quadrant")


def test_a_person_in_the_teams_quadrant_gets_the_proposal_with_a_warning():
    plan = plan_import(csv_bytes("id,name,quadrant,manager_id", "1,Ann,,", "2,Ben,T,1"))
    assert plan.ok
    [warning] = plan.warnings
    assert (warning.code, warning.line, warning.column) == ("bad_quadrant", 3, "quadrant")
    assert "Teams quadrant" in warning.message
    assert plan.quadrants == {"1": "L", "2": "E"}


def test_teams_come_from_the_chosen_column():
    data = csv_bytes(
        "id,name,manager_id,team,department",
        "1,Ann,,,Board",
        "2,Ben,1,Alpha;Beta,Sales",
        "3,Cat,2,Alpha,Sales",
    )
    by_team = plan_import(data)
    assert sorted(by_team.teams.values()) == ["Alpha", "Beta"]
    assert by_team.seats == {("team:alpha", "2"), ("team:beta", "2"), ("team:alpha", "3")}
    by_department = plan_import(data, rules=QuadrantRules(teams_from="department"))
    assert sorted(by_department.teams.values()) == ["Board", "Sales"]
    assert plan_import(data, rules=QuadrantRules(teams_from="none")).teams == {}
    assert by_team.quadrant_counts()["T"] == 2


def test_map_arguments_need_an_equals_sign():
    assert imports.parse_map_arguments(["id=Badge", " name = Full name "]) == {
        "id": "Badge",
        "name": "Full name",
    }
    with pytest.raises(ValueError, match="field=column"):
        imports.parse_map_arguments(["Badge"])


def test_an_optional_value_too_long_is_named_with_the_right_article():
    long_email = "a" * 250 + "@example.com"
    plan = plan_import(csv_bytes("id,name,email,manager_id", f"1,Ann,{long_email},"))

    [warning] = [p for p in plan.warnings if p.code == "too_long"]
    assert "longer than the 254 characters an email may have" in warning.message
