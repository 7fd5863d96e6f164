"""Meetings between the two people of a pair (a Match).

Lifecycle (tenant_apps.meetings.services enforces it; each arrow is one service):

    proposed ──accept──▶ confirmed ──propose a move──▶ move_proposed
       │  └─decline─▶ declined        ▲   │   └─accept the move─┐ (new time)
       │                              │   │                     ▼
       │                              │   └────────decline the move (old time stands)
       │                              └──────────────────────── confirmed
       ├─cancel─▶ cancelled ◀─cancel── confirmed / move_proposed
    confirmed / move_proposed ──after the start: mark──▶ held | not_held (correctable)
    confirmed / move_proposed ──both people joined the video (webhook)──▶ held

Times are stored in UTC; `time_zone` is how the people see them (Europe/Paris by default).
The Whereby room is stored here (`video_*`): its URLs appear only on the join page.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.matching.models import Match
from tenant_apps.participants.models import Participant


class Meeting(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for an answer")
        CONFIRMED = "confirmed", _("Confirmed")
        MOVE_PROPOSED = "move_proposed", _("New time proposed")
        DECLINED = "declined", _("Proposal declined")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")
        NOT_HELD = "not_held", _("Did not take place")

    class Outcome(models.TextChoices):
        PARTICIPANT = "participant", _("Marked by a participant")
        VIDEO = "video", _("Both joined the video meeting")

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="meetings")
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PROPOSED)
    # Who proposed the slots waiting for an answer (the first proposal or a move).
    proposed_by = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    proposal_round = models.PositiveSmallIntegerField(default=0)
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The calendar invitation: one UID for the meeting's life, SEQUENCE raised at each change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    decline_reason = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    cancelled_by = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    outcome_source = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    next_steps = models.TextField(blank=True)  # agreed by both, visible to both
    next_steps_updated_at = models.DateTimeField(null=True, blank=True)
    reminder_24h_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_1h_sent_at = models.DateTimeField(null=True, blank=True)
    # The Whereby room (tenant_apps.video): created locked when the join window is about to
    # open, replaced when the meeting moves, deleted when it is cancelled, marked held by one of
    # the two people, and after it. `video_room_url` (the mentee's: she knocks) and
    # `video_host_room_url` (the mentor's: he lets her in) appear only on the join page — never
    # in an email, an export or a log. `video_room_prefix` is written before the room is asked
    # for, so that a retried task finds a room it may already have created.
    video_meeting_id = models.CharField(max_length=64, blank=True)
    video_room_url = models.URLField(max_length=1000, blank=True)
    video_host_room_url = models.URLField(max_length=1000, blank=True)
    video_room_end_at = models.DateTimeField(null=True, blank=True)
    video_room_prefix = models.CharField(max_length=39, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "declined"])
                | Q(starts_at__isnull=False)
                | Q(status="cancelled"),
                name="meeting_confirmed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="meeting_status_start_idx"),
            models.Index(fields=["video_meeting_id"], name="meeting_video_idx"),
        ]

    def __str__(self) -> str:
        return f"meeting {self.pk} ({self.status})"

    def involves(self, participant: Participant) -> bool:
        return self.match.involves(participant)

    def other(self, participant: Participant) -> Participant:
        return self.match.mentor if participant.pk == self.match.mentee_id else self.match.mentee

    @property
    def has_time(self) -> bool:
        """A confirmed time holds (also while a move is being proposed)."""
        return self.status in (self.Status.CONFIRMED, self.Status.MOVE_PROPOSED)


class MeetingSlot(models.Model):
    """A time offered in a proposal (round 0) or a proposed move (round 1, 2...)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="slots")
    proposal_round = models.PositiveSmallIntegerField(default=0)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_slot_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"slot {self.starts_at:%Y-%m-%d %H:%M} of meeting {self.meeting_id}"


class MeetingNote(models.Model):
    """A person's private notes on a meeting: only their author ever sees them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "author"], name="meeting_note_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"note of {self.author_id} on meeting {self.meeting_id}"


class MeetingAttendance(models.Model):
    """Who joined or left the video room, as Whereby's webhooks report it."""

    class Kind(models.TextChoices):
        JOINED = "joined", _("Joined")
        LEFT = "left", _("Left")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    kind = models.CharField(max_length=6, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.kind} meeting {self.meeting_id}"
