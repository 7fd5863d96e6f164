"""Spreadsheet exports (CSV and XLSX): every cell goes through
`cell_neutralise`, so that a value a person typed ("=HYPERLINK(...)", "+33 6...", "@SUM(...)")
is shown as text by Excel or LibreOffice instead of being run as a formula (OWASP, "CSV
Injection"). Every export of the project writes through `csv_writer` or `xlsx_bytes`; a test
fails when a `csv.writer` or `openpyxl` appears anywhere else."""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

# What makes a spreadsheet read a cell as a formula (OWASP): = + - @, and a tab or carriage
# return before them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cell_neutralise(value: Any) -> Any:
    """The value to put in a cell: numbers stay numbers; anything else becomes text, prefixed
    with a single quote when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        text = str(value)
        return "'" + text if text.startswith(FORMULA_PREFIXES) else text
    return value


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class NeutralCsvWriter:
    """`csv.writer` whose rows have their cells neutralised."""

    def __init__(self, buffer: _Writable, **fmtparams: Any) -> None:
        self._writer = csv.writer(buffer, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([cell_neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(buffer: _Writable, **fmtparams: Any) -> NeutralCsvWriter:
    return NeutralCsvWriter(buffer, **fmtparams)


def xlsx_bytes(*, title: str, header: Sequence[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """One sheet as an .xlsx file (streamed by openpyxl's write-only mode, so memory stays flat
    for large exports). Cells are neutralised like the CSV's, and every text cell is written as
    text: openpyxl would otherwise store a string starting with "=" as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))

    def cells(values: Iterable[Any]) -> list[Any]:
        out = []
        for value in values:
            neutral = cell_neutralise(value)
            cell = WriteOnlyCell(sheet, value=neutral)
            if isinstance(neutral, str):
                cell.data_type = "s"
            out.append(cell)
        return out

    sheet.append(cells(header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    """Excel forbids []:*?/\\ in a sheet's name and keeps 31 characters."""
    return "".join("-" if char in "[]:*?/\\" else char for char in title)[:31] or "Sheet"
