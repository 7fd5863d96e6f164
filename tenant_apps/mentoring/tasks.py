from celery import shared_task
from django_tenants.utils import get_public_schema_name

from saas.core.tenancy import connection
from tenant_apps.mentoring.services import message_emails_send, nudges_send


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
