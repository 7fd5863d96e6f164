"""Writes of the outcomes app: an audited export, the monthly report email."""

import datetime
import io
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_record, audit_unchanged, audited
from saas.core.errors import ValidationFailed
from saas.core.exports import csv_writer, xlsx_bytes
from saas.core.tenancy import connection
from tenant_apps.notifications.models import Email
from tenant_apps.notifications.services import email_queue
from tenant_apps.outcomes.exports import TABLES, survey_answers_table
from tenant_apps.outcomes.selectors import MIN_GROUP, program_kpis
from tenant_apps.outcomes.sources import satisfaction_kpis
from tenant_apps.participants.models import Participant
from tenant_apps.surveys.models import Survey

FORMATS = ("csv", "xlsx")
MONTHLY_TEMPLATE = "monthly_report"


@transaction.atomic
@audited
def outcomes_export(*, kind: str, file_format: str) -> tuple[bytes, str]:
    """The export `kind` as CSV or XLSX: (content, content type). Audited with its size."""
    if kind not in TABLES or file_format not in FORMATS:
        raise ValidationFailed(_("This export does not exist."))
    header, row_iterator = TABLES[kind]()
    rows = list(row_iterator)
    content, content_type = _spreadsheet(kind, header, rows, file_format)
    audit_record(
        action="outcomes.exported",
        details={"kind": kind, "format": file_format, "rows": len(rows)},
    )
    return content, content_type


def _spreadsheet(
    title: str, header: list[str], rows: list[list[Any]], file_format: str
) -> tuple[bytes, str]:
    if file_format == "xlsx":
        content = xlsx_bytes(title=title, header=header, rows=rows)
        return content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    content = ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel reads UTF-8
    return content, "text/csv; charset=utf-8"


@transaction.atomic
@audited
def survey_answers_export(*, survey_id: int, file_format: str) -> tuple[bytes, str, Survey]:
    """The answers to one survey as CSV or XLSX (`survey_answers_table`: without names for
    an aggregated-only survey). Audited like the other exports, with the survey's kind and
    whether the file holds names."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None or file_format not in FORMATS:
        raise ValidationFailed(_("This export does not exist."))
    header, row_iterator = survey_answers_table(survey=survey)
    rows = list(row_iterator)
    content, content_type = _spreadsheet(f"survey-{survey.kind}", header, rows, file_format)
    audit_record(
        action="outcomes.exported",
        target=survey,
        details={
            "kind": "survey_answers",
            "survey": survey.kind,
            "format": file_format,
            "rows": len(rows),
            "named": not survey.is_anonymous,
        },
    )
    return content, content_type, survey


def _month_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The calendar month before `today`'s, in local time."""
    first = today.replace(day=1)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    start = timezone.make_aware(datetime.datetime.combine(previous, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    return start, end


@transaction.atomic
@audited
def monthly_report_send(*, today: datetime.date | None = None) -> int:
    """Email every active manager the key figures of last month and a link to the dashboard,
    through the outbox. Idempotent: a manager who already has this month's report in the
    outbox gets no second one. Returns how many were queued."""
    today = today or timezone.localdate()
    start, end = _month_bounds(today)
    month_start = timezone.make_aware(
        datetime.datetime.combine(today.replace(day=1), datetime.time())
    )
    managers = list(
        Participant.objects.filter(
            role=Participant.Role.MANAGER, status=Participant.Status.ACTIVE
        ).select_related("user")
    )
    already = set(
        Email.objects.filter(template=MONTHLY_TEMPLATE, created_at__gte=month_start).values_list(
            "to", flat=True
        )
    )
    recipients = [m for m in managers if m.display_email not in already]
    if not recipients:
        audit_unchanged()
        return 0
    kpis = program_kpis(start=start, end=end)
    figures = _key_figures(kpis, satisfaction_kpis(start=start, end=end))
    for manager in recipients:
        email_queue(
            to=manager.display_email,
            template=MONTHLY_TEMPLATE,
            context={
                "participant": manager,
                "figures": figures,
                "month": start.date(),
                "dashboard_url": connection.tenant.url("/espace/"),
            },
        )
    audit_record(
        action="outcomes.monthly_report_sent",
        details={"month": start.date().isoformat(), "recipients": len(recipients)},
    )
    return len(recipients)


def _key_figures(kpis: dict[str, Any], satisfaction: dict[str, Any] | None) -> dict[str, Any]:
    """The email's figures; a satisfaction figure only from 5 answers on (else None: "—")."""
    total = kpis["total"]

    def score(name: str, field: str) -> Any:
        block = (satisfaction or {}).get(name)
        return block[field] if block and block["count"] >= MIN_GROUP else None

    registered = sum(
        next(s["count"] for s in total["funnel"][role] if s["stage"] == "registered")
        for role in total["funnel"]
    )
    return {
        "registered": registered,
        "active_pairs": total["pairs"]["active"],
        "new_pairs": total["pairs"]["new"],
        "meetings_held": total["pairs"]["meetings_held"],
        "ended_pairs": total["pairs"]["ended"],
        "median_days_to_match": total["pairs"]["median_days_to_match"],
        "usefulness": score("usefulness", "mean"),
        "check_in": score("check_in", "mean"),
        "nps": score("nps", "score"),
    }
