"""Reading an organization from an HR system's CSV export.

The pipeline, each step a plain function:

    read_table        bytes -> header and rows (encoding, size, CSV dialect, empty file)
    resolve_columns   the file's headers -> our fields (recognised names and --map)
    read_people       rows -> PersonRow (cleaning, required values, formula-like cells)
    check_reporting   who reports to whom (duplicates, unknown managers, self, loops, roots)
    propose_quadrants the reporting tree -> L, M or E for each person, under QuadrantRules
    plan_import       all of the above: an ImportPlan with every problem by line and column

Everything up to plan_import is pure: bytes in, plain data out, no database. preview_import
compares a plan with the organization's current members (a fixed number of queries, whatever
the size of the file) and says what applying it would change; transfer.services applies it.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower

from org.models import Member, Organization, Quadrant, TeamMembership
from org.spreadsheets import starts_formula
from partnerships.models import Partnership, Relationship, relationship_type_for
from partnerships.rules import CHAIN_OF_COMMAND

# --- limits and our fields -------------------------------------------------------------------

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
ENCODINGS = {
    "utf-8": "UTF-8 (with or without a byte-order mark)",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "windows-1252": "Windows-1252 (Western European, Excel on Windows)",
}
TEAM_ID_PREFIX = "team:"

FIELDS: dict[str, str] = {
    "external_id": "Employee id",
    "name": "Name",
    "first_name": "First name",
    "last_name": "Last name",
    "title": "Title",
    "email": "Email",
    "manager_id": "Manager's employee id",
    "manager_email": "Manager's email",
    "team": "Team",
    "department": "Department",
    "quadrant": "Quadrant",
}

# Header names that HR systems commonly use, normalised by _normalise_header.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": (
        "external_id",
        "employee_id",
        "employee_number",
        "employee_no",
        "employee_num",
        "emp_id",
        "emp_no",
        "empno",
        "id",
        "person_id",
        "staff_id",
        "staff_number",
        "worker_id",
    ),
    "name": ("name", "full_name", "fullname", "employee_name", "display_name", "person_name"),
    "first_name": ("first_name", "firstname", "given_name", "forename"),
    "last_name": ("last_name", "lastname", "surname", "family_name"),
    "title": ("title", "job_title", "jobtitle", "position", "position_title", "role"),
    "email": ("email", "work_email", "email_address", "e_mail", "mail", "work_email_address"),
    "manager_id": (
        "manager_id",
        "manager_external_id",
        "manager_employee_id",
        "manager_emp_no",
        "managerid",
        "supervisor_id",
        "supervisor_employee_id",
        "reports_to",
        "reports_to_id",
        "line_manager_id",
    ),
    "manager_email": (
        "manager_email",
        "manager_work_email",
        "supervisor_email",
        "reports_to_email",
        "line_manager_email",
    ),
    "team": ("team", "team_name", "teams", "squad"),
    "department": ("department", "dept", "department_name", "division"),
    "quadrant": ("quadrant",),
}
# Short names accepted on the left of --map, besides the field names themselves.
FIELD_SHORT_NAMES = {"id": "external_id", "manager": "manager_id", "ext_id": "external_id"}

QUADRANT_SPELLINGS = {
    "l": Quadrant.LEADERSHIP,
    "leadership": Quadrant.LEADERSHIP,
    "leader": Quadrant.LEADERSHIP,
    "m": Quadrant.MANAGERS,
    "managers": Quadrant.MANAGERS,
    "manager": Quadrant.MANAGERS,
    "management": Quadrant.MANAGERS,
    "e": Quadrant.EMPLOYEES,
    "employees": Quadrant.EMPLOYEES,
    "employee": Quadrant.EMPLOYEES,
}
EMPTY_CELLS = {"", "NULL"}
MAX_LENGTHS = {"external_id": 100, "name": 200, "title": 200, "email": 254, "team": 200}


def _normalise_header(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")


def team_external_id(name: str) -> str:
    """The external id of a team that an import makes from a team or department name."""
    key = name.strip().casefold()
    if len(TEAM_ID_PREFIX) + len(key) > MAX_LENGTHS["external_id"]:
        key = hashlib.sha1(key.encode()).hexdigest()
    return TEAM_ID_PREFIX + key


# --- problems ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file, named by line (1 is the header) and column."""

    message: str
    code: str
    line: int | None = None
    column: str | None = None
    severity: Literal["error", "warning"] = "error"
    ref: str = ""  # the value at fault, where a later step may refine the message

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def where(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column “{self.column}”")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where
        return f"{where[:1].upper()}{where[1:]}: {self.message}" if where else self.message


def _error(message: str, code: str, line: int | None = None, column: str | None = None, **kw):
    return Problem(message=message, code=code, line=line, column=column, **kw)


def _warning(message: str, code: str, line: int | None = None, column: str | None = None):
    return Problem(message=message, code=code, line=line, column=column, severity="warning")


# --- reading the file --------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    encoding: str


def decode(data: bytes, encoding: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or a problem naming where the bytes stop making sense."""
    if encoding not in ENCODINGS:
        return None, [_error(f"Unknown encoding {encoding!r}.", "unknown_encoding")]
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        return None, [_decoding_problem(data, exc, encoding)]
    if "\x00" in text:  # no text may hold it (PostgreSQL refuses it); binary files do
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [
            _error(
                f"Line {line} holds a NUL character, which no name or title may contain. Is "
                "this a spreadsheet or a UTF-16 file? Save it as “CSV UTF-8” and upload that.",
                "nul_character",
                line=line,
            )
        ]
    problems = []
    if encoding != "utf-8" and _looks_like_utf8(data):
        problems.append(
            _warning(
                f"This file reads as {ENCODINGS[encoding]}, but it looks like UTF-8: accents "
                "may come out garbled (Ã© instead of é). Choose UTF-8 if they do.",
                "maybe_utf8",
            )
        )
    return text, problems


def _looks_like_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decoding_problem(data: bytes, exc: UnicodeDecodeError, encoding: str) -> Problem:
    offset = exc.start + (3 if encoding == "utf-8" and data.startswith(b"\xef\xbb\xbf") else 0)
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    raw_line = data[start : end if end != -1 else len(data)]
    column = None
    header_end = data.find(b"\n")
    header = data[: header_end if header_end != -1 else len(data)]
    try:
        cells = next(csv.reader([raw_line.decode("utf-8", errors="replace")]))
        headers = next(csv.reader([header.decode("utf-8-sig", errors="replace")]))
        for index, cell in enumerate(cells):
            if "\ufffd" in cell:
                column = headers[index].strip() if index < len(headers) else f"#{index + 1}"
                break
    except (csv.Error, StopIteration):
        pass
    byte = data[exc.start : exc.start + 1].hex().upper()
    return _error(
        f"The file is not valid {ENCODINGS[encoding]}: byte 0x{byte} cannot be read. "
        "If it was saved as Latin-1 or Windows-1252 (older Excel), choose that encoding.",
        "wrong_encoding",
        line=line,
        column=column,
    )


def read_table(data: bytes, *, encoding: str = "utf-8") -> tuple[Table | None, list[Problem]]:
    """Decode and split the file into a header and rows; blank lines are skipped."""
    if len(data) > MAX_FILE_BYTES:
        return None, [
            _error(
                f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB ({MAX_ROWS:,} people). "
                "Split it, or leave out columns you do not import.",
                "file_too_large",
            )
        ]
    text, problems = decode(data, encoding)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [_error("The file is empty.", "empty_file", line=1)]
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if headers is None:
                    headers = [cell.strip() for cell in cells]
                else:
                    rows.append((line, cells))
                    if len(rows) > MAX_ROWS:
                        return None, [
                            *problems,
                            _error(
                                f"The file has more than {MAX_ROWS:,} people; that is the "
                                "limit for one import.",
                                "too_many_rows",
                                line=line,
                            ),
                        ]
            line = reader.line_num + 1
    except csv.Error as exc:
        return None, [
            *problems,
            _error(f"This is not a readable CSV file ({exc}).", "bad_csv", line),
        ]
    if headers is None:
        return None, [_error("The file is empty.", "empty_file", line=1)]
    if not rows:
        problems.append(_error("The file has a header but no people.", "empty_file", line=2))
    return Table(headers=headers, rows=rows, encoding=encoding), problems


# --- columns -----------------------------------------------------------------------------------


@dataclass
class Columns:
    """Which of the file's columns holds each of our fields (by position)."""

    headers: list[str]
    index: dict[str, int]

    def header(self, name: str) -> str:
        return self.headers[self.index[name]] if name in self.index else FIELDS[name]

    def as_mapping(self) -> dict[str, str]:
        return {name: self.headers[i] for name, i in self.index.items()}


def parse_map_arguments(items: Iterable[str]) -> dict[str, str]:
    """`id=employee_id` pairs from the command line: our field on the left, their column on the
    right (the other way round is understood too, when the left side is not one of ours)."""
    mapping = {}
    for item in items:
        left, sep, right = item.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise ValueError(f"--map takes field=column, e.g. id=employee_id; got {item!r}")
        mapping[left.strip()] = right.strip()
    return mapping


def _field_name(text: str) -> str | None:
    key = _normalise_header(text)
    key = FIELD_SHORT_NAMES.get(key, key)
    return key if key in FIELDS else None


def resolve_columns(
    headers: list[str], mapping: Mapping[str, str] | None = None, *, recognise: bool = True
) -> tuple[Columns, list[Problem]]:
    """Our fields from the explicit mapping first, then from recognised header names."""
    problems: list[Problem] = []
    by_header: dict[str, int] = {}
    for i, header in enumerate(headers):
        by_header.setdefault(header.strip().casefold(), i)
        by_header.setdefault(_normalise_header(header), i)
    index: dict[str, int] = {}
    refused: set[str] = set()  # fields the mapping names a missing column for
    for left, right in (mapping or {}).items():
        if not right:
            continue
        name, column = _field_name(left), right
        if name is None and _field_name(right) is not None:
            name, column = _field_name(right), left
        if name is None:
            problems.append(
                _error(
                    f"“{left}” is not one of our fields ({', '.join(FIELDS)}).",
                    "unknown_field",
                    line=1,
                )
            )
            continue
        found = by_header.get(column.strip().casefold(), by_header.get(_normalise_header(column)))
        if found is None:
            refused.add(name)
            problems.append(
                _error(
                    f"The mapping names a column “{column}” that is not in the file; its "
                    f"columns are: {', '.join(headers)}.",
                    "unknown_column",
                    line=1,
                    column=column,
                )
            )
            continue
        index[name] = found
    if recognise:
        taken = set(index.values())
        for name, aliases in HEADER_ALIASES.items():
            if name in index or (mapping and name in {_field_name(k) for k in mapping}):
                continue
            for alias in aliases:
                found = by_header.get(alias)
                if found is not None and found not in taken:
                    index[name] = found
                    taken.add(found)
                    break
    columns = Columns(headers=headers, index=index)
    if "external_id" not in index | dict.fromkeys(refused):
        problems.append(
            _error(
                "No column holds the employee id. Map one, e.g. id=<column>; the file's "
                f"columns are: {', '.join(headers)}.",
                "missing_column",
                line=1,
                column=FIELDS["external_id"],
            )
        )
    if not {"name", "first_name", "last_name"} & (index.keys() | refused):
        problems.append(
            _error(
                "No column holds the name (or first and last name). Map one, e.g. "
                f"name=<column>; the file's columns are: {', '.join(headers)}.",
                "missing_column",
                line=1,
                column=FIELDS["name"],
            )
        )
    return columns, problems


# --- people ------------------------------------------------------------------------------------


@dataclass(slots=True)
class PersonRow:
    line: int
    external_id: str
    name: str
    title: str = ""
    email: str = ""
    manager_ref: str = ""  # the manager's id or email as written in the file
    manager_ref_field: str = ""  # "manager_id" or "manager_email"
    teams: tuple[str, ...] = ()
    quadrant: str = ""  # as given in the file; "" when the file does not say


def _clean(cell: str) -> str:
    value = cell.strip()
    return "" if value in EMPTY_CELLS else value


def read_people(
    table: Table, columns: Columns, *, teams_from: Iterable[str] = ()
) -> tuple[list[PersonRow], list[Problem]]:
    """One PersonRow per data row, with every cell-level problem."""
    problems: list[Problem] = []
    people: list[PersonRow] = []
    index = columns.index
    width = len(table.headers)
    team_fields = [f for f in teams_from if f in index]
    for line, cells in table.rows:
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(
                _error(
                    f"This line has {len(cells)} cells but the header has {width}; a value with "
                    "a comma in it may be missing its quotes.",
                    "too_many_cells",
                    line=line,
                )
            )
            continue
        values: dict[str, str] = {}
        bad = False
        for name, i in index.items():
            raw = cells[i] if i < len(cells) else ""
            value = _clean(raw)
            if starts_formula(value) or starts_formula(raw):
                problems.append(
                    _error(
                        f"“{value[:40]}” starts with “{value[:1] or 'a tab'}”, which spreadsheets "
                        "run as a formula. Remove that character, or the cell, and upload again.",
                        "formula_cell",
                        line=line,
                        column=columns.header(name),
                    )
                )
                bad = True
                continue
            limit = MAX_LENGTHS.get(name)
            if limit and len(value) > limit:
                problems.append(
                    _error(
                        f"This value is {len(value)} characters long; the limit is {limit}.",
                        "too_long",
                        line=line,
                        column=columns.header(name),
                    )
                )
                bad = True
                continue
            values[name] = value
        name = values.get("name") or " ".join(
            part for part in (values.get("first_name", ""), values.get("last_name", "")) if part
        )
        external_id = values.get("external_id", "")
        if not external_id and "external_id" in index:
            problems.append(
                _error(
                    "The employee id is empty.",
                    "missing_value",
                    line=line,
                    column=columns.header("external_id"),
                )
            )
            bad = True
        if not name:
            name_field = next(f for f in ("name", "first_name", "last_name") if f in index)
            problems.append(
                _error("The name is empty.", "missing_value", line, columns.header(name_field))
            )
            bad = True
        elif len(name) > MAX_LENGTHS["name"]:
            problems.append(
                _error(
                    f"The name is {len(name)} characters long; the limit is 200.",
                    "too_long",
                    line,
                    columns.header("name" if "name" in index else "last_name"),
                )
            )
            bad = True
        email = values.get("email", "")
        if email and not _is_email(email):
            problems.append(
                _error(
                    f"“{email}” is not an email address.",
                    "bad_email",
                    line,
                    columns.header("email"),
                )
            )
            bad = True
        quadrant = values.get("quadrant", "")
        if quadrant:
            word = quadrant.casefold()
            if word in ("t", "team", "teams"):
                problems.append(
                    _error(
                        "People sit in Leadership, Managers or Employees; the Teams quadrant "
                        "holds the teams, which come from the team or department column.",
                        "bad_quadrant",
                        line,
                        columns.header("quadrant"),
                    )
                )
                bad = True
            elif word not in QUADRANT_SPELLINGS:
                problems.append(
                    _error(
                        f"“{quadrant}” is not a quadrant; use L, M or E (or Leadership, "
                        "Managers, Employees), or leave it empty for the proposal.",
                        "bad_quadrant",
                        line,
                        columns.header("quadrant"),
                    )
                )
                bad = True
            else:
                quadrant = QUADRANT_SPELLINGS[word].value
        manager_ref, manager_field = "", ""
        if values.get("manager_id"):
            manager_ref, manager_field = values["manager_id"], "manager_id"
        elif values.get("manager_email"):
            manager_ref, manager_field = values["manager_email"], "manager_email"
        teams: list[str] = []
        for team_field in team_fields:
            for team in values.get(team_field, "").split(";"):
                team = team.strip()
                if team and team not in teams:
                    teams.append(team)
        if bad:
            continue
        people.append(
            PersonRow(
                line=line,
                external_id=external_id,
                name=name,
                title=values.get("title", ""),
                email=email,
                manager_ref=manager_ref,
                manager_ref_field=manager_field,
                teams=tuple(teams),
                quadrant=quadrant,
            )
        )
    return people, problems


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


# --- reporting lines -----------------------------------------------------------------------------


def check_reporting(
    people: list[PersonRow], columns: Columns
) -> tuple[dict[str, str], list[Problem]]:
    """Each person's manager (external id -> external id), and every problem with the lines."""
    problems: list[Problem] = []
    by_id: dict[str, PersonRow] = {}
    for person in people:
        first = by_id.get(person.external_id)
        if first is not None:
            problems.append(
                _error(
                    f"The employee id {person.external_id} is also on line {first.line} "
                    f"({first.name}); each person needs an id of their own.",
                    "duplicate_id",
                    person.line,
                    columns.header("external_id"),
                )
            )
            continue
        by_id[person.external_id] = person
    by_email: dict[str, list[PersonRow]] = defaultdict(list)
    for person in by_id.values():
        if person.email:
            by_email[person.email.casefold()].append(person)

    managers: dict[str, str] = {}
    for person in by_id.values():
        if not person.manager_ref:
            continue
        column = columns.header(person.manager_ref_field)
        if person.manager_ref_field == "manager_email":
            matches = by_email.get(person.manager_ref.casefold(), [])
            if len(matches) > 1:
                lines = ", ".join(str(p.line) for p in matches)
                problems.append(
                    _error(
                        f"Several people have the email {person.manager_ref} (lines {lines}); "
                        "the manager is ambiguous.",
                        "ambiguous_manager",
                        person.line,
                        column,
                    )
                )
                continue
            manager = matches[0] if matches else None
        else:
            manager = by_id.get(person.manager_ref)
        if manager is None:
            problems.append(
                _error(
                    f"The manager {person.manager_ref} is not in the file. Every manager must be "
                    "a person in the same file (an export of the whole organization).",
                    "unknown_manager",
                    person.line,
                    column,
                    ref=person.manager_ref,
                )
            )
            continue
        if manager is person:
            problems.append(
                _error(
                    f"{person.name} is named as their own manager.",
                    "self_managed",
                    person.line,
                    column,
                )
            )
            continue
        managers[person.external_id] = manager.external_id

    problems.extend(_loop_problems(managers, by_id, columns))
    if not any(p.is_error for p in problems):
        roots = [p for p in by_id.values() if p.external_id not in managers]
        if len(roots) > 1:
            shown = ", ".join(f"{p.name} (line {p.line})" for p in roots[:5])
            more = f" and {len(roots) - 5} more" if len(roots) > 5 else ""
            problems.append(
                _warning(
                    f"{len(roots)} people have no manager: {shown}{more}. Each becomes the top "
                    "of a reporting tree of their own.",
                    "several_roots",
                )
            )
    return managers, problems


def _loop_problems(
    managers: dict[str, str], by_id: dict[str, PersonRow], columns: Columns
) -> list[Problem]:
    graph = nx.DiGraph(managers.items())  # person -> their manager
    problems = []
    for cycle in nx.simple_cycles(graph):
        first = min(cycle, key=lambda ext: by_id[ext].line)
        start = cycle.index(first)
        ordered = cycle[start:] + cycle[:start] + [first]
        names = " → ".join(f"{by_id[ext].name} ({ext})" for ext in ordered)
        problems.append(
            _error(
                f"The reporting lines go round in a loop, each reporting to the next: {names}.",
                "reporting_loop",
                by_id[first].line,
                columns.header(by_id[first].manager_ref_field),
            )
        )
    return sorted(problems, key=lambda p: p.line or 0)


# --- quadrants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuadrantRules:
    """How to propose quadrants from the reporting tree, when the file does not give them.

    The top of each tree and the people up to `leadership_levels` levels below it are
    leadership; below that, people with reports are managers and the others employees.
    Team (and/or department) names become teams in the Teams quadrant, with the people on them.
    """

    leadership_levels: int = 1
    teams_from: Literal["auto", "team", "department", "both", "none"] = "auto"

    def team_fields(self, columns: Columns) -> list[str]:
        if self.teams_from == "auto":
            return ["team"] if "team" in columns.index else ["department"]
        if self.teams_from == "both":
            return ["team", "department"]
        return [] if self.teams_from == "none" else [self.teams_from]


def propose_quadrants(
    people: list[PersonRow], managers: dict[str, str], rules: QuadrantRules
) -> dict[str, str]:
    """L, M or E for every person: the file's own quadrant where given, else the proposal."""
    reports: dict[str, list[str]] = defaultdict(list)
    for person, manager in managers.items():
        reports[manager].append(person)
    depth: dict[str, int] = {}
    frontier = [p.external_id for p in people if p.external_id not in managers]
    level = 0
    while frontier:
        for ext in frontier:
            depth[ext] = level
        frontier = [child for ext in frontier for child in reports.get(ext, ())]
        level += 1
    quadrants = {}
    for person in people:
        ext = person.external_id
        if person.quadrant:
            quadrants[ext] = person.quadrant
        elif depth.get(ext, 0) <= rules.leadership_levels:
            quadrants[ext] = Quadrant.LEADERSHIP.value
        elif ext in reports:
            quadrants[ext] = Quadrant.MANAGERS.value
        else:
            quadrants[ext] = Quadrant.EMPLOYEES.value
    return quadrants


# --- the plan ----------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """What the file says the organization is, and everything wrong with it."""

    problems: list[Problem]
    columns: Columns | None = None
    people: list[PersonRow] = field(default_factory=list)
    managers: dict[str, str] = field(default_factory=dict)  # report ext -> manager ext
    quadrants: dict[str, str] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)  # team external id -> name
    seats: set[tuple[str, str]] = field(default_factory=set)  # (team ext, person ext)
    lines: dict[tuple[str, str], str] = field(default_factory=dict)  # (manager, report) -> type
    rules: QuadrantRules = field(default_factory=QuadrantRules)
    digest: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def quadrant_counts(self) -> dict[str, int]:
        counts = Counter(self.quadrants.values())
        counts[Quadrant.TEAMS.value] = len(self.teams)
        return {q.value: counts.get(q.value, 0) for q in Quadrant}

    def type_counts(self) -> dict[str, int]:
        counts = Counter(self.lines.values())
        return {t: counts.get(t, 0) for t in ("direct", "influential", "guidance")}


def plan_digest(data: bytes, encoding: str, mapping: Mapping[str, str] | None, rules) -> str:
    """Fingerprint of the inputs of a plan: the apply step checks it is applying what was shown."""
    payload = json.dumps(
        [encoding, sorted((mapping or {}).items()), rules.leadership_levels, rules.teams_from]
    ).encode()
    return hashlib.sha256(hashlib.sha256(data).digest() + payload).hexdigest()


def plan_import(
    data: bytes,
    *,
    encoding: str = "utf-8",
    mapping: Mapping[str, str] | None = None,
    recognise: bool = True,
    rules: QuadrantRules | None = None,
) -> ImportPlan:
    """Read, map and check the whole file; propose quadrants and the reporting relationships."""
    rules = rules or QuadrantRules()
    digest = plan_digest(data, encoding, mapping, rules)
    table, problems = read_table(data, encoding=encoding)
    if table is None:
        return ImportPlan(problems=problems, rules=rules, digest=digest)
    columns, column_problems = resolve_columns(table.headers, mapping, recognise=recognise)
    problems += column_problems
    if any(p.is_error for p in problems):
        return ImportPlan(problems=problems, columns=columns, rules=rules, digest=digest)
    people, row_problems = read_people(table, columns, teams_from=rules.team_fields(columns))
    managers, line_problems = check_reporting(people, columns)
    problems += row_problems + line_problems
    plan = ImportPlan(
        problems=problems,
        columns=columns,
        people=people,
        managers=managers,
        rules=rules,
        digest=digest,
    )
    if not plan.ok:
        return plan
    plan.quadrants = propose_quadrants(people, managers, rules)
    by_id = {p.external_id: p for p in people}
    for person in people:
        for team in person.teams:
            team_id = team_external_id(team)
            plan.teams.setdefault(team_id, team)
            plan.seats.add((team_id, person.external_id))
    for report, manager in managers.items():
        kind = relationship_type_for(plan.quadrants[manager], plan.quadrants[report])
        if kind is None:
            row = by_id[report]
            names = {q.value: q.label for q in Quadrant}
            problems.append(
                _error(
                    f"{row.name} ({names[plan.quadrants[report]]}) reports to "
                    f"{by_id[manager].name} ({names[plan.quadrants[manager]]}): a reporting line "
                    "cannot point back up the diagram. Correct either quadrant.",
                    "line_against_quadrants",
                    row.line,
                    columns.header("quadrant"),
                )
            )
            continue
        plan.lines[(manager, report)] = kind
    return plan


# --- the preview: the plan against the organization as it is -----------------------------------


@dataclass
class Counts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    archived: int = 0


@dataclass
class CurrentMember:
    id: int
    kind: str
    name: str
    title: str
    email: str
    quadrant: str
    active_from: datetime.date
    active_until: datetime.date | None


@dataclass(frozen=True)
class CurrentRelationship:
    id: int
    partnership_id: int
    partnership_name: str
    from_id: int
    to_id: int
    from_name: str
    to_name: str
    from_quadrant: str
    to_quadrant: str
    type: str
    starts_on: datetime.date


@dataclass
class Preview:
    """What applying a plan would do, counted and itemised for the service that applies it.

    Members are matched by external id. People in the organization with an external id that
    the file no longer has are archived as of today (dated, never deleted), unless they already
    have an end date; people and teams without an
    external id were added by hand and are left alone, and so are teams not made by an import.
    Reporting lines live in the "Chain of command" partnership, which the import keeps.
    """

    plan: ImportPlan
    today: datetime.date
    people: Counts = field(default_factory=Counts)
    teams: Counts = field(default_factory=Counts)
    current: dict[str, CurrentMember] = field(default_factory=dict)
    to_create: list[str] = field(default_factory=list)  # external ids (people and teams)
    to_update: list[str] = field(default_factory=list)
    to_archive: list[int] = field(default_factory=list)  # member ids
    moves: list[tuple[int, str, str]] = field(default_factory=list)  # (member id, from, to)
    seats_to_add: set[tuple[str, str]] = field(default_factory=set)  # (team ext, person ext)
    seats_to_remove: list[int] = field(default_factory=list)  # TeamMembership ids
    chain_id: int | None = None  # the Chain of command partnership, when there is one
    lines_to_add: list[tuple[str, str, str]] = field(default_factory=list)  # (mgr, report, type)
    lines_kept: int = 0
    relationships_to_end: list[int] = field(default_factory=list)  # ended as of today
    relationships_to_delete: list[int] = field(default_factory=list)  # started today: undone
    # Relationships in force whose members move, with the quadrants they take: (id, from, to).
    relationships_to_requadrant: list[tuple[int, str, str]] = field(default_factory=list)
    ended_elsewhere: list[str] = field(default_factory=list)  # other partnerships, readable
    changes: list[str] = field(default_factory=list)  # a readable sample of the changes
    archived_names: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.plan.ok

    @property
    def problems(self) -> list[Problem]:
        return self.plan.problems

    @property
    def errors(self) -> list[Problem]:
        return self.plan.errors

    @property
    def warnings(self) -> list[Problem]:
        return self.plan.warnings

    @property
    def lines_ended(self) -> int:
        return (
            len(self.relationships_to_end)
            + len(self.relationships_to_delete)
            - len(self.ended_elsewhere)
        )

    @property
    def has_changes(self) -> bool:
        return bool(
            self.to_create
            or self.to_update
            or self.to_archive
            or self.seats_to_add
            or self.seats_to_remove
            or self.lines_to_add
            or self.relationships_to_end
            or self.relationships_to_delete
        )

    def fingerprint(self) -> str:
        """Changes when the file, the rules or the organization's state that matters changes."""
        state = [
            self.plan.digest,
            sorted(self.to_create),
            sorted(self.to_update),
            sorted(self.to_archive),
            sorted(self.seats_to_add),
            sorted(self.seats_to_remove),
            sorted(self.lines_to_add),
            sorted(self.relationships_to_end),
            sorted(self.relationships_to_delete),
        ]
        return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


SAMPLE_SIZE = 50


def preview_import(organization: Organization, plan: ImportPlan) -> Preview:
    """Compare the plan with the organization as it is today: what applying it would change.

    Reads in a fixed number of queries whatever the size of the file: the members, the team
    seats, the Chain of command partnership, and the relationships in force.
    """
    today = organization.today()
    preview = Preview(plan=plan, today=today)
    _refine_unknown_managers(organization, plan)
    if not plan.ok:
        return preview
    preview.current = current = {
        row[0]: CurrentMember(*row[1:])
        for row in Member.objects.for_org(organization)
        .exclude(external_id="")
        .values_list(
            "external_id",
            "id",
            "kind",
            "name",
            "title",
            "email",
            "quadrant",
            "active_from",
            "active_until",
        )
    }
    ext_of = {member.id: ext for ext, member in current.items()}
    chain = (
        Partnership.objects.for_org(organization)
        .filter(name=CHAIN_OF_COMMAND, dissolved_on__isnull=True)
        .order_by("formed_on", "id")
        .values_list("id", flat=True)
        .first()
    )
    preview.chain_id = chain
    in_force = [
        CurrentRelationship(*row)
        for row in Relationship.objects.for_org(organization)
        .not_ended_by(today)
        .order_by("id")
        .values_list(
            "id",
            "partnership_id",
            "partnership__name",
            "from_member_id",
            "to_member_id",
            "from_member__name",
            "to_member__name",
            "from_quadrant",
            "to_quadrant",
            "type",
            "starts_on",
        )
    ]
    chain_now: dict[tuple[str, str], CurrentRelationship] = {}
    others: list[CurrentRelationship] = []
    for relationship in in_force:
        if relationship.partnership_id == chain:
            key = (
                ext_of.get(relationship.from_id, f"#{relationship.from_id}"),
                ext_of.get(relationship.to_id, f"#{relationship.to_id}"),
            )
            chain_now[key] = relationship
        else:
            others.append(relationship)
    _compare_members(preview, organization, {report: manager for manager, report in chain_now})
    if plan.ok:
        _compare_relationships(preview, chain_now, others, ext_of)
    return preview


def _compare_members(
    preview: Preview, organization: Organization, managers_now: dict[str, str]
) -> None:
    plan, today, current = preview.plan, preview.today, preview.current
    names = {p.external_id: p.name for p in plan.people}
    seats: dict[tuple[str, str], int] = {
        (team, person): pk
        for pk, team, person in TeamMembership.objects.filter(
            organization=organization, team__external_id__startswith=TEAM_ID_PREFIX
        )
        .exclude(person__external_id="")
        .values_list("id", "team__external_id", "person__external_id")
    }
    seats_by_person: dict[str, set[str]] = defaultdict(set)
    for team, person in seats:
        seats_by_person[person].add(team)
    wanted_by_person: dict[str, set[str]] = defaultdict(set)
    for team, person in plan.seats:
        wanted_by_person[person].add(team)

    def archived(member: CurrentMember) -> bool:
        return member.active_until is not None and member.active_until <= today

    for person in plan.people:
        ext = person.external_id
        member = current.get(ext)
        if member is not None and member.kind != Member.Kind.PERSON:
            plan.problems.append(
                _error(
                    f"The employee id {ext} belongs to the team {member.name} in this "
                    "organization; give the person another id, or the team.",
                    "id_taken_by_team",
                    person.line,
                    plan.columns.header("external_id"),
                )
            )
            continue
        if member is None:
            preview.people.new += 1
            preview.to_create.append(ext)
            continue
        differences = []
        wanted = {
            "name": person.name,
            "title": person.title,
            "email": person.email,
            "quadrant": plan.quadrants[ext],
        }
        for attr, value in wanted.items():
            if getattr(member, attr) != value:
                differences.append(f"{attr} {getattr(member, attr) or '—'} → {value or '—'}")
        if member.quadrant != plan.quadrants[ext]:
            preview.moves.append((member.id, member.quadrant, plan.quadrants[ext]))
        if archived(member):
            differences.append("back from the archive")
        if differences:
            preview.to_update.append(ext)
        if seats_by_person.get(ext, set()) != wanted_by_person.get(ext, set()):
            differences.append("teams")
        before, after = managers_now.get(ext), plan.managers.get(ext)
        if before != after:
            was = names.get(before, before) if before else "nobody"
            differences.append(f"reports to {names[after] if after else 'nobody'}, not {was}")
        if differences:
            preview.people.changed += 1
            if len(preview.changes) < SAMPLE_SIZE:
                preview.changes.append(f"{person.name} ({ext}): {', '.join(differences)}")
        else:
            preview.people.unchanged += 1
    for team_id, name in plan.teams.items():
        member = current.get(team_id)
        if member is not None and member.kind != Member.Kind.TEAM:
            plan.problems.append(
                _error(
                    f"The team {name} cannot be made: the id {team_id} belongs to the person "
                    f"{member.name}.",
                    "id_taken_by_person",
                )
            )
        elif member is None:
            preview.teams.new += 1
            preview.to_create.append(team_id)
        elif member.name != name or archived(member):
            preview.teams.changed += 1
            preview.to_update.append(team_id)
        else:
            preview.teams.unchanged += 1
    in_file = {p.external_id for p in plan.people} | plan.teams.keys()
    for ext, member in current.items():
        if ext in in_file or member.active_until is not None:  # already leaving or left
            continue
        if member.kind == Member.Kind.TEAM and not ext.startswith(TEAM_ID_PREFIX):
            continue  # teams made by hand stay; only teams an import made are retired
        counts = preview.teams if member.kind == Member.Kind.TEAM else preview.people
        counts.archived += 1
        preview.to_archive.append(member.id)
        if len(preview.archived_names) < SAMPLE_SIZE:
            preview.archived_names.append(f"{member.name} ({ext})")
    people_now = sum(
        1
        for member in current.values()
        if member.kind == Member.Kind.PERSON and member.active_until is None
    )
    if preview.people.archived >= 10 and preview.people.archived * 2 >= people_now:
        plan.problems.append(
            _warning(
                f"This import archives {preview.people.archived} of the {people_now} people "
                "from earlier imports: everyone not in the file counts as having left. If the "
                "file holds only part of the organization, do not apply it.",
                "mass_archive",
            )
        )
    preview.seats_to_add = plan.seats - seats.keys()
    preview.seats_to_remove = sorted(
        pk for key, pk in seats.items() if key not in plan.seats and key[1] in in_file
    )


def _compare_relationships(
    preview: Preview,
    chain_now: dict[tuple[str, str], CurrentRelationship],
    others: list[CurrentRelationship],
    ext_of: dict[int, str],
) -> None:
    """The reporting lines to add and end, and what moves and leavers do to other partnerships."""
    plan, today = preview.plan, preview.today
    wanted = plan.lines

    def undo(relationship: CurrentRelationship) -> None:
        if relationship.starts_on >= today:
            preview.relationships_to_delete.append(relationship.id)
        else:
            preview.relationships_to_end.append(relationship.id)

    # The Chain of command: a line stays when its pair and type stay; otherwise it ends today.
    for key, relationship in chain_now.items():
        if wanted.get(key) == relationship.type:
            preview.lines_kept += 1
        else:
            undo(relationship)
    preview.lines_to_add = sorted(
        (m, r, t)
        for (m, r), t in wanted.items()
        if chain_now.get((m, r)) is None or chain_now[(m, r)].type != t
    )

    # Other partnerships: a leaver's relationships end; a move that changes a type ends it.
    archived = set(preview.to_archive)
    moved = {member_id: to for member_id, _, to in preview.moves}
    line_of = {p.external_id: p.line for p in plan.people}
    for relationship in others:
        ends = (relationship.from_id, relationship.to_id)
        from_q = moved.get(relationship.from_id, relationship.from_quadrant)
        to_q = moved.get(relationship.to_id, relationship.to_quadrant)
        if archived.intersection(ends):
            cause = relationship.from_id if relationship.from_id in archived else relationship.to_id
            reason = "leaves"
        elif relationship_type_for(from_q, to_q) != relationship.type:
            cause = relationship.from_id if relationship.from_id in moved else relationship.to_id
            reason = f"moves to {Quadrant(moved[cause]).label}"
        else:
            continue
        who = relationship.from_name if cause == relationship.from_id else relationship.to_name
        text = (
            f"{relationship.from_name} → {relationship.to_name} ({relationship.type} in "
            f"{relationship.partnership_name}), because {who} {reason}"
        )
        if relationship.starts_on >= today:
            preview.plan.problems.append(
                _error(
                    f"{text}: it only starts on {relationship.starts_on:%d %b %Y}, so it cannot "
                    "be ended today. End or remove it first, or import after it starts.",
                    "breaks_future_relationship",
                    line_of.get(ext_of.get(cause, "")),
                )
            )
            continue
        preview.relationships_to_end.append(relationship.id)
        preview.ended_elsewhere.append(text)
    undone = set(preview.relationships_to_end) | set(preview.relationships_to_delete)
    for relationship in [*chain_now.values(), *others]:
        if relationship.id in undone:
            continue
        if relationship.from_id in moved or relationship.to_id in moved:
            preview.relationships_to_requadrant.append(
                (
                    relationship.id,
                    moved.get(relationship.from_id, relationship.from_quadrant),
                    moved.get(relationship.to_id, relationship.to_quadrant),
                )
            )
    _check_direct_loops(preview, others, ext_of)


def _check_direct_loops(
    preview: Preview, others: list[CurrentRelationship], ext_of: dict[int, str]
) -> None:
    """The reporting lines must not close a loop with direct lines in other partnerships."""
    ending = set(preview.relationships_to_end)
    graph = nx.DiGraph()
    for relationship in others:
        if relationship.type == "direct" and relationship.id not in ending:
            graph.add_edge(
                ext_of.get(relationship.from_id) or f"#{relationship.from_id}",
                ext_of.get(relationship.to_id) or f"#{relationship.to_id}",
                partnership=relationship.partnership_name,
            )
    if graph.number_of_edges() == 0:
        return
    graph.add_edges_from((m, r) for (m, r) in preview.plan.lines)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    names = {p.external_id: p.name for p in preview.plan.people}
    names.update({f"#{r.from_id}": r.from_name for r in others})
    names.update({f"#{r.to_id}": r.to_name for r in others})
    steps = []
    for source, target in cycle:
        where = graph.edges[source, target].get("partnership", CHAIN_OF_COMMAND)
        steps.append(f"{names.get(source, source)} → {names.get(target, target)} ({where})")
    line_of = {p.external_id: p.line for p in preview.plan.people}
    first = next((line_of[s] for s, _ in cycle if s in line_of), None)
    preview.plan.problems.append(
        _error(
            "The reporting lines would close a loop with direct lines in other partnerships: "
            f"{'; '.join(steps)}. Direct lines never loop; end one of them first.",
            "direct_loop",
            first,
        )
    )


def _refine_unknown_managers(organization: Organization, plan: ImportPlan) -> None:
    """Say so when an unknown manager is a member of another organization (one query)."""
    refs = {p.ref for p in plan.problems if p.code == "unknown_manager"}
    if not refs:
        return
    lowered = {ref.casefold() for ref in refs}
    elsewhere = (
        Member.objects.exclude(organization=organization)
        .annotate(email_lower=Lower("email"))
        .filter(Q(external_id__in=refs) | Q(email_lower__in=lowered))
        .values_list("external_id", "email_lower")
    )
    found = {value.casefold() for pair in elsewhere for value in pair} & lowered
    if not found:
        return
    for i, problem in enumerate(plan.problems):
        if problem.code == "unknown_manager" and problem.ref.casefold() in found:
            plan.problems[i] = _error(
                f"The manager {problem.ref} is a member of another organization, not of this "
                "one; reporting lines stay inside one organization.",
                "manager_in_other_organization",
                problem.line,
                problem.column,
                ref=problem.ref,
            )


# --- a plain-text account of a preview, for the command line -------------------------------------

PROBLEMS_SHOWN = 100


def _counts(counts: Counts) -> str:
    return (
        f"{counts.new} new, {counts.changed} changed, {counts.unchanged} unchanged, "
        f"{counts.archived} archived"
    )


def describe_preview(preview: Preview) -> list[str]:
    """The preview as lines of text: counts, the quadrant proposal, relationships, problems."""
    plan = preview.plan
    lines = []
    if plan.ok:
        quadrants = plan.quadrant_counts()
        types = plan.type_counts()
        lines += [
            f"People: {_counts(preview.people)}.",
            f"Teams: {_counts(preview.teams)}.",
            "Quadrants: "
            + ", ".join(f"{q.label} {quadrants[q.value]}" for q in Quadrant)
            + ("." if "quadrant" in plan.columns.index else " (proposed from the reporting tree)."),
            f"Reporting lines in “{CHAIN_OF_COMMAND}”: {len(plan.lines)} "
            f"({', '.join(f'{n} {t}' for t, n in types.items())}); "
            f"{len(preview.lines_to_add)} to add, {preview.lines_ended} to end, "
            f"{preview.lines_kept} kept.",
        ]
        if preview.ended_elsewhere:
            lines.append(
                f"Relationships in other partnerships that end today: {len(preview.ended_elsewhere)}"
            )
            lines += [f"  - {text}" for text in preview.ended_elsewhere[:SAMPLE_SIZE]]
    for problem in plan.problems[:PROBLEMS_SHOWN]:
        lines.append(f"{problem.severity.capitalize()}: {problem}")
    if len(plan.problems) > PROBLEMS_SHOWN:
        lines.append(f"… and {len(plan.problems) - PROBLEMS_SHOWN} more problems.")
    return lines


@dataclass
class ProposedGroup:
    quadrant: Quadrant
    count: int
    sample: list[dict[str, str]]

    @property
    def more(self) -> int:
        return self.count - len(self.sample)


def proposal_by_quadrant(plan: ImportPlan, per_quadrant: int = 12) -> list[ProposedGroup]:
    """The quadrant proposal for review: each quadrant's count and its first people (or teams)."""
    names = {p.external_id: p.name for p in plan.people}
    groups = {q.value: ProposedGroup(quadrant=q, count=0, sample=[]) for q in Quadrant}
    for person in plan.people:
        group = groups[plan.quadrants[person.external_id]]
        group.count += 1
        if len(group.sample) < per_quadrant:
            manager = plan.managers.get(person.external_id)
            group.sample.append(
                {
                    "name": person.name,
                    "external_id": person.external_id,
                    "title": person.title,
                    "manager": names[manager] if manager else "",
                    "given": "yes" if person.quadrant else "",
                }
            )
    teams = groups[Quadrant.TEAMS.value]
    seats = Counter(team for team, _ in plan.seats)
    for team_id, name in plan.teams.items():
        teams.count += 1
        if len(teams.sample) < per_quadrant:
            teams.sample.append(
                {"name": name, "external_id": team_id, "title": f"{seats[team_id]} people"}
            )
    return list(groups.values())
