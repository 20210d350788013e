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
import functools
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

from org import dates
from org.bidi import bidi_control_message, bidi_controls_in
from org.models import PERSON_QUADRANTS, Member, Organization, Quadrant, TeamMembership
from org.spreadsheets import starts_formula
from partnerships.models import Partnership, Relationship, relationship_type_for
from partnerships.rules import CHAIN_OF_COMMAND, TEAM_STEWARDSHIP, article
from transfer import workbooks

# --- limits and our fields -------------------------------------------------------------------

# The upload page's limits: a web request should not run for a minute. The command line
# (manage.py import_org) takes a large organization's whole export. Read when a file is read,
# not when this module is imported, so that a test can lower them.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
COMMAND_MAX_FILE_BYTES = 25 * 1024 * 1024
COMMAND_MAX_ROWS = 100_000
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

# Header names that HR systems commonly use, compared as _normalise_header makes them (case,
# spaces, underscores, punctuation and camelCase ignored: "parentId" is "parent id"). The
# README's column table lists them; the first column found for a field wins.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": (
        "external id",
        "employee id",
        "employee number",
        "employee no",
        "employee num",
        "emp id",
        "emp no",
        "id",
        "person id",
        "badge",
        "badge id",
        "badge number",
        "user id",
        "staff id",
        "staff number",
        "worker id",
    ),
    "name": ("full name", "name", "display name", "employee name", "person name"),
    "first_name": ("first name", "given name", "forename"),
    "last_name": ("last name", "family name", "surname"),
    "title": (
        "title",
        "job title",
        "position",
        "position name",
        "position title",
        "role",
        "job role",
    ),
    "email": ("email", "work email", "email address", "e mail", "mail", "work email address"),
    "manager_id": (
        "parent id",
        "manager id",
        "manager",
        "reports to",
        "reports to id",
        "supervisor",
        "supervisor id",
        "line manager id",
        "line manager",
        "manager external id",
        "manager employee id",
        "manager emp no",
        "supervisor employee id",
    ),
    "manager_email": (
        "manager email",
        "manager work email",
        "supervisor email",
        "reports to email",
        "line manager email",
    ),
    "team": ("team", "team name", "teams", "squad"),
    "department": (
        "department",
        "department name",
        "dept",
        "area",
        "division",
        "unit",
        "business unit",
    ),
    "quadrant": ("quadrant",),
}
# Short names accepted on the left of --map, besides the field names themselves.
FIELD_SHORT_NAMES = {"id": "external_id", "manager": "manager_id", "ext_id": "external_id"}
# The fields a file cannot do without; a bad value in any other is left out with a warning.
REQUIRED_FIELDS = {"external_id", "name", "first_name", "last_name"}
MANAGER_FIELDS = ("manager_id", "manager_email")

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
    """The header as we compare it: "Employee_ID", "employee id" and "employeeId" are one."""
    return re.sub(r"[\W_]+", "", text.casefold())


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
    encoding: str  # the encoding read, or the spreadsheet's kind ("xlsx", "ods", "xls")
    sheet: str = ""  # the sheet read, for a spreadsheet
    sheets: list[str] = field(default_factory=list)  # all of a spreadsheet's sheets

    @property
    def is_spreadsheet(self) -> bool:
        return bool(self.sheets)


@dataclass(frozen=True)
class Limits:
    """How large a file one import reads: the upload page's, or the command line's."""

    file_bytes: int
    rows: int
    command: bool = False

    @property
    def megabytes(self) -> int:
        return self.file_bytes // 2**20

    def pointer(self) -> str:
        """Where a file above the upload's limits can go; nothing for the command line's."""
        if self.command:
            return ""
        limits = command_limits()
        return (
            f" An administrator can import up to {limits.megabytes} MB and {limits.rows:,} "
            "people from the command line: manage.py import_org."
        )


def upload_limits() -> Limits:
    return Limits(file_bytes=MAX_FILE_BYTES, rows=MAX_ROWS)


def command_limits() -> Limits:
    return Limits(file_bytes=COMMAND_MAX_FILE_BYTES, rows=COMMAND_MAX_ROWS, command=True)


def file_too_large(size: int, limits: Limits | None = None) -> Problem:
    limits = limits or upload_limits()
    return _error(
        f"The file is {size / 2**20:.1f} MB; the limit is {limits.megabytes} MB "
        f"({limits.rows:,} people). Split it, or leave out columns you do not import."
        + limits.pointer(),
        "file_too_large",
    )


def _byte_order(data: bytes) -> str | None:
    """The encoding a byte-order mark names, or that UTF-16 without one gives away (every
    other byte a NUL, as ASCII text in UTF-16 has)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    head = data[:4096]
    if len(head) >= 8 and b"\x00" in head:
        odd, even = head[1::2], head[0::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
    return None


# Bytes no text file holds (NUL and the other C0 controls but tab, line breaks, form feed and
# the old end-of-file mark): their presence means a binary file.
_BINARY = bytes(range(0, 9)) + bytes(range(14, 26)) + bytes(range(27, 32))


def _looks_binary(data: bytes) -> bool:
    """Control bytes, or NULs beyond a stray one or two (which decode() names by line)."""
    head = data[:8192]
    nuls = head.count(0)
    return nuls > max(2, len(head) // 100) or any(byte in _BINARY[1:] for byte in head)


def decode(data: bytes, encoding: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or a problem naming where the bytes stop making sense.

    A byte-order mark (UTF-8 or UTF-16) wins over the encoding chosen; so does UTF-16 that
    shows itself without one. A file that is not text at all is refused as such."""
    if encoding not in ENCODINGS:
        return None, [_error(f"Unknown encoding {encoding!r}.", "unknown_encoding")]
    marked = _byte_order(data)
    if marked is None and _looks_binary(data):
        return None, [
            _error(
                "This is not a CSV file or a spreadsheet we can read: it holds bytes that no "
                "text file does. Upload the export as CSV (UTF-8 or UTF-16), or as an Excel "
                "(.xlsx, .xls) or OpenDocument (.ods) spreadsheet.",
                "not_text",
            )
        ]
    if marked is not None:
        encoding = marked
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        if encoding.startswith("utf-16"):
            return None, [
                _error(
                    "The file starts as UTF-16 text but does not read as UTF-16 all through "
                    f"(byte {exc.start:,} cannot be read). Export it again, as CSV UTF-8.",
                    "wrong_encoding",
                )
            ]
        return None, [_decoding_problem(data, exc, encoding)]
    if "\x00" in text:  # no text may hold it (PostgreSQL refuses it)
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [
            _error(
                "A NUL character is on this line, and no name or title may contain one. Save "
                "the file as “CSV UTF-8” and upload that.",
                "nul_character",
                line=line,
            )
        ]
    problems = []
    if marked is None and encoding != "utf-8" and _looks_like_utf8(data):
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


