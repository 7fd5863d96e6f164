"""Erasure of a person (called by tenant_apps.privacy): their live meetings are cancelled,
the free text of their meetings blanked, their private notes deleted."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.log import audit_exempt
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting, MeetingNote
from tenant_apps.meetings.selectors import TIME_HOLDING
from tenant_apps.meetings.services.cancelling import meeting_cancel
from tenant_apps.meetings.services.room import _room_forget
from tenant_apps.participants.models import Participant
from tenant_apps.programs.selectors import program_settings


@audit_exempt("a step of participant erasure, audited by the erasure (privacy.erased)")
@transaction.atomic
def meetings_person_erase(*, participant: Participant) -> None:
    """Erasure of a person (tenant_apps.privacy, once their row is marked erased): their
    meetings that are not over are cancelled by the cancellation service — the other person
    gets the usual email and calendar cancellation (next SEQUENCE), naming the person
    "Participant·e supprimé·e" — and their rooms deleted; the free text of their meetings is
    blanked and their private notes go; times, statuses and attendance stay as anonymous
    statistics."""
    now = timezone.now()
    matches = Match.objects.filter(mentee=participant) | Match.objects.filter(mentor=participant)
    with translation.override(program_settings().language or settings.LANGUAGE_CODE):
        reason = _("The other person has left the programme.")
    live = Meeting.objects.filter(
        match__in=matches, status__in=(Meeting.Status.PROPOSED, *TIME_HOLDING)
    )
    for meeting in live.order_by("pk"):
        if meeting.has_time and meeting.ends_at is not None and meeting.ends_at <= now:
            continue  # over: the other person still says whether it took place
        meeting_cancel(meeting=meeting, by=participant, reason=reason)
    for meeting in Meeting.objects.select_for_update().filter(match__in=matches):
        meeting.decline_reason = meeting.next_steps = ""
        if meeting.cancel_reason != reason:  # free text, possibly about the person
            meeting.cancel_reason = ""
        meeting.save(update_fields=["decline_reason", "cancel_reason", "next_steps"])
        if meeting.video_meeting_id:
            _room_forget(meeting)
    MeetingNote.objects.filter(author=participant).delete()
