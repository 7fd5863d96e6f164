from smtplib import SMTPException

from celery import shared_task

from saas.core.tasks import retried_on
from shared_apps.accounts.services import account_email_send


@shared_task(ignore_result=True, **retried_on(SMTPException, OSError, ConnectionError))
def send_account_email_task(*, user_id: int, template: str, site_url: str) -> None:
    """An email about the account (public schema; see account_email_queue)."""
    account_email_send(user_id=user_id, template=template, site_url=site_url)


@shared_task(acks_late=True, ignore_result=True)
def purge_account_security_task() -> int:
    """Daily (with the audit purge): account security records past their retention."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from shared_apps.accounts.security import account_security_purge

    return account_security_purge(
        before=timezone.now() - timedelta(days=settings.ACCOUNT_SECURITY_RETENTION_DAYS)
    )
