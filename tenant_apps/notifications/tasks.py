from smtplib import SMTPException

from celery import shared_task

from saas.core.tasks import retried_on
from tenant_apps.notifications.services import email_mark_failed, email_send


@shared_task(bind=True, **retried_on(SMTPException, OSError, ConnectionError))
def send_email_task(self, *, email_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        email_send(email_id=email_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            email_mark_failed(email_id=email_id, error=type(exc).__name__)
        raise
