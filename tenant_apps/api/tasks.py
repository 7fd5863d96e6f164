from typing import Any

from celery import Task, shared_task
from django.conf import settings

from tenant_apps.api.services import webhook_deliver


def webhook_backoff(retries: int) -> int:
    """Seconds before attempt `retries + 2`: 30, 60, 120… capped at an hour."""
    return int(
        min(settings.WEBHOOK_BACKOFF_SECONDS * 2**retries, settings.WEBHOOK_BACKOFF_MAX_SECONDS)
    )


@shared_task(bind=True, acks_late=True, max_retries=None)
def webhook_deliver_task(self: Task[Any, None], *, delivery_id: int) -> None:
    """One attempt; on failure, Celery tries again after an exponential backoff until
    WEBHOOK_MAX_ATTEMPTS (then webhook_attempt_result marks the delivery failed and counts the
    failure against the endpoint). Without a broker (eager: `dev.py run`, the tests) Celery
    cannot schedule a retry, so the attempts follow each other at once."""
    while webhook_deliver(delivery_id=delivery_id):
        if not self.request.is_eager:
            raise self.retry(countdown=webhook_backoff(self.request.retries))
