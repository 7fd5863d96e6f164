"""The periodic job of a programme: reminders (24 h and 1 h before) and the video rooms to
create or delete."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.log import audit_exempt
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.selectors import TIME_HOLDING, meetings_due
from tenant_apps.meetings.services._shared import REMINDER_1H, REMINDER_24H
from tenant_apps.meetings.services.invitations import _notify
from tenant_apps.meetings.services.room import meeting_room_sync
from tenant_apps.video.services import WherebyError

logger = logging.getLogger(__name__)


@audit_exempt("scheduling job: queues reminders and video rooms for meetings already recorded")
def meetings_due_process(*, now: datetime | None = None) -> int:
    """In one programme: send the reminders that are due, create the video rooms of meetings
    whose join window is about to open (or still missing in it), and delete those of meetings
    that are over, cancelled or marked held.
    One query when nothing is due. Returns how many meetings were handled."""
    now = now or timezone.now()
    meeting_ids = meetings_due(now=now)
    for meeting_id in meeting_ids:
        meeting_reminder_send(meeting_id=meeting_id, now=now)
        try:
            meeting_room_sync(meeting_id=meeting_id, now=now)
        except WherebyError as exc:  # the reminders do not wait for Whereby
            logger.warning(
                "video room of meeting %s not synced: %s", meeting_id, type(exc).__name__
            )
    return len(meeting_ids)


@audit_exempt("delivery: emails a reminder for a meeting already recorded")
@transaction.atomic
def meeting_reminder_send(*, meeting_id: int, now: datetime | None = None) -> str | None:
    """Send the reminder due for one meeting, once: the row is locked and the sent time is
    written in the same transaction as the emails. Returns "24h", "1h" or None."""
    now = now or timezone.now()
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("match__mentee__user", "match__mentor__user")
        .filter(pk=meeting_id, status__in=TIME_HOLDING, starts_at__gt=now)
        .first()
    )
    if meeting is None or meeting.starts_at is None:  # (starts_at__gt above: never None)
        return None
    lead = meeting.starts_at - now
    if lead <= REMINDER_1H and meeting.reminder_1h_sent_at is None:
        kind = "1h"
        meeting.reminder_1h_sent_at = now
        meeting.reminder_24h_sent_at = meeting.reminder_24h_sent_at or now
    elif lead <= REMINDER_24H and lead > REMINDER_1H and meeting.reminder_24h_sent_at is None:
        kind = "24h"
        meeting.reminder_24h_sent_at = now
    else:
        return None
    meeting.save(update_fields=["reminder_24h_sent_at", "reminder_1h_sent_at"])
    people = [meeting.match.mentee, meeting.match.mentor]
    _notify(meeting, notice=f"reminder_{kind}", to=people)
    return kind
