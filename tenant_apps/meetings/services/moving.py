"""Moving a confirmed meeting: either person proposes new times; the confirmed time stands
until the other accepts one (tenant_apps.meetings.services.answering)."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from audit.log import audit_exempt
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services._shared import (
    PAIR_ACTIVITY,
    Slot,
    _checked_times,
    _locked,
    _slots_add,
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
    slots = _checked_times(
        match=meeting.match, by=by, slots=slots, time_zone=time_zone, now=now, exclude_id=meeting.pk
    )
    meeting.status = Meeting.Status.MOVE_PROPOSED
    meeting.proposal_round += 1
    meeting.proposed_by = by
    meeting.time_zone = time_zone
    meeting.save(
        update_fields=["status", "proposal_round", "proposed_by", "time_zone", "updated_at"]
    )
    _slots_add(meeting, slots)
    _notify(meeting, notice="move_proposed", to=[meeting.other(by)], by=by)
    return meeting
