from datetime import datetime
from typing import Any

from celery import shared_task
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from saas.core.tenancy import connection
from tenant_apps.mentoring.selectors import message_emails_due_sql
from tenant_apps.mentoring.services import MESSAGE_EMAIL_EVERY, message_emails_send, nudges_send


@shared_task(acks_late=True, ignore_result=True)
def send_message_emails_task() -> int:
    """In one programme: tell people a message is waiting (at most one email per thread every
    15 minutes; never the content)."""
    if connection.schema_name == get_public_schema_name():
        return 0
    return message_emails_send()


@shared_task(acks_late=True, ignore_result=True)
def send_nudges_task() -> int:
    """In one programme: one reminder to each person of a pair that has not met for the
    programme's number of days (once per quiet period)."""
    if connection.schema_name == get_public_schema_name():
        return 0
    return nudges_send()


def message_emails_due_probe(*, now: datetime | None = None) -> tuple[str, list[Any]]:
    """The SQL that finds a row in a programme exactly when `send_message_emails_task` would
    send something there (for the beat job, tenants.tasks)."""
    return message_emails_due_sql(now=now or timezone.now(), every=MESSAGE_EMAIL_EVERY)
