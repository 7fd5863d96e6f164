"""Cancelling a meeting that is not over, with a reason."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_record, audited
from saas.core.errors import ValidationFailed
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services._shared import _locked
from tenant_apps.meetings.services.invitations import _notify
from tenant_apps.meetings.services.room import _room_sync_later
from tenant_apps.participants.models import Participant


@transaction.atomic
@audited
def meeting_cancel(*, meeting: Meeting, by: Participant, reason: str) -> Meeting:
    """Either person cancels, with a reason, a meeting that is not over. A meeting that had a
    time gets the calendar cancellation; its video room is deleted."""
    now = timezone.now()
    meeting = _locked(meeting)
    if refusal := meeting.cancel_refusal(by, now):
        raise refusal
    if not reason.strip():
        raise ValidationFailed(
            _("Give a reason for the cancellation."),
            fields={"reason": [_("Give a reason for the cancellation.")]},
        )
    had_time = meeting.has_time
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting.cancelled_by = by
    meeting.cancelled_at = now
    fields = ["status", "cancel_reason", "cancelled_by", "cancelled_at", "updated_at"]
    if had_time:
        meeting.sequence += 1
        fields.append("sequence")
    meeting.save(update_fields=fields)
    audit_record(action="meeting.cancelled", target=meeting, details={"had_time": had_time})
    if had_time:
        people = [meeting.match.mentee, meeting.match.mentor]
        _notify(meeting, notice="cancelled", to=people, by=by, ics_method="CANCEL", now=now)
        _room_sync_later(meeting)
    else:
        _notify(meeting, notice="cancelled", to=[meeting.other(by)], by=by)
    return meeting
