"""Spreadsheets as HR systems export them: .xlsx, .xlsm, .xls and .ods, read with
python-calamine (a maintained Rust reader; no formulas are run, cells hold their saved values).

`kind_of` tells a spreadsheet from text by its first bytes, and `read_sheet` turns one sheet
into rows of text cells, numbered as the spreadsheet numbers them (row 1 is the first).
"""

from __future__ import annotations

import datetime
import io
import zipfile

from python_calamine import CalamineError, CalamineWorkbook

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Office formats (.xls)
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

NAMES = {
    "xlsx": "Excel workbook (.xlsx)",
    "xls": "Excel 97-2003 workbook (.xls)",
    "ods": "OpenDocument spreadsheet (.ods)",
}


class WorkbookError(ValueError):
    """The file looks like a spreadsheet but cannot be read as one."""


def kind_of(data: bytes) -> str | None:
    """ "xlsx", "ods" or "xls" for a spreadsheet, "zip" for another ZIP archive (a Word
    document, say), None for anything else."""
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                    return "xlsx"
                if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                    return "ods"
        except zipfile.BadZipFile:
            return "damaged"
        return "zip"
    if data.startswith(OLE2_MAGIC):
        return "xls"  # or a Word document: calamine says so when it tries
    return None


def read_sheet(
    data: bytes, sheet: str | None = None
) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    """The sheet read (the first by default), all the sheets' names, and the sheet's rows as
    (row number, text cells)."""
    try:
        workbook = _workbook(data)
        names = list(workbook.sheet_names)
        if not names:
            raise WorkbookError("The workbook has no sheets.")
        if sheet is None:
            sheet = names[0]
        elif sheet not in names:
            raise WorkbookError(
                f"The workbook has no sheet “{sheet}”; its sheets are: {', '.join(names)}."
            )
        values = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise WorkbookError(f"The spreadsheet cannot be read ({exc}).") from None
    rows = [(number, [cell_text(v) for v in row]) for number, row in enumerate(values, 1)]
    return sheet, names, rows


def _workbook(data: bytes) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # CalamineError, or a plain error for some damaged files
        raise WorkbookError(f"The spreadsheet cannot be read ({exc}).") from None


def cell_text(value: object) -> str:
    """A cell as the text a CSV export of it would hold: 1234.0 is "1234", dates are ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return (
            value.isoformat(sep=" ")
            if value.time() != datetime.time()
            else value.date().isoformat()
        )
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
