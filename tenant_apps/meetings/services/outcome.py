"""Whether a meeting took place: either person says so once it has started, or Whereby's
webhooks report that both people joined its video room."""

from django.db import transaction
from django.utils import timezone

from audit.log import audit_exempt
from tenant_apps.meetings.models import Meeting, MeetingAttendance
from tenant_apps.meetings.selectors import TIME_HOLDING
from tenant_apps.meetings.services._shared import PAIR_ACTIVITY, _locked
from tenant_apps.meetings.services.room import _room_forget
from tenant_apps.participants.models import Participant
from tenant_apps.video.webhooks import VideoEvent


@audit_exempt(PAIR_ACTIVITY)
@transaction.atomic
def meeting_outcome_set(*, meeting: Meeting, by: Participant, is_held: bool) -> Meeting:
    """Once it has started, either person says whether the meeting took place (and may correct
    it). Saying it again changes nothing."""
    now = timezone.now()
    meeting = _locked(meeting)
    if refusal := meeting.outcome_refusal(by, now):
        raise refusal
    status = Meeting.Status.HELD if is_held else Meeting.Status.NOT_HELD
    if meeting.status == status:
        return meeting
    meeting.status = status
    meeting.outcome_source = Meeting.Outcome.PARTICIPANT
    meeting.outcome_at = now
    meeting.save(update_fields=["status", "outcome_source", "outcome_at", "updated_at"])
    if is_held and meeting.video_meeting_id:
        _room_forget(meeting)  # it took place: its room is closed (deleted on commit)
    return meeting


@audit_exempt("pure: computes an identifier")
def external_id_for(participant: Participant) -> str:
    """What the join page passes to Whereby as `externalId`: an internal number, no name."""
    return f"p{participant.pk}"


def _participant_for(meeting: Meeting, event: VideoEvent) -> int | None:
    people = {external_id_for(p): p.pk for p in (meeting.match.mentee, meeting.match.mentor)}
    if event.external_id in people:
        return people[event.external_id]
    if event.role_name in ("host", "owner"):
        return meeting.match.mentor_id  # the host URL is only given to the mentor
    return None


@audit_exempt(
    "records attendance reported by a signed video webhook; the attendance row is the record"
)
def meeting_video_event_handle(*, event: VideoEvent) -> None:
    """WHEREBY_EVENT_HANDLER: record who joined or left the video room (called once per event,
    in the programme's schema, inside the transaction that records the event id). When both
    people have joined, the meeting counts as held."""
    kinds = {
        "room.client.joined": MeetingAttendance.Kind.JOINED,
        "room.client.left": MeetingAttendance.Kind.LEFT,
    }
    if event.type not in kinds:
        return
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("match")
        .filter(video_meeting_id=event.meeting_id)
        .first()
    )
    if meeting is None:
        return
    MeetingAttendance.objects.create(
        meeting=meeting,
        participant_id=_participant_for(meeting, event),
        kind=kinds[event.type],
        occurred_at=event.created_at,
    )
    if kinds[event.type] != MeetingAttendance.Kind.JOINED or meeting.status not in TIME_HOLDING:
        return
    joined = set(
        meeting.attendance.filter(kind=MeetingAttendance.Kind.JOINED).values_list(
            "participant_id", flat=True
        )
    )
    if {meeting.match.mentee_id, meeting.match.mentor_id} <= joined:
        meeting.status = Meeting.Status.HELD
        meeting.outcome_source = Meeting.Outcome.VIDEO
        meeting.outcome_at = timezone.now()
        meeting.save(update_fields=["status", "outcome_source", "outcome_at", "updated_at"])
