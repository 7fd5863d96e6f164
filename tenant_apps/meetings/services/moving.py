"""Moving a confirmed meeting: either person proposes new times; the confirmed time stands
until the other accepts one (tenant_apps.meetings.services.answering)."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from audit.log import audit_exempt
from tenant_apps.meetings.models import Meeting, MeetingSlot
from tenant_apps.meetings.services._shared import (
    PAIR_ACTIVITY,
    Slot,
    _check_overlaps,
    _check_slots,
    _check_time_zone,
    _lock_people,
    _locked,
)
from tenant_apps.meetings.services.invitations import _notify
from tenant_apps.participants.models import Participant


@audit_exempt(PAIR_ACTIVITY)
@transaction.atomic
def meeting_move_propose(
    *, meeting: Meeting, by: Participant, slots: Sequence[Slot], time_zone: str | None = None
) -> Meeting:
    """Reschedule: either person proposes new times for a confirmed meeting that has not
    started. Until the other accepts one, the confirmed time stands."""
    now = timezone.now()
    meeting = _locked(meeting)
    if refusal := meeting.move_refusal(by, now):
        raise refusal
    time_zone = time_zone or meeting.time_zone
    _check_time_zone(time_zone)
    slots = _check_slots(slots, now=now)
    _lock_people(meeting.match)
    _check_overlaps(match=meeting.match, by=by, slots=slots, exclude_id=meeting.pk, tz=time_zone)
    meeting.status = Meeting.Status.MOVE_PROPOSED
    meeting.proposal_round += 1
    meeting.proposed_by = by
    meeting.time_zone = time_zone
    meeting.save(
        update_fields=["status", "proposal_round", "proposed_by", "time_zone", "updated_at"]
    )
    MeetingSlot.objects.bulk_create(
        MeetingSlot(meeting=meeting, proposal_round=meeting.proposal_round, starts_at=s, ends_at=e)
        for s, e in slots
    )
    _notify(meeting, notice="move_proposed", to=[meeting.other(by)], by=by)
    return meeting
