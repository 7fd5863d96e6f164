from celery import shared_task

from tenant_apps.matching.tasks import expire_requests_task
from tenant_apps.outcomes.tasks import send_monthly_report_task
from tenants.fanout import fan_out
from tenants.services import program_pool_refill, program_provision


@shared_task(acks_late=True)
def program_provision_task(*, program_id: int) -> None:
    program_provision(program_id=program_id)


@shared_task(acks_late=True, ignore_result=True)
def program_pool_refill_task() -> None:
    program_pool_refill()


# --- Beat: one task per programme (tenants.fanout) ----------------------------------------------
# Each keeps the name it had in its app, so the beat schedule and messages already queued
# when a new version is deployed still find it.


@shared_task(name="tenant_apps.matching.tasks.expire_requests_everywhere_task", ignore_result=True)
def expire_requests_everywhere_task() -> int:
    """Beat: one expiry task per open programme."""
    return fan_out(expire_requests_task)


@shared_task(
    name="tenant_apps.outcomes.tasks.send_monthly_reports_everywhere_task", ignore_result=True
)
def send_monthly_reports_everywhere_task() -> int:
    """Beat, on the 1st of the month: one monthly report task per open programme."""
    return fan_out(send_monthly_report_task)
