from smtplib import SMTPException
from typing import Any

from celery import Task, shared_task

from saas.core.tasks import retried_on
from tenant_apps.notifications.services import email_mark_failed, email_send


@shared_task(bind=True, **retried_on(SMTPException, OSError, ConnectionError))
def send_email_task(self: Task[Any, None], *, email_id: int) -> None:
    try:
        email_send(email_id=email_id)
    except Exception as exc:
        if self.max_retries is not None and self.request.retries >= self.max_retries:
            email_mark_failed(email_id=email_id, error=type(exc).__name__)
        raise
