"""What people write about a meeting: each person's private notes, and the next steps the two
agreed on."""

from django.db import transaction
from django.utils import timezone

from audit.log import audit_exempt
from tenant_apps.meetings.models import Meeting, MeetingNote
from tenant_apps.meetings.services._shared import _locked
from tenant_apps.participants.models import Participant


@audit_exempt("a participant's private note; content is personal, not programme state")
@transaction.atomic
def meeting_note_save(*, meeting: Meeting, by: Participant, text: str) -> MeetingNote:
    """The person's private notes on the meeting (seen by nobody else, managers included)."""
    if refusal := meeting.note_refusal(by):
        raise refusal
    note, _created = MeetingNote.objects.update_or_create(
        meeting=meeting, author=by, defaults={"text": text.strip()}
    )
    return note


@audit_exempt("a pair's shared notes; content is personal, not programme state")
@transaction.atomic
def meeting_next_steps_save(*, meeting: Meeting, by: Participant, text: str) -> Meeting:
    """The next steps the two people agreed on: shared, either can edit them."""
    meeting = _locked(meeting)
    if refusal := meeting.next_steps_refusal(by):
        raise refusal
    meeting.next_steps = text.strip()
    meeting.next_steps_updated_at = timezone.now()
    meeting.save(update_fields=["next_steps", "next_steps_updated_at", "updated_at"])
    return meeting
