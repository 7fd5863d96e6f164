"""Answering a proposal (or a proposed move): the other person accepts one of the times or
declines."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_exempt
from saas.core.errors import ValidationFailed
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services._shared import (
    PAIR_ACTIVITY,
    _check_overlaps,
    _lock_people,
    _locked,
    _reminders_reset,
)
from tenant_apps.meetings.services.invitations import _notify
from tenant_apps.meetings.services.room import _room_sync_later
from tenant_apps.participants.models import Participant


@audit_exempt(PAIR_ACTIVITY)
@transaction.atomic
def meeting_accept(*, meeting: Meeting, by: Participant, slot_id: int) -> Meeting:
    """The other person accepts one of the proposed times: the meeting is confirmed (or moved),
    both get the calendar invitation, and the video room is brought in line (made now if the
    join window is about to open, else later by the periodic job; a moved meeting's old room
    is deleted)."""
    now = timezone.now()
    meeting = _locked(meeting)
    if refusal := meeting.accept_refusal(by):
        raise refusal
    slot = meeting.slots.filter(pk=slot_id, proposal_round=meeting.proposal_round).first()
    if slot is None:
        raise ValidationFailed(_("Choose one of the proposed times."))
    if refusal := meeting.slot_refusal(slot, now):
        raise refusal
    _lock_people(meeting.match)
    _check_overlaps(
        match=meeting.match,
        by=by,
        slots=[(slot.starts_at, slot.ends_at)],
        exclude_id=meeting.pk,
        tz=meeting.time_zone,
    )
    is_move = meeting.status == Meeting.Status.MOVE_PROPOSED
    meeting.status = Meeting.Status.CONFIRMED
    meeting.starts_at, meeting.ends_at = slot.starts_at, slot.ends_at
    meeting.confirmed_at = now
    if is_move:
        meeting.sequence += 1
    _reminders_reset(meeting, now)
    meeting.save(
        update_fields=[
            "status",
            "starts_at",
            "ends_at",
            "confirmed_at",
            "sequence",
            "reminder_24h_sent_at",
            "reminder_1h_sent_at",
            "updated_at",
        ]
    )
    people = [meeting.match.mentee, meeting.match.mentor]
    _notify(
        meeting,
        notice="moved" if is_move else "confirmed",
        to=people,
        by=by,
        ics_method="REQUEST",
        now=now,
    )
    _room_sync_later(meeting)
    return meeting


@audit_exempt(PAIR_ACTIVITY)
@transaction.atomic
def meeting_decline(*, meeting: Meeting, by: Participant, reason: str = "") -> Meeting:
    """The other person declines: a proposal ends there; a proposed move is dropped and the
    confirmed time stands."""
    meeting = _locked(meeting)
    if refusal := meeting.decline_refusal(by):
        raise refusal
    proposer = meeting.other(by)
    meeting.decline_reason = reason.strip()
    if meeting.status == Meeting.Status.PROPOSED:
        meeting.status = Meeting.Status.DECLINED
        notice = "declined"
    else:
        meeting.status = Meeting.Status.CONFIRMED
        notice = "move_declined"
    meeting.save(update_fields=["status", "decline_reason", "updated_at"])
    _notify(meeting, notice=notice, to=[proposer], by=by)
    return meeting
