from celery import shared_task
from django_tenants.utils import get_public_schema_name

from saas.core.tenancy import connection
from tenant_apps.surveys.services import surveys_due_process


@shared_task(acks_late=True, ignore_result=True)
def process_surveys_task() -> dict[str, int]:
    """In one programme: feedback requests after held meetings, check-ins due, the scheduled
    end-of-programme survey, reminders (at most two). Idempotent."""
    if connection.schema_name == get_public_schema_name():
        return {}
    return surveys_due_process()
