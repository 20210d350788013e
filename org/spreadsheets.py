"""Files people open in a spreadsheet: CSV downloads and cells that stay text.

A spreadsheet runs a cell that starts with one of FORMULA_STARTS as a formula (CSV
injection). Every CSV the product writes passes its cells through `spreadsheet_safe`; the HR
import refuses such cells instead of guessing what was meant.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet would run this cell as a formula."""
    return text.startswith(FORMULA_STARTS)


def spreadsheet_safe(value: object) -> str:
    """A cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if starts_formula(text) else text


def csv_writer(out: io.StringIO | io.TextIOBase):
    """A function that writes one row of spreadsheet-safe cells to `out`."""
    writer = csv.writer(out, lineterminator="\r\n")
    return lambda row: writer.writerow([spreadsheet_safe(cell) for cell in row])


def attachment(content: str | bytes, filename: str, content_type: str) -> HttpResponse:
    """A download: the browser saves it under `filename`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    """A CSV download (UTF-8, CRLF), the header first, every cell spreadsheet-safe."""
    out = io.StringIO()
    write = csv_writer(out)
    write(header)
    for row in rows:
        write(row)
    return attachment(out.getvalue(), filename, "text/csv; charset=utf-8")
