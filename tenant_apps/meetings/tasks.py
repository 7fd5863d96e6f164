from typing import Any

from celery import Task, shared_task
from django_tenants.utils import get_public_schema_name

from saas.core.tasks import fan_out
from saas.core.tenancy import connection
from tenant_apps.meetings.services.reminders import meetings_due_process
from tenant_apps.meetings.services.room import meeting_room_sync
from tenant_apps.video.services import WherebyRateLimited, WherebyUnavailable


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(WherebyUnavailable,),
    retry_backoff=15,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=8,
)
def sync_meeting_room_task(self: Task[Any, None], *, meeting_id: int) -> None:
    """Create, replace or delete the meeting's Whereby room (idempotent)."""
    try:
        meeting_room_sync(meeting_id=meeting_id)
    except WherebyRateLimited as exc:
        raise self.retry(countdown=exc.retry_after, exc=exc) from None


@shared_task(acks_late=True, ignore_result=True)
def process_due_meetings_task() -> int:
    """In one programme: reminders due (24 h and 1 h before), video rooms to create (their join
    window is about to open) and to delete."""
    if connection.schema_name == get_public_schema_name():
        return 0  # the public site's Program row is "ready" too: it has no meetings
    return meetings_due_process()


@shared_task(ignore_result=True)
def process_due_meetings_everywhere_task() -> int:
    """Beat: one task per open programme, each in its schema."""
    return fan_out(process_due_meetings_task)
