from celery import shared_task
from django.conf import settings

from tenant_apps.api.services import webhook_deliver


@shared_task(bind=True, acks_late=True, max_retries=None)
def webhook_deliver_task(self, *, delivery_id: int) -> None:  # type: ignore[no-untyped-def]
    """One attempt; on failure, again after 30 s, 1 min, 2 min… (exponential backoff, capped)
    until WEBHOOK_MAX_ATTEMPTS (webhook_attempt_result marks the delivery failed)."""
    if webhook_deliver(delivery_id=delivery_id):
        countdown = min(
            settings.WEBHOOK_BACKOFF_SECONDS * 2**self.request.retries,
            settings.WEBHOOK_BACKOFF_MAX_SECONDS,
        )
        raise self.retry(countdown=countdown)