def read_table(
    data: bytes,
    *,
    encoding: str = "utf-8",
    sheet: str | None = None,
    limits: Limits | None = None,
) -> tuple[Table | None, list[Problem]]:
    """Split the file into a header and rows: a CSV file (decoded, its dialect sniffed) or the
    first sheet of a spreadsheet (or the one named). Blank lines are skipped; the header is the
    first line that is not blank. The file must keep within `limits` (the upload's unless
    given)."""
    limits = limits or upload_limits()
    if len(data) > limits.file_bytes:
        return None, [file_too_large(len(data), limits)]
    kind = workbooks.kind_of(data)
    if kind == "zip":
        return None, [
            _error(
                "This is a ZIP archive but not a spreadsheet we can read. Upload the export as "
                "CSV, or as an Excel (.xlsx, .xls) or OpenDocument (.ods) spreadsheet.",
                "not_a_spreadsheet",
            )
        ]
    if kind == "damaged":
        return None, [
            _error(
                "This file is a ZIP archive, as .xlsx and .ods spreadsheets are, but it is "
                "damaged (cut short?) and cannot be read. Export it again.",
                "not_a_spreadsheet",
            )
        ]
    if kind is not None:
        return _read_workbook(data, kind, sheet, limits)
    if sheet:
        return None, [_error("Only a spreadsheet has sheets; this file is CSV.", "no_sheets")]
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

    def lines():
        line = 1
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1

    try:
        return _split(lines(), problems, limits, encoding=_byte_order(data) or encoding)
    except csv.Error as exc:
        return None, [
            *problems,
            _error(f"This is not a readable CSV file ({exc}).", "bad_csv", reader.line_num),
        ]


def _read_workbook(
    data: bytes, kind: str, sheet: str | None, limits: Limits
) -> tuple[Table | None, list[Problem]]:
    """The sheet named, or else the first sheet that holds a table (a workbook often opens
    with a cover sheet)."""
    try:
        name, sheets, lines = workbooks.read_sheet(data, sheet)
    except workbooks.WorkbookError as exc:
        return None, [_error(str(exc), "not_a_spreadsheet")]
    first = _split(lines, [], limits, encoding=kind, sheet=name, sheets=sheets)
    if sheet is not None or not any(p.is_error for p in first[1]):
        return first
    for other in sheets[1:]:
        _, _, lines = workbooks.read_sheet(data, other)
        table, problems = _split(lines, [], limits, encoding=kind, sheet=other, sheets=sheets)
        if table is not None and not any(p.is_error for p in problems):
            return table, problems
    return first


