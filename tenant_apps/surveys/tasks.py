from datetime import datetime
from typing import Any

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from saas.core.tenancy import connection
from tenant_apps.surveys.selectors import surveys_due_sql
from tenant_apps.surveys.services import MAX_REMINDERS, MEETING_LOOKBACK, surveys_due_process


@shared_task(acks_late=True, ignore_result=True)
def process_surveys_task() -> dict[str, int]:
    """In one programme: feedback requests after held meetings, check-ins due, the scheduled
    end-of-programme survey, reminders (at most two). Idempotent."""
    if connection.schema_name == get_public_schema_name():
        return {}
    return surveys_due_process()


def surveys_due_probe(*, now: datetime | None = None) -> tuple[str, list[Any]]:
    """The SQL that finds a row in a programme exactly when `process_surveys_task` would invite
    or remind someone there (for the beat job, tenants.tasks)."""
    return surveys_due_sql(
        now=now or timezone.now(), meeting_lookback=MEETING_LOOKBACK, max_reminders=MAX_REMINDERS
    )
