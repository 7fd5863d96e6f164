from typing import Any

from celery import Task, shared_task

from saas.core.tasks import retried_on
from tenant_apps.video.client import WherebyRateLimited, WherebyUnavailable
from tenant_apps.video.services import room_delete


@shared_task(bind=True, **retried_on(WherebyUnavailable))
def delete_video_room_task(self: Task[Any, None], *, video_meeting_id: str) -> None:
    """Delete a Whereby room (idempotent: deleting twice is fine)."""
    try:
        room_delete(video_meeting_id=video_meeting_id)
    except WherebyRateLimited as exc:
        raise self.retry(countdown=exc.retry_after, exc=exc) from None