def _split(
    lines: Iterable[tuple[int, list[str]]], problems: list[Problem], limits: Limits, **table
) -> tuple[Table | None, list[Problem]]:
    """The header and the rows, refused past `limits.rows` people (the one place that counts
    them)."""
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        if headers is None:
            headers = [cell.strip() for cell in cells]
            continue
        rows.append((line, cells))
        if len(rows) > limits.rows:
            return None, [
                *problems,
                _error(
                    f"The file has more than {limits.rows:,} people; that is the limit for "
                    f"{'one import' if limits.command else 'an upload'}." + limits.pointer(),
                    "too_many_rows",
                    line=line,
                ),
            ]
    if headers is None:
        return None, [_error("The file is empty.", "empty_file", line=1)]
    while headers and not headers[-1]:  # spreadsheets pad the header with empty cells
        headers.pop()
    if not rows:
        problems.append(_error("The file has a header but no people.", "empty_file", line=2))
    return Table(headers=headers, rows=rows, **table), problems


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
    right (the other way round is understood too, when the left side is not one of ours).
    Nothing after the `=` (`email=`) leaves that field out."""
    mapping = {}
    for item in items:
        left, sep, right = item.partition("=")
        if not sep or not left.strip():
            raise ValueError(
                f"--map takes field=column, e.g. id=employee_id (or field= to leave a field "
                f"out); got {item!r}"
            )
        mapping[left.strip()] = right.strip()
    return mapping


_FIELD_KEYS = {_normalise_header(name): name for name in FIELDS} | {
    _normalise_header(short): name for short, name in FIELD_SHORT_NAMES.items()
}


def _field_name(text: str) -> str | None:
    return _FIELD_KEYS.get(_normalise_header(text))


def resolve_columns(
    headers: list[str],
    mapping: Mapping[str, str] | None = None,
    *,
    recognise: bool = True,
    ignore: Iterable[str] = (),
    reporting_lines: bool = True,
) -> tuple[Columns, list[Problem]]:
    """Our fields from the explicit mapping first, then from recognised header names.

    A field mapped to nothing ("email": "") is left out; `ignore` names columns that nothing
    is read from. Without reporting_lines the manager columns are not read at all; with them
    (the default) a file where no column holds the manager is refused, since importing it
    would make everyone the top of a tree of their own."""
    problems: list[Problem] = []
    by_header: dict[str, int] = {}
    for i, header in enumerate(headers):
        by_header.setdefault(header.strip().casefold(), i)
        by_header.setdefault(_normalise_header(header), i)

    def find(column: str) -> int | None:
        return by_header.get(column.strip().casefold(), by_header.get(_normalise_header(column)))

    ignored: set[int] = set()
    for column in ignore:
        found = find(column)
        if found is None:
            problems.append(
                _error(
                    f"--ignore names a column “{column}” that is not in the file; its columns "
                    f"are: {', '.join(headers)}.",
                    "unknown_column",
                    line=1,
                    column=column,
                )
            )
        else:
            ignored.add(found)
    index: dict[str, int] = {}
    named: set[str] = set()  # fields the mapping speaks of, found or not, or left out
    for left, right in (mapping or {}).items():
        name, column = _field_name(left), right
        if name is None and right and _field_name(right) is not None:
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
        named.add(name)
        if not column:
            continue  # left out
        found = find(column)
        if found is None:
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
        taken = set(index.values()) | ignored
        for name, aliases in HEADER_ALIASES.items():
            if name in index or name in named:
                continue
            for alias in aliases:
                found = by_header.get(_normalise_header(alias))
                if found is not None and found not in taken:
                    index[name] = found
                    taken.add(found)
                    break
    if not reporting_lines:
        for name in MANAGER_FIELDS:
            index.pop(name, None)
    columns = Columns(headers=headers, index=index)
    if "external_id" not in index and not _mapped_to_missing(problems, mapping, "external_id"):
        problems.append(
            _error(
                "No column holds the employee id. Map one, e.g. id=<column>; the file's "
                f"columns are: {', '.join(headers)}.",
                "missing_column",
                line=1,
                column=FIELDS["external_id"],
            )
        )
    if not {"name", "first_name", "last_name"} & index.keys() and not any(
        _mapped_to_missing(problems, mapping, f) for f in ("name", "first_name", "last_name")
    ):
        problems.append(
            _error(
                "No column holds the name (or first and last name). Map one, e.g. "
                f"name=<column>; the file's columns are: {', '.join(headers)}.",
                "missing_column",
                line=1,
                column=FIELDS["name"],
            )
        )
    if (
        reporting_lines
        and not set(MANAGER_FIELDS) & index.keys()
        and not any(_mapped_to_missing(problems, mapping, f) for f in MANAGER_FIELDS)
    ):
        problems.append(
            _error(
                "No column holds the manager, so nobody would report to anyone: everyone "
                f"would be the top of the organization. The file's columns are: "
                f"{', '.join(headers)}. Map the column that holds each person's manager's "
                "employee id (manager_id=<column>) or email (manager_email=<column>), or say "
                "that the file has no reporting lines (--no-reporting-lines; on the page, the "
                "box “This file has no reporting lines”).",
                "no_manager_column",
                line=1,
                column=FIELDS["manager_id"],
            )
        )
    return columns, problems


def _mapped_to_missing(
    problems: list[Problem], mapping: Mapping[str, str] | None, name: str
) -> bool:
    """Whether the mapping names a column for this field that the file lacks (already said)."""
    for left, right in (mapping or {}).items():
        field_name, column = _field_name(left), right
        if field_name is None and right and _field_name(right) is not None:
            field_name, column = _field_name(right), left
        if (
            field_name == name
            and column
            and any(p.code == "unknown_column" and p.column == column for p in problems)
        ):
            return True
    return False


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


def _a(noun: str) -> str:
    """The noun in lower case after its article: "an email", "a title"."""
    return f"{article(noun.lower())} {noun.lower()}"


def _clean(cell: str) -> str:
    value = cell.strip()
    return "" if value in EMPTY_CELLS else value


class _LeftOut:
    """Values of optional fields that cannot be used: each is left empty, and each kind of
    fault in each column becomes one warning that names its lines."""

    LINES_NAMED = 20

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        self.sentences: dict[str, tuple[str, str]] = {}

    def add(self, code: str, column: str, line: int, value: str, sentence: tuple[str, str]) -> None:
        """`sentence`: what is wrong, said of one value and of several."""
        self.found[code, column].append((line, value))
        self.sentences[code] = sentence

    def warnings(self) -> list[Problem]:
        problems = []
        for (code, column), found in self.found.items():
            lines = [line for line, _ in found]
            named = ", ".join(str(line) for line in lines[: self.LINES_NAMED])
            if len(lines) > self.LINES_NAMED:
                named += f" and {len(lines) - self.LINES_NAMED:,} more"
            example = found[0][1]
            example = example if len(example) <= 40 else example[:39] + "…"
            count = len(found)
            one, several = self.sentences[code]
            message = (
                f"{count:,} value{'s' if count > 1 else ''} "
                f"{several if count > 1 else one} (line{'s' if count > 1 else ''} {named}; e.g. "
                f"“{example}”). {'They are' if count > 1 else 'It is'} left empty; the rest "
                "of each line is imported."
            )
            problems.append(
                Problem(
                    message=message,
                    code=code,
                    line=lines[0] if count == 1 else None,
                    column=column,
                    severity="warning",
                )
            )
        return problems


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _full_name(values: Mapping[str, str]) -> str:
    """One full name: the name column, or first and last name; a name column beside a last
    name column (and no first name) holds the first name ("Steven" + "King")."""
    name, first, last = (values.get(f, "") for f in ("name", "first_name", "last_name"))
    if name and last and not first:
        if name.casefold() == last.casefold() or name.casefold().endswith(" " + last.casefold()):
            return _collapse(name)
        return _collapse(f"{name} {last}")
    if name:
        return _collapse(name)
    return _collapse(f"{first} {last}")


def read_people(
    table: Table, columns: Columns, *, teams_from: Iterable[str] = ()
) -> tuple[list[PersonRow], list[Problem]]:
    """One PersonRow per data row, with every cell-level problem: errors for the id, the name
    and the manager, warnings (the value left empty) for the optional fields."""
    problems: list[Problem] = []
    left_out = _LeftOut()
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
        faulty: set[str] = set()  # required fields already reported on this line
        bad = False
        for name, i in index.items():
            raw = cells[i] if i < len(cells) else ""
            value = _clean(raw)
            required = name in REQUIRED_FIELDS or name in MANAGER_FIELDS
            if value and (starts_formula(value) or starts_formula(raw)):
                if not required:
                    left_out.add(
                        "formula_cell",
                        columns.header(name),
                        line,
                        value,
                        (
                            "starts with a character that spreadsheets run as a formula (= + - @)",
                            "start with a character that spreadsheets run as a formula (= + - @)",
                        ),
                    )
                    continue
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
                faulty.add(name)
                continue
            if controls := bidi_controls_in(value):
                problems.append(
                    _error(
                        bidi_control_message(controls),
                        "bidi_control",
                        line=line,
                        column=columns.header(name),
                    )
                )
                bad = True
                faulty.add(name)
                continue
            limit = MAX_LENGTHS.get(name)
            if limit and len(value) > limit:
                if not required:
                    left_out.add(
                        "too_long",
                        columns.header(name),
                        line,
                        value,
                        (
                            f"is longer than the {limit} characters {_a(FIELDS[name])} may have",
                            f"are longer than the {limit} characters {_a(FIELDS[name])} may have",
                        ),
                    )
                    continue
                problems.append(
                    _error(
                        f"This value is {len(value)} characters long; the limit is {limit}.",
                        "too_long",
                        line=line,
                        column=columns.header(name),
                    )
                )
                bad = True
                faulty.add(name)
                continue
            values[name] = value
        name = _full_name(values)
        external_id = values.get("external_id", "")
        if not external_id and "external_id" in index and "external_id" not in faulty:
            problems.append(
                _error(
                    "The employee id is empty.",
                    "missing_value",
                    line=line,
                    column=columns.header("external_id"),
                )
            )
            bad = True
        if faulty & {"name", "first_name", "last_name"}:
            pass
        elif not name:
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
            left_out.add(
                "bad_email",
                columns.header("email"),
                line,
                email,
                ("is not an email address", "are not email addresses"),
            )
            email = ""
        quadrant = values.get("quadrant", "")
        if quadrant:
            word = quadrant.casefold()
            if word in ("t", "team", "teams"):
                left_out.add(
                    "bad_quadrant",
                    columns.header("quadrant"),
                    line,
                    quadrant,
                    (
                        "names the Teams quadrant, which holds teams (from the team or department "
                        "column), not people; this person gets the proposed quadrant",
                        "name the Teams quadrant, which holds teams (from the team or department "
                        "column), not people; these people get the proposed quadrant",
                    ),
                )
                quadrant = ""
            elif word not in QUADRANT_SPELLINGS:
                left_out.add(
                    "bad_quadrant",
                    columns.header("quadrant"),
                    line,
                    quadrant,
                    (
                        "is not a quadrant (L, M or E; Leadership, Managers or Employees); this "
                        "person gets the proposed quadrant",
                        "are not quadrants (L, M or E; Leadership, Managers or Employees); these "
                        "people get the proposed quadrant",
                    ),
                )
                quadrant = ""
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
                team = _collapse(team)
                if team and team not in teams:
                    teams.append(team)
        if bad:
            continue
        people.append(
            PersonRow(
                line=line,
                external_id=external_id,
                name=name,
                title=_collapse(values.get("title", "")),
                email=email,
                manager_ref=manager_ref,
                manager_ref_field=manager_field,
                teams=tuple(teams),
                quadrant=quadrant,
            )
        )
    return people, problems + left_out.warnings()


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


# --- reporting lines -----------------------------------------------------------------------------


def check_reporting(
    people: list[PersonRow], columns: Columns, *, outside: Mapping[str, str] | None = None
) -> tuple[dict[str, str], list[Problem]]:
    """Each person's manager (external id -> external id), and every problem with the lines.

    `outside` (for a file that holds part of the organization) maps the external ids of the
    organization's other people to their quadrants: a manager among them is known."""
    outside = outside or {}
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
            if manager is None and person.manager_ref in outside:
                managers[person.external_id] = person.manager_ref
                continue
        if manager is None:
            problems.append(
                _error(
                    f"The manager {person.manager_ref} is not in the file"
                    + (
                        " nor among the organization's people."
                        if outside
                        else ". Every manager must be a person in the same file (an export of "
                        "the whole organization), or, for part of it, already in the organization."
                    ),
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
    if set(MANAGER_FIELDS) & columns.index.keys() and not any(p.is_error for p in problems):
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

# Titles that read as the organization's leadership (whole words, any case). An organization
# keeps its own list (Organization.leadership_titles); these are the defaults.
LEADERSHIP_TITLES: tuple[str, ...] = (
    "chief",
    "president",
    "vice president",
    "vp",
    "svp",
    "evp",
    "director",
    "head of",
    "ceo",
    "cfo",
    "coo",
    "cto",
    "cio",
)
# Without reporting lines there is no tree to read managers from: these titles do instead.
MANAGER_TITLES: tuple[str, ...] = ("manager", "supervisor", "team lead", "foreman")


def title_words(text: str) -> tuple[str, ...]:
    """A word list as people type it (one per line, or separated by commas), cleaned."""
    words = (_collapse(word).casefold() for word in re.split(r"[,\n;]", text))
    return tuple(dict.fromkeys(word for word in words if word))


@functools.cache
def _title_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _title_matches(title: str, words: tuple[str, ...]) -> bool:
    pattern = _title_pattern(words)
    return bool(title and pattern and pattern.search(title))


def organization_titles(organization: Organization) -> tuple[str, ...]:
    """The organization's own leadership titles, or the defaults."""
    return title_words(organization.leadership_titles) or LEADERSHIP_TITLES


@dataclass(frozen=True)
class QuadrantRules:
    """How to propose quadrants, when the file does not give them, and make teams.

    The top of the reporting tree (and the people `leadership_levels` levels below it) are
    leadership, and so is anyone reporting to a leader whose title holds one of
    `leadership_titles`; below that, people with reports are managers and the others
    employees. Team (and/or department) names become teams in the Teams quadrant, with the
    people on them; with `team_lines` each team gets its relationships in "Team stewardship".
    """

    leadership_levels: int = 0
    leadership_titles: tuple[str, ...] = LEADERSHIP_TITLES
    teams_from: Literal["auto", "team", "department", "both", "none"] = "auto"
    team_lines: bool = True

    def team_fields(self, columns: Columns) -> list[str]:
        if self.teams_from == "auto":
            return ["team"] if "team" in columns.index else ["department"]
        if self.teams_from == "both":
            return ["team", "department"]
        return [] if self.teams_from == "none" else [self.teams_from]


def _depths(people: list[PersonRow], managers: Mapping[str, str]) -> dict[str, int]:
    """How far below the top of their tree each person is, in the file's reporting lines (the
    top is 0). People whose manager is outside the file count from that manager (1)."""
    in_file = {p.external_id for p in people}
    reports: dict[str, list[str]] = defaultdict(list)
    for person, manager in managers.items():
        reports[manager].append(person)
    frontier = [p.external_id for p in people if p.external_id not in managers]
    depth = dict.fromkeys(frontier, 0)
    outside_managed = [p for p, m in managers.items() if m not in in_file]
    depth.update(dict.fromkeys(outside_managed, 1))
    frontier += outside_managed
    while frontier:
        frontier = [child for ext in frontier for child in reports.get(ext, ())]
        for ext in frontier:
            depth[ext] = depth[managers[ext]] + 1
    return depth


def propose_quadrants(
    people: list[PersonRow],
    managers: dict[str, str],
    rules: QuadrantRules,
    *,
    outside: Mapping[str, str] | None = None,
    reporting_lines: bool = True,
) -> tuple[dict[str, str], dict[str, str]]:
    """L, M or E for every person (the file's own quadrant where given, else the proposal),
    and the reason for each, as the preview shows it ("title: Vice President", "3 reports")."""
    outside = outside or {}
    reports = Counter(managers.values())
    depth = _depths(people, managers)
    by_id = {p.external_id: p for p in people}
    order = sorted(by_id, key=lambda ext: (depth.get(ext, 0), by_id[ext].line))
    quadrants: dict[str, str] = {}
    reasons: dict[str, str] = {}
    leadership, managing, employees = (q.value for q in PERSON_QUADRANTS)
    for ext in order:
        person = by_id[ext]
        manager = managers.get(ext)
        above = quadrants.get(manager) or outside.get(manager or "")
        count = reports.get(ext, 0)
        executive = _title_matches(person.title, rules.leadership_titles)
        if person.quadrant:
            quadrant, reason = person.quadrant, "the file's quadrant column"
        elif not reporting_lines:
            if executive:
                quadrant, reason = leadership, f"title: {person.title}"
            elif _title_matches(person.title, MANAGER_TITLES):
                quadrant, reason = managing, f"title: {person.title}"
            else:
                quadrant, reason = employees, "no reporting lines in the file"
        elif manager is None:
            quadrant, reason = leadership, "top of the reporting tree"
        elif above == leadership and depth.get(ext, 0) <= rules.leadership_levels:
            levels = depth[ext]
            quadrant, reason = (
                leadership,
                f"{levels} level{'s' if levels > 1 else ''} below the top",
            )
        elif above == leadership and executive:
            quadrant, reason = leadership, f"title: {person.title}"
        elif above == employees:
            quadrant, reason = employees, "reports to an employee"
        elif count:
            quadrant, reason = managing, f"{count} report{'s' if count > 1 else ''}"
        else:
            quadrant, reason = employees, "no reports"
        quadrants[ext] = quadrant
        reasons[ext] = reason
    return quadrants, reasons


# --- the plan ----------------------------------------------------------------------------------


@dataclass
class ImportPlan:
    """What the file says the organization is, and everything wrong with it."""

    problems: list[Problem]
    columns: Columns | None = None
    table: Table | None = None
    people: list[PersonRow] = field(default_factory=list)
    managers: dict[str, str] = field(default_factory=dict)  # report ext -> manager ext
    quadrants: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # why each person is in their quadrant
    teams: dict[str, str] = field(default_factory=dict)  # team external id -> name
    seats: set[tuple[str, str]] = field(default_factory=set)  # (team ext, person ext)
    lines: dict[tuple[str, str], str] = field(default_factory=dict)  # (manager, report) -> type
    # The teams' relationships in "Team stewardship": (from, to) -> type; None when the import
    # leaves that partnership alone (--no-team-lines).
    team_lines: dict[tuple[str, str], str] | None = None
    rules: QuadrantRules = field(default_factory=QuadrantRules)
    reporting_lines: bool = True
    partial: bool = False  # the file holds part of the organization: nobody is archived
    outside: dict[str, str] = field(default_factory=dict)  # partial: others' ext -> quadrant
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

    def quadrant_of(self, ext: str) -> str:
        return self.quadrants.get(ext) or self.outside.get(ext) or Quadrant.TEAMS.value

    def quadrant_counts(self) -> dict[str, int]:
        counts = Counter(self.quadrants.values())
        counts[Quadrant.TEAMS.value] = len(self.teams)
        return {q.value: counts.get(q.value, 0) for q in Quadrant}

    def type_counts(self, lines: Mapping[tuple[str, str], str] | None = None) -> dict[str, int]:
        counts = Counter((self.lines if lines is None else lines).values())
        return {t: counts.get(t, 0) for t in ("direct", "influential", "guidance")}

    def roots(self) -> int:
        return sum(1 for p in self.people if p.external_id not in self.managers)


def plan_digest(data: bytes, options: Mapping[str, object]) -> str:
    """Fingerprint of the inputs of a plan: the apply step checks it is applying what was shown."""
    payload = json.dumps(options, sort_keys=True, default=list).encode()
    return hashlib.sha256(hashlib.sha256(data).digest() + payload).hexdigest()


def plan_import(
    data: bytes,
    *,
    encoding: str = "utf-8",
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    recognise: bool = True,
    ignore: Iterable[str] = (),
    reporting_lines: bool = True,
    rules: QuadrantRules | None = None,
    partial: bool = False,
    outside: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> ImportPlan:
    """Read, map and check the whole file; propose quadrants and the relationships.

    `limits` bounds the file: the upload page's unless given (manage.py import_org passes
    command_limits()).

    With `partial` the file holds part of the organization: `outside` maps the external ids
    of the organization's other people to their quadrants (a manager may be one of them), and
    applying the plan archives nobody (see organization_outside)."""
    rules = rules or QuadrantRules()
    ignore = list(ignore)
    outside = dict(outside or {}) if partial else {}
    digest = plan_digest(
        data,
        {
            "encoding": encoding,
            "sheet": sheet,
            "mapping": sorted((mapping or {}).items()),
            "recognise": recognise,
            "ignore": ignore,
            "reporting_lines": reporting_lines,
            "rules": [
                rules.leadership_levels,
                rules.leadership_titles,
                rules.teams_from,
                rules.team_lines,
            ],
            "partial": partial,
        },
    )
    base = {"rules": rules, "digest": digest, "partial": partial, "outside": outside}
    base["reporting_lines"] = reporting_lines
    table, problems = read_table(data, encoding=encoding, sheet=sheet, limits=limits)
    if table is None:
        return ImportPlan(problems=problems, **base)
    columns, column_problems = resolve_columns(
        table.headers,
        mapping,
        recognise=recognise,
        ignore=ignore,
        reporting_lines=reporting_lines,
    )
    problems += column_problems
    if any(p.is_error for p in problems):
        return ImportPlan(problems=problems, columns=columns, table=table, **base)
    people, row_problems = read_people(table, columns, teams_from=rules.team_fields(columns))
    managers, line_problems = check_reporting(people, columns, outside=outside)
    problems += row_problems + line_problems
    plan = ImportPlan(
        problems=problems, columns=columns, table=table, people=people, managers=managers, **base
    )
    if not plan.ok:
        return plan
    plan.quadrants, plan.reasons = propose_quadrants(
        people, managers, rules, outside=outside, reporting_lines=reporting_lines
    )
    by_id = {p.external_id: p for p in people}
    for person in people:
        for team in person.teams:
            team_id = team_external_id(team)
            plan.teams.setdefault(team_id, team)
            plan.seats.add((team_id, person.external_id))
    for report, manager in managers.items():
        kind = relationship_type_for(plan.quadrant_of(manager), plan.quadrants[report])
        if kind is None:
            row = by_id[report]
            names = {q.value: q.label for q in Quadrant}
            boss = by_id[manager].name if manager in by_id else manager
            problems.append(
                _error(
                    f"{row.name} ({names[plan.quadrants[report]]}) reports to "
                    f"{boss} ({names[plan.quadrant_of(manager)]}): a reporting line "
                    "cannot point back up the diagram. Correct either quadrant.",
                    "line_against_quadrants",
                    row.line,
                    columns.header("quadrant"),
                )
            )
            continue
        plan.lines[(manager, report)] = kind
    if rules.team_lines:
        plan.team_lines = team_lines(plan)
    return plan


def team_lines(plan: ImportPlan) -> dict[tuple[str, str], str]:
    """Each team's relationships in Team stewardship, as the demo has them: the team directs
    the employees on it (the daily work), a manager guides it and a leader influences it: the
    most senior manager and leader on the team, else the nearest above its most senior member.
    People in Leadership or Managers sit on a team without a line from it, since no line may
    point back up."""
    depth = _depths(plan.people, plan.managers)
    line_of = {p.external_id: p.line for p in plan.people}
    on_team: dict[str, list[str]] = defaultdict(list)
    for team, person in plan.seats:
        on_team[team].append(person)
    leadership, managing, employees = (q.value for q in PERSON_QUADRANTS)
    lines: dict[tuple[str, str], str] = {}
    for team, people in on_team.items():
        people.sort(key=lambda ext: (depth.get(ext, 0), line_of[ext]))  # most senior first
        head = people[0]
        stewards: dict[str, str] = {}
        for person in people:  # the most senior leader and manager on the team, if any
            if plan.quadrants[person] in (leadership, managing):
                stewards.setdefault(plan.quadrants[person], person)
        walker: str | None = head  # else the nearest above it
        while walker is not None and len(stewards) < 2:
            quadrant = plan.quadrant_of(walker)
            if quadrant in (leadership, managing):
                stewards.setdefault(quadrant, walker)
            walker = plan.managers.get(walker) if walker in line_of else None
        for quadrant, steward in stewards.items():
            lines[(steward, team)] = relationship_type_for(quadrant, Quadrant.TEAMS.value)
        for person in people:
            if plan.quadrants[person] == employees:
                lines[(team, person)] = relationship_type_for(Quadrant.TEAMS.value, employees)
    return lines


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
    have an end date or the file holds only part of the organization (plan.partial); people
    and teams without an external id were added by hand and are left alone, and so are teams
    not made by an import. Archiving a person takes them off their teams and ends their
    relationships as of today. Reporting lines live in the "Chain of command" partnership and
    the teams' lines in "Team stewardship", which the import keeps.
    """

    plan: ImportPlan
    today: datetime.date
    people: Counts = field(default_factory=Counts)
    teams: Counts = field(default_factory=Counts)
    people_active: int = 0  # people active today, before the import
    current: dict[str, CurrentMember] = field(default_factory=dict)
    to_create: list[str] = field(default_factory=list)  # external ids (people and teams)
    to_update: list[str] = field(default_factory=list)
    to_archive: list[int] = field(default_factory=list)  # member ids
    moves: list[tuple[int, str, str]] = field(default_factory=list)  # (member id, from, to)
    seats_to_add: set[tuple[str, str]] = field(default_factory=set)  # (team ext, person ext)
    seats_to_remove: list[int] = field(default_factory=list)  # TeamMembership ids
    chain_id: int | None = None  # the Chain of command partnership, when there is one
    chain_objective_id: int | None = None
    lines_to_add: list[tuple[str, str, str]] = field(default_factory=list)  # (mgr, report, type)
    lines_kept: int = 0
    lines_ended: int = 0
    stewardship_id: int | None = None  # the Team stewardship partnership, when there is one
    team_lines_to_add: list[tuple[str, str, str]] = field(default_factory=list)
    team_lines_kept: int = 0
    team_lines_ended: int = 0
    relationships_to_end: list[int] = field(default_factory=list)  # ended as of today
    relationships_to_delete: list[int] = field(default_factory=list)  # started today: undone
    # Relationships in force whose members move, with the quadrants they take: (id, from, to).
    relationships_to_requadrant: list[tuple[int, str, str]] = field(default_factory=list)
    ended_elsewhere: list[str] = field(default_factory=list)  # other partnerships, readable
    changes: list[str] = field(default_factory=list)  # a readable sample of the changes
    archived_names: list[str] = field(default_factory=list)
    archived_seats: int = 0  # team seats of people archived

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
    def archived_more(self) -> int:
        """Archived people beyond the names listed."""
        return self.people.archived - len(self.archived_names)

    @property
    def archives_many(self) -> bool:
        """Whether it archives more than ARCHIVE_SHARE of the active people: then applying it
        needs that number typed (the web page) or --archive-missing (the command line)."""
        return self.people.archived > self.people_active * ARCHIVE_SHARE

    @property
    def has_changes(self) -> bool:
        return bool(
            self.to_create
            or self.to_update
            or self.to_archive
            or self.seats_to_add
            or self.seats_to_remove
            or self.lines_to_add
            or self.team_lines_to_add
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
            sorted(self.team_lines_to_add),
            sorted(self.relationships_to_end),
            sorted(self.relationships_to_delete),
        ]
        return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]


SAMPLE_SIZE = 50
ARCHIVE_SHARE = 0.10  # archiving more of the active people than this asks for confirmation


def organization_outside(organization: Organization) -> dict[str, str]:
    """The organization's active people with an external id, and their quadrants: who a
    partial file's people may report to (one query)."""
    return dict(
        Member.objects.for_org(organization)
        .active_on(organization.today())
        .filter(kind=Member.Kind.PERSON)
        .exclude(external_id="")
        .values_list("external_id", "quadrant")
    )


def plan_for(organization: Organization, data: bytes, **options) -> ImportPlan:
    """plan_import, with the organization's other people known when the file is partial and
    its leadership titles unless the rules give their own."""
    if options.get("partial"):
        options["outside"] = organization_outside(organization)
    return plan_import(data, **options)


def preview_import(organization: Organization, plan: ImportPlan) -> Preview:
    """Compare the plan with the organization as it is today: what applying it would change.

    Reads in a fixed number of queries whatever the size of the file: the members, the team
    seats, the kept partnerships, and the relationships in force.
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
    kept = {
        name: (pk, objective)
        for name, pk, objective in Partnership.objects.for_org(organization)
        .filter(name__in=[CHAIN_OF_COMMAND, TEAM_STEWARDSHIP], dissolved_on__isnull=True)
        .order_by("-formed_on", "-id")
        .values_list("name", "id", "objective_id")
    }  # the oldest of each name wins, being last
    preview.chain_id, preview.chain_objective_id = kept.get(CHAIN_OF_COMMAND, (None, None))
    if plan.team_lines is not None:
        preview.stewardship_id = kept.get(TEAM_STEWARDSHIP, (None, None))[0]
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
    team_now: dict[tuple[str, str], CurrentRelationship] = {}
    others: list[CurrentRelationship] = []
    for relationship in in_force:
        key = (
            ext_of.get(relationship.from_id, f"#{relationship.from_id}"),
            ext_of.get(relationship.to_id, f"#{relationship.to_id}"),
        )
        if relationship.partnership_id == preview.chain_id:
            chain_now[key] = relationship
        elif relationship.partnership_id == preview.stewardship_id:
            team_now[key] = relationship
        else:
            others.append(relationship)
    _compare_members(preview, organization, {report: manager for manager, report in chain_now})
    if plan.ok:
        _compare_relationships(preview, chain_now, team_now, others, ext_of)
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
            now = names.get(after, after) if after else "nobody"
            differences.append(f"reports to {now}, not {was}")
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
    preview.people_active = sum(
        1
        for member in current.values()
        if member.kind == Member.Kind.PERSON
        and member.active_from <= today
        and not archived(member)
    )
    leaving: set[str] = set()
    for ext, member in current.items():
        if plan.partial or ext in in_file or member.active_until is not None:
            continue  # part of the organization only; or already leaving or left
        if member.kind == Member.Kind.TEAM and not ext.startswith(TEAM_ID_PREFIX):
            continue  # teams made by hand stay; only teams an import made are retired
        counts = preview.teams if member.kind == Member.Kind.TEAM else preview.people
        counts.archived += 1
        preview.to_archive.append(member.id)
        leaving.add(ext)
        if member.kind == Member.Kind.PERSON and len(preview.archived_names) < SAMPLE_SIZE:
            preview.archived_names.append(f"{member.name} ({ext})")
    preview.seats_to_add = plan.seats - seats.keys()
    # Seats change for the people in the file; people who leave lose theirs.
    preview.seats_to_remove = sorted(
        pk for key, pk in seats.items() if key not in plan.seats and key[1] in in_file
    )
    gone = [pk for (_, person), pk in seats.items() if person in leaving]
    preview.archived_seats = len(gone)
    preview.seats_to_remove = sorted({*preview.seats_to_remove, *gone})


def _compare_relationships(
    preview: Preview,
    chain_now: dict[tuple[str, str], CurrentRelationship],
    team_now: dict[tuple[str, str], CurrentRelationship],
    others: list[CurrentRelationship],
    ext_of: dict[int, str],
) -> None:
    """The reporting and team lines to add and end, and what moves and leavers do to other
    partnerships."""
    plan, today = preview.plan, preview.today
    in_file = {p.external_id for p in plan.people}

    def undo(relationship: CurrentRelationship) -> None:
        if relationship.starts_on >= today:
            preview.relationships_to_delete.append(relationship.id)
        else:
            preview.relationships_to_end.append(relationship.id)

    def keep(
        now: dict[tuple[str, str], CurrentRelationship], wanted: dict[tuple[str, str], str]
    ) -> tuple[list[tuple[str, str, str]], int, int]:
        """A line stays when its pair and type stay; otherwise it ends today. A partial file
        speaks only for the lines to its own people."""
        kept = ended = 0
        for key, relationship in now.items():
            if wanted.get(key) == relationship.type or (plan.partial and key[1] not in in_file):
                kept += 1
            else:
                undo(relationship)
                ended += 1
        to_add = sorted(
            (m, r, t)
            for (m, r), t in wanted.items()
            if now.get((m, r)) is None or now[m, r].type != t
        )
        return to_add, kept, ended

    preview.lines_to_add, preview.lines_kept, preview.lines_ended = keep(chain_now, plan.lines)
    if plan.team_lines is not None:
        preview.team_lines_to_add, preview.team_lines_kept, preview.team_lines_ended = keep(
            team_now, plan.team_lines
        )
    else:
        others = [*others, *team_now.values()]

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
                    f"{text}: it only starts on {dates.day(relationship.starts_on)}, so it cannot "
                    "be ended today. End or remove it first, or import after it starts.",
                    "breaks_future_relationship",
                    line_of.get(ext_of.get(cause, "")),
                )
            )
            continue
        preview.relationships_to_end.append(relationship.id)
        preview.ended_elsewhere.append(text)
    undone = set(preview.relationships_to_end) | set(preview.relationships_to_delete)
    for relationship in [*chain_now.values(), *team_now.values(), *others]:
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
    kept_chain = [
        relationship
        for relationship in chain_now.values()
        if relationship.id not in undone and plan.partial
    ]
    _check_direct_loops(preview, [*others, *kept_chain], ext_of)


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
    """The preview as lines of text: what is archived first, then counts, the quadrant
    proposal, relationships, problems."""
    plan = preview.plan
    lines = []
    if plan.ok:
        if preview.people.archived:
            lines.append(archive_sentence(preview))
            lines += [f"  - {name}" for name in preview.archived_names[:10]]
            if preview.people.archived > 10:
                lines.append(f"  … and {preview.people.archived - 10:,} more.")
        quadrants = plan.quadrant_counts()
        types = plan.type_counts()
        lines += [
            f"People: {_counts(preview.people)}.",
            f"Teams: {_counts(preview.teams)}.",
            "Quadrants: "
            + ", ".join(f"{q.label} {quadrants[q.value]}" for q in Quadrant)
            + ("." if "quadrant" in plan.columns.index else " (proposed)."),
            f"Reporting lines in “{CHAIN_OF_COMMAND}”: {len(plan.lines)} "
            f"({', '.join(f'{n} {t}' for t, n in types.items())}); "
            f"{len(preview.lines_to_add)} to add, {preview.lines_ended} to end, "
            f"{preview.lines_kept} kept; {plan.roots()} "
            f"{'person' if plan.roots() == 1 else 'people'} at the top.",
        ]
        if plan.team_lines is not None:
            team_types = plan.type_counts(plan.team_lines)
            lines.append(
                f"Team lines in “{TEAM_STEWARDSHIP}”: {len(plan.team_lines)} "
                f"({', '.join(f'{n} {t}' for t, n in team_types.items())}); "
                f"{len(preview.team_lines_to_add)} to add, {preview.team_lines_ended} to end, "
                f"{preview.team_lines_kept} kept."
            )
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


def archive_sentence(preview: Preview) -> str:
    """What the import archives, in one sentence, for the top of the preview."""
    archived, active, seats = preview.people.archived, preview.people_active, preview.archived_seats
    ends = (
        f"They leave their teams ({seats:,} seats) and their relationships end that day."
        if seats
        else "Their relationships end that day."
    )
    return (
        f"This import archives {archived:,} of the {active:,} active "
        f"{'person' if active == 1 else 'people'} as of {dates.day(preview.today)}: "
        f"everyone with an employee id who is not in the file counts as "
        f"having left. {ends}"
    )


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
                    "manager": names.get(manager, manager) if manager else "",
                    "reason": plan.reasons.get(person.external_id, ""),
                }
            )
    teams = groups[Quadrant.TEAMS.value]
    seats = Counter(team for team, _ in plan.seats)
    for team_id, name in plan.teams.items():
        teams.count += 1
        if len(teams.sample) < per_quadrant:
            teams.sample.append(
                {
                    "name": name,
                    "external_id": team_id,
                    "title": f"{seats[team_id]} people",
                    "manager": "",
                    "reason": "",
                }
            )
    return list(groups.values())
