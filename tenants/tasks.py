from celery import shared_task
from django.conf import settings

from shared_apps.accounts.tasks import purge_account_security_task
from tenant_apps.matching.tasks import expire_requests_task, expiring_requests_probe
from tenant_apps.mentoring.tasks import (
    message_emails_due_probe,
    send_message_emails_task,
    send_nudges_task,
)
from tenant_apps.outcomes.tasks import send_monthly_report_task
from tenant_apps.privacy.tasks import (
    apply_retention_task,
    purge_audit_log_task,
    purge_expired_sessions_task,
)
from tenant_apps.surveys.tasks import process_surveys_task, surveys_due_probe
from tenants.fanout import fan_out, fan_out_where
from tenants.services import program_pool_refill, program_provision
from tenants.snapshots import snapshots_take


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
    """Beat, every hour: one expiry task per open programme with a request past its delay
    (tenants.fanout.programmes_where), instead of 24,000 tasks a day at 1,000 programmes."""
    sql, params = expiring_requests_probe()
    return fan_out_where(expire_requests_task, sql, params)


@shared_task(name="tenant_apps.privacy.tasks.purge_audit_logs_everywhere_task", ignore_result=True)
def purge_audit_logs_everywhere_task() -> int:
    """Daily beat job: the platform log and the accounts' security records (public schema),
    then one task per open programme."""
    purge_audit_log_task.apply_async(headers={"_schema_name": settings.PUBLIC_SCHEMA_NAME})
    purge_account_security_task.apply_async(headers={"_schema_name": settings.PUBLIC_SCHEMA_NAME})
    return fan_out(purge_audit_log_task, include_closed=True)


@shared_task(name="tenant_apps.privacy.tasks.apply_retention_everywhere_task", ignore_result=True)
def apply_retention_everywhere_task() -> int:
    """Daily beat job: expired sessions of the public schema, then one retention task per
    programme that still holds data — ready, paused or archived (an archived programme is
    still subject to retention). Returns how many programmes were sent a task."""
    purge_expired_sessions_task.apply_async(headers={"_schema_name": settings.PUBLIC_SCHEMA_NAME})
    return fan_out(apply_retention_task, include_closed=True)


@shared_task(
    name="tenant_apps.mentoring.tasks.send_message_emails_everywhere_task", ignore_result=True
)
def send_message_emails_everywhere_task() -> int:
    """Beat, every 5 minutes: one "a message is waiting" task per open programme where one is
    due (a message unread and not yet emailed about), each in its schema — found by one EXISTS
    per programme, a few queries for all (tenants.fanout.programmes_where). At 1,000
    programmes, the other ~288,000 tasks a day, each finding nothing, are no longer sent.
    Returns how many were."""
    sql, params = message_emails_due_probe()
    return fan_out_where(send_message_emails_task, sql, params)


@shared_task(name="tenant_apps.mentoring.tasks.send_nudges_everywhere_task", ignore_result=True)
def send_nudges_everywhere_task() -> int:
    """Beat (daily): one nudge task per open programme."""
    return fan_out(send_nudges_task)


@shared_task(
    name="tenant_apps.outcomes.tasks.send_monthly_reports_everywhere_task", ignore_result=True
)
def send_monthly_reports_everywhere_task() -> int:
    """Beat, on the 1st of the month: one monthly report task per open programme."""
    return fan_out(send_monthly_report_task)


@shared_task(acks_late=True, ignore_result=True)
def take_snapshots_task(*, program_ids: list[int] | None = None) -> dict[str, object]:
    """Nightly beat job (and on demand from the console and the client page): today's
    statistics snapshot of every programme that holds data, or only of `program_ids`. One
    task reads the schemas in turn (1,000 programmes in seconds, bench/snapshots.py);
    idempotent — a second run replaces today's rows."""
    return snapshots_take(program_ids=program_ids)


@shared_task(name="tenant_apps.surveys.tasks.process_surveys_everywhere_task", ignore_result=True)
def process_surveys_everywhere_task() -> int:
    """Beat, every 15 minutes: one surveys task per open programme with something due
    (feedback requests, check-ins, the scheduled end-of-programme survey, reminders), each in
    its schema — found by one EXISTS per programme (tenants.fanout.programmes_where) instead
    of ~96,000 tasks a day at 1,000 programmes. Returns how many were sent."""
    sql, params = surveys_due_probe()
    return fan_out_where(process_surveys_task, sql, params)
