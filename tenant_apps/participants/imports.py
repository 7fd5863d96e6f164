"""CSV import of participants by a manager: preview first, then import all accepted lines in
one transaction. UTF-8 (with or without BOM) or Windows-1252; `;` or `,` separated; columns
recognised by their header in French or English. Importing the same file again adds nobody
twice: people already in the programme are reported and left alone."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from audit.log import audit_record
from saas.core.errors import ValidationFailed
from shared_apps.accounts.selectors import email_normalize
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import invitation_domain_refusal, participant_invite
from tenant_apps.programs.selectors import program_settings

# Limits of one file: checked before anything is written, each refused with its own message.
MAX_BYTES = 1024 * 1024
MAX_LINES = 5000
# The longest email address is 254 characters; no other column needs more.
MAX_CELL_CHARS = 254
# What an account holds (shared_apps.accounts.models.User).
MAX_NAME_CHARS = 150
# Python's csv module refuses a cell over this many characters (csv.field_size_limit()).
_CSV_FIELD_LIMIT_ERROR = "field larger than field limit"
HEADERS = {
    "email": {"email", "e-mail", "courriel", "adresse email", "adresse e-mail", "mail"},
    "first_name": {"first_name", "first name", "prénom", "prenom"},
    "last_name": {"last_name", "last name", "nom", "nom de famille"},
    "role": {"role", "rôle"},
}
ROLES = {
    "mentee": Participant.Role.MENTEE,
    "mentoré": Participant.Role.MENTEE,
    "mentore": Participant.Role.MENTEE,
    "mentorée": Participant.Role.MENTEE,
    "mentoree": Participant.Role.MENTEE,
    "mentoré(e)": Participant.Role.MENTEE,
    "mentor": Participant.Role.MENTOR,
    "mentore (mentor)": Participant.Role.MENTOR,
    "manager": Participant.Role.MANAGER,
    "responsable": Participant.Role.MANAGER,
}


@dataclass
class ImportLine:
    number: int
    email: str
    first_name: str = ""
    last_name: str = ""
    role: str = ""
    errors: list[str] = field(default_factory=list)
    is_known: bool = False  # already in the programme: skipped, not an error

    @property
    def is_accepted(self) -> bool:
        return not self.errors and not self.is_known


@dataclass
class ImportReport:
    lines: list[ImportLine]

    @property
    def accepted(self) -> list[ImportLine]:
        return [line for line in self.lines if line.is_accepted]

    @property
    def refused(self) -> list[ImportLine]:
        return [line for line in self.lines if line.errors]

    @property
    def known(self) -> list[ImportLine]:
        return [line for line in self.lines if line.is_known and not line.errors]


def csv_decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_("The file is larger than 1 MB."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _column_map(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = name.strip().lower()
        for column, names in HEADERS.items():
            if key in names and column not in columns:
                columns[column] = index
    return columns


def _cell_too_long(line: int) -> ValidationFailed:
    return ValidationFailed(
        _("Line %(line)d: a cell is longer than %(count)d characters.")
        % {"line": line, "count": MAX_CELL_CHARS}
    )


def _rows(text: str, *, delimiter: str) -> list[list[str]]:
    """Every row of the file, or a ValidationFailed naming the line: a cell over the limit
    (Python's csv module raises past 131,072 characters), more lines than allowed, or text
    that is not CSV (a quoted cell that never ends)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if any(len(cell) > MAX_CELL_CHARS for cell in row):
                raise _cell_too_long(reader.line_num)
            rows.append(row)
            if len(rows) - 1 > MAX_LINES:
                raise ValidationFailed(
                    _("At most %(count)d lines per file.") % {"count": MAX_LINES}
                )
    except csv.Error as exc:
        if _CSV_FIELD_LIMIT_ERROR in str(exc):
            raise _cell_too_long(reader.line_num) from exc
        raise ValidationFailed(
            _("Line %(line)d: this is not a readable CSV file (check the quotation marks).")
            % {"line": reader.line_num}
        ) from exc
    return rows


def import_preview(*, data: bytes) -> ImportReport:
    """Parse and check every line; writes nothing."""
    try:
        text = csv_decode(data)
    except UnicodeDecodeError as exc:
        raise ValidationFailed(_("The file must be saved as UTF-8 or Windows-1252 text.")) from exc
    if not text.strip():
        raise ValidationFailed(_("The file is empty."))
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    rows = _rows(text, delimiter=delimiter)
    columns = _column_map(rows[0])
    missing = [name for name in ("email", "role") if name not in columns]
    if missing:
        raise ValidationFailed(
            _("The first line must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )

    known = set(
        Participant.objects.values_list("user__email", flat=True)
    )  # one query for the whole file
    settings = program_settings()
    seen: dict[str, int] = {}
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        line = ImportLine(
            number=number,
            email=email_normalize(cell("email")),
            first_name=cell("first_name"),
            last_name=cell("last_name"),
        )
        for name, label in (("first_name", _("first name")), ("last_name", _("last name"))):
            if len(getattr(line, name)) > MAX_NAME_CHARS:
                line.errors.append(
                    _("%(field)s too long (%(count)d characters at most)")
                    % {"field": label, "count": MAX_NAME_CHARS}
                )
        try:
            validate_email(line.email)
        except DjangoValidationError:
            line.errors.append(_("invalid email address “%(value)s”") % {"value": cell("email")})
        else:
            refusal = invitation_domain_refusal(email=line.email, settings=settings)
            if refusal:
                line.errors.append(refusal)
        role = ROLES.get(cell("role").lower())
        if role is None:
            line.errors.append(
                _("unknown role “%(value)s” (mentee, mentor or manager)") % {"value": cell("role")}
            )
        else:
            line.role = role
        if line.email in seen:
            line.errors.append(_("same email as line %(line)d") % {"line": seen[line.email]})
        else:
            seen[line.email] = number
        line.is_known = line.email in known
        lines.append(line)
    return ImportReport(lines=lines)


@transaction.atomic
def participants_import(*, data: bytes) -> ImportReport:
    """Invite every accepted line, all or nothing: an unexpected failure rolls back the lot."""
    report = import_preview(data=data)
    for line in report.accepted:
        participant_invite(
            email=line.email,
            role=line.role,
            first_name=line.first_name,
            last_name=line.last_name,
            joined_via=Participant.JoinedVia.IMPORT,
        )
    audit_record(
        action="participants.imported",
        details={
            "accepted": len(report.accepted),
            "refused": len(report.refused),
            "known": len(report.known),
        },
    )
    return report
