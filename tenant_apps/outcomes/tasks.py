from celery import shared_task

from tenant_apps.outcomes.services import monthly_report_send


@shared_task(acks_late=True, ignore_result=True)
def send_monthly_report_task() -> int:
    """In one programme: last month's key figures to its managers (idempotent)."""
    return monthly_report_send()
