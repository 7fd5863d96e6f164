"""The video room of a meeting, through tenant_apps.video's two entry points (`room_create`,
`room_delete`, the latter queued as its task): made locked when the join window is about to
open, replaced when the meeting moves, deleted when it is cancelled, marked held, or over."""

import logging
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from audit.log import audit_exempt
from saas.core.tasks import enqueue_on_commit
from saas.core.tenancy import connection
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.selectors import JOIN_CLOSES_AFTER, ROOM_CREATED_BEFORE, room_is_usable
from tenant_apps.video.services import room_create, room_name_prefix
from tenant_apps.video.tasks import delete_video_room_task

logger = logging.getLogger(__name__)

ROOM_END_MARGIN = timedelta(minutes=15)  # the room's endDate: the meeting's end + 15 min
ROOM_PREPARE_EVERY = 60  # seconds: how often a page may ask for a missing room


@audit_exempt("asks the task that makes the room; video rooms are not audited state")
def meeting_room_prepare(*, meeting: Meeting) -> None:
    """A join page found the window open and the room missing (the periodic job has not run
    yet, or gave up): ask for the room now — at most once a minute per meeting; the task is
    idempotent. Never fails the page."""
    if meeting.video_meeting_id:
        return
    if not cache.add(f"meeting-room-prepare:{meeting.pk}", True, ROOM_PREPARE_EVERY):
        return
    try:
        _room_sync_later(meeting)
    except Exception as exc:  # tasks run in-process locally: Whereby's errors surface here
        logger.warning("video room of meeting %s not prepared: %s", meeting.pk, type(exc).__name__)


def _room_sync_later(meeting: Meeting) -> None:
    # tasks.py imports this package (a task is a service call): imported when used.
    from tenant_apps.meetings.tasks import sync_meeting_room_task

    enqueue_on_commit(sync_meeting_room_task, meeting_id=meeting.pk)


def _room_wanted(meeting: Meeting, now: datetime) -> datetime | None:
    """The endDate the meeting's room should have, or None when it should have none: a room
    exists only from a little before the join window opens (ROOM_CREATED_BEFORE the start) until
    the window closes, while the meeting may be joined (not once a participant marked it held)."""
    if not room_is_usable(meeting) or meeting.starts_at is None or meeting.ends_at is None:
        return None
    if now < meeting.starts_at - ROOM_CREATED_BEFORE:
        return None
    if now >= meeting.ends_at + JOIN_CLOSES_AFTER:
        return None
    return meeting.ends_at + ROOM_END_MARGIN


def _room_is_current(meeting: Meeting, wanted: datetime) -> bool:
    return bool(meeting.video_meeting_id) and meeting.video_room_end_at == wanted


def _room_forget(meeting: Meeting) -> None:
    """Drop the room from the meeting now; Whereby deletes it after commit."""
    video_meeting_id = meeting.video_meeting_id
    meeting.video_meeting_id = meeting.video_room_url = meeting.video_host_room_url = ""
    meeting.video_room_prefix = ""
    meeting.video_room_end_at = None
    meeting.save(
        update_fields=[
            "video_meeting_id",
            "video_room_url",
            "video_host_room_url",
            "video_room_prefix",
            "video_room_end_at",
        ]
    )
    _room_delete_later(video_meeting_id)


def _room_delete_later(video_meeting_id: str) -> None:
    """Whereby deletes the room after commit (tenant_apps.video's task, `room_delete`)."""
    if video_meeting_id:
        enqueue_on_commit(delete_video_room_task, video_meeting_id=video_meeting_id)


@audit_exempt("delivery: creates or deletes the Whereby room of a meeting already recorded")
def meeting_room_sync(*, meeting_id: int, now: datetime | None = None) -> None:
    """Bring the meeting's Whereby room in line with the meeting: create it, locked, when the
    join window is about to open (endDate = end + 15 min), replace it when the meeting moved,
    delete it when the meeting is cancelled, marked held or over.

    No row lock is held while Whereby answers (up to a minute with the retries): accepting,
    moving or cancelling the meeting never waits for it. Three steps:
    1. a short transaction records the intent (`video_room_prefix`, unique to the meeting and
       its time) — a run that crashes or loses Whereby's answer after this finds its room by
       that prefix next time instead of making a second one;
    2. Whereby is called outside any transaction;
    3. a short transaction stores the room if the meeting still wants exactly it, and otherwise
       deletes the room just made (the meeting was cancelled or moved meanwhile, or a
       concurrent run stored another room first).
    Idempotent, including when run twice at once."""
    now = now or timezone.now()
    # Step 1 (short): decide, and record which room we are about to ask for.
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None:
            return
        wanted = _room_wanted(meeting, now)
        if wanted is None:
            if meeting.video_meeting_id:
                _room_forget(meeting)
            return
        if _room_is_current(meeting, wanted):
            return
        prefix = room_name_prefix(
            schema_name=connection.schema_name, key=f"m{meeting.pk}s{meeting.sequence}"
        )
        may_exist = meeting.video_room_prefix == prefix
        if not may_exist:
            meeting.video_room_prefix = prefix
            meeting.save(update_fields=["video_room_prefix"])
    # Step 2: Whereby, outside any transaction (no lock held).
    room = room_create(room_name_prefix=prefix, end_date=wanted, adopt_existing=may_exist)
    # Step 3 (short): keep the room if the meeting still wants it, else delete it.
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is not None and meeting.video_meeting_id == room.meeting_id:
            return  # a concurrent run stored this very room
        still_wanted = meeting is not None and _room_wanted(meeting, now) == wanted
        if (
            meeting is None
            or not still_wanted
            or meeting.video_room_prefix != prefix
            or _room_is_current(meeting, wanted)
        ):
            logger.info("video room %s no longer wanted: deleted", room.meeting_id)
            _room_delete_later(room.meeting_id)
            return
        previous = meeting.video_meeting_id
        meeting.video_meeting_id = room.meeting_id
        meeting.video_room_url = room.room_url
        meeting.video_host_room_url = room.host_room_url
        meeting.video_room_end_at = wanted
        meeting.save(
            update_fields=[
                "video_meeting_id",
                "video_room_url",
                "video_host_room_url",
                "video_room_end_at",
            ]
        )
        logger.info("video room %s ready for meeting %s", room.meeting_id, meeting.pk)
        if previous:
            _room_delete_later(previous)
