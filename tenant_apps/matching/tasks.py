from datetime import datetime
from typing import Any

from celery import shared_task
from django.utils import timezone

from tenant_apps.matching.models import MatchRequest
from tenant_apps.matching.services import requests_expire


@shared_task(acks_late=True, ignore_result=True)
def expire_requests_task() -> int:
    """In one programme: expire the mentees' requests left unanswered."""
    return requests_expire()


def expiring_requests_probe(*, now: datetime | None = None) -> tuple[str, list[Any]]:
    """The SQL that finds a row in a programme exactly when `expire_requests_task` would expire
    a request there: the service's own filter (for the beat job, tenants.tasks)."""
    due = MatchRequest.objects.filter(
        status=MatchRequest.Status.PENDING, expires_at__lte=now or timezone.now()
    )
    sql, params = due.values("pk")[:1].query.sql_with_params()
    return sql, list(params)
