"""The kernel's spreadsheet cells (saas.core.exports): formulas neutralised as OWASP recommends
(a leading single quote), everything else unchanged."""

import io

import pytest

from saas.core.exports import cell_neutralise, csv_writer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("O'Brien & Fils", "O'Brien & Fils"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-5, -5),
        (2.5, 2.5),
        ({"filter": "=1"}, "{'filter': '=1'}"),
    ],
)
def test_cell_neutralise(value, expected):
    assert cell_neutralise(value) == expected


def test_csv_writer_neutralises_every_cell():
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=";")
    writer.writerows([["=1+1", 3, "ok"], ["@x", "-1", None]])
    assert buffer.getvalue().splitlines() == ["'=1+1;3;ok", "'@x;'-1;"]
