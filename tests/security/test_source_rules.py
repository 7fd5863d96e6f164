"""Rules read from the source tree (CONVENTIONS §12):

- nothing is marked safe (`|safe`, `mark_safe`, `format_html`, `SafeString`, `autoescape off`
  in HTML) outside a short list of reviewed uses, each with its reason: what a person typed is
  escaped by the template engine, never by hand;
- every CSV/XLSX export goes through the kernel's `saas.core.exports` (formula cells
  neutralised): no `csv.writer` or spreadsheet library anywhere else.
"""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIPPED_DIRS = {".venv", ".local", "node_modules", ".git", "tests", "migrations"}

UNSAFE = re.compile(
    r"\|\s*safe(seq)?\b|mark_safe\s*\(|format_html\s*\(|SafeString\s*\(|"
    r"autoescape\s+off|\bsafe_join\b.*html"
)
# "path: the line, stripped" -> why it cannot carry what a person typed.
REVIEWED = {
    'tenant_apps/participants/forms.py: self.fields["consent"].label = format_html(': (
        "the consent label: two translated constants and reverse(); format_html escapes each"
    ),
    "shared_apps/accounts/templates/accounts/otp_setup.html: "
    '<figure class="qr">{{ qr_svg|safe }}<figcaption>{% translate "QR code to scan with your '
    'authenticator app" %}</figcaption></figure>': (
        "SVG drawn by the qrcode library: only <path>/<rect> modules, the URI is encoded as "
        "pixels, never as text"
    ),
}

SPREADSHEET = re.compile(
    r"\bcsv\.(writer|DictWriter)\s*\(|\bimport\s+(openpyxl|xlsxwriter|xlwt|pyexcel)|"
    r"\bfrom\s+(openpyxl|xlsxwriter|xlwt|pyexcel)\b"
)
EXPORTS_MODULE = "saas/core/exports.py"


def source_files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return [
        path
        for path in root.rglob("*")
        if path.suffix in suffixes
        and path.is_file()
        and not SKIPPED_DIRS & set(path.relative_to(root).parts)
    ]


def matches(root: Path, pattern: re.Pattern[str], suffixes: tuple[str, ...]) -> list[str]:
    """ "path: stripped line" for every line of the tree that matches `pattern`."""
    found = []
    for path in source_files(root, suffixes):
        for line in path.read_text(errors="replace").splitlines():
            if pattern.search(line) and not line.lstrip().startswith(("#", "{#")):
                found.append(f"{path.relative_to(root).as_posix()}: {line.strip()}")
    return found


def test_nothing_is_marked_safe_outside_the_reviewed_uses():
    # given every Python file and HTML template of the project
    # when they are searched for what turns autoescaping off
    found = matches(ROOT, UNSAFE, (".py", ".html"))
    # then only the reviewed uses remain, and every reviewed use still exists
    assert sorted(set(found) - set(REVIEWED)) == []
    assert sorted(set(REVIEWED) - set(found)) == []
    assert all(reason.strip() for reason in REVIEWED.values())


def test_the_scan_finds_a_new_unsafe_use(tmp_path):
    # given a template and a view that print what a person typed as it is
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "page.html").write_text("<p>{{ question.help_text|safe }}</p>\n")
    (tmp_path / "app" / "views.py").write_text("html = mark_safe(participant.note)\n")
    (tmp_path / "app" / "forms.py").write_text("label = format_html('{}', name)\n")
    # when the tree is scanned, then all three are found
    assert sorted(matches(tmp_path, UNSAFE, (".py", ".html"))) == [
        "app/forms.py: label = format_html('{}', name)",
        "app/page.html: <p>{{ question.help_text|safe }}</p>",
        "app/views.py: html = mark_safe(participant.note)",
    ]


def test_spreadsheets_are_written_only_through_the_kernel_helper(tmp_path):
    # given every Python file of the project
    found = matches(ROOT, SPREADSHEET, (".py",))
    # then only saas/core/exports.py writes CSV or XLSX
    assert [line for line in found if not line.startswith(EXPORTS_MODULE + ":")] == []
    # and the scan would see a new writer elsewhere
    (tmp_path / "report.py").write_text("writer = csv.writer(buffer)\nimport openpyxl\n")
    assert len(matches(tmp_path, SPREADSHEET, (".py",))) == 2
