from typing import Any

from celery import Task, shared_task

from tenant_apps.video.client import WherebyRateLimited, WherebyUnavailable
from tenant_apps.video.services import room_delete


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(WherebyUnavailable,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def delete_video_room_task(self: Task[Any, None], *, video_meeting_id: str) -> None:
    """Delete a Whereby room (idempotent: deleting twice is fine)."""
    try:
        room_delete(video_meeting_id=video_meeting_id)
    except WherebyRateLimited as exc:
        raise self.retry(countdown=exc.retry_after, exc=exc) from None
