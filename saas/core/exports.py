"""Spreadsheet exports (CSV, and XLSX if one is ever added): every cell goes through
`cell_neutralise`, so that a value a person typed ("=HYPERLINK(...)", "+33 6...", "@SUM(...)")
is shown as text by Excel or LibreOffice instead of being run as a formula (OWASP, "CSV
Injection"). Every export of the project writes through `csv_writer`; a test fails when a
`csv.writer` or `openpyxl` appears anywhere else."""

import csv
from collections.abc import Iterable
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
