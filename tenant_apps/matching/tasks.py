from celery import shared_task

from tenant_apps.matching.services import requests_expire


@shared_task(acks_late=True, ignore_result=True)
def expire_requests_task() -> int:
    """In one programme: expire the mentees' requests left unanswered."""
    return requests_expire()
