"""Meetings between the two people of a pair (a Match).

Lifecycle (the guards below decide; each arrow is one service of tenant_apps.meetings.services):

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

The state machine lives on the model, in one place: for each transition a guard
(`accept_refusal(by)`, `move_refusal(by, now)`, …) returns the error that refuses it, or None,
and a predicate (`can_accept(by)`, `can_move(by, now)`, …) says whether it is allowed. The
services raise the guard's error; the views give the predicates to the templates, which compare
no status themselves. tenant_apps/meetings/tests/test_state_machine.py checks, for every state,
person and time, that what the page offers is exactly what the services allow.
"""

import uuid
from datetime import datetime, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from saas.core.errors import ApplicationError, Conflict, NotAllowed, ValidationFailed
from tenant_apps.matching.models import Match
from tenant_apps.participants.models import Participant

# The join page opens 15 minutes before the start and closes 30 minutes after the end.
JOIN_OPENS_BEFORE = timedelta(minutes=15)
JOIN_CLOSES_AFTER = timedelta(minutes=30)


class JoinRefusal:
    """Why a person may not open a meeting's video room now."""

    NOT_YOURS = "not_yours"
    NOT_CONFIRMED = "not_confirmed"
    CANCELLED = "cancelled"
    TOO_EARLY = "too_early"
    OVER = "over"
    PREPARING = "preparing"


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

    # --- what the meeting is (for templates: they compare no status themselves) ---------------

    @property
    def has_time(self) -> bool:
        """A confirmed time holds (also while a move is being proposed)."""
        return self.status in TIME_HOLDING

    @property
    def is_waiting_for_answer(self) -> bool:
        """Times are proposed (a first proposal, or a move) and the other person has to answer."""
        return self.status in (self.Status.PROPOSED, self.Status.MOVE_PROPOSED)

    @property
    def is_move_proposed(self) -> bool:
        return self.status == self.Status.MOVE_PROPOSED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_declined(self) -> bool:
        return self.status == self.Status.DECLINED

    @property
    def is_called_off(self) -> bool:
        """Cancelled or declined: it will not take place."""
        return self.status in CALLED_OFF

    @property
    def is_room_usable(self) -> bool:
        """Whether the meeting's status lets its video room exist (time aside): not once a
        participant marked it held (it took place: its room is deleted). Held because both
        joined the video, as Whereby reported, keeps its room: they are in it."""
        if self.status not in JOINABLE:
            return False
        return not (
            self.status == self.Status.HELD and self.outcome_source == self.Outcome.PARTICIPANT
        )

    def join_window(self) -> tuple[datetime, datetime] | None:
        if self.starts_at is None or self.ends_at is None:
            return None
        return self.starts_at - JOIN_OPENS_BEFORE, self.ends_at + JOIN_CLOSES_AFTER

    # --- the state machine: one guard per transition, and its predicate ----------------------
    # A guard returns the refusal the service raises (nothing changes), or None: allowed.

    def _person_refusal(self, by: Participant) -> ApplicationError | None:
        if not self.involves(by):
            return NotAllowed(gettext("Only the two people of this meeting can do that."))
        return None

    def accept_refusal(self, by: Participant) -> ApplicationError | None:
        """Accepting one of the proposed times (of a proposal or of a proposed move): the
        other person than the proposer, while the pair is active."""
        if refusal := self._answer_refusal(by):
            return refusal
        if self.match.status != Match.Status.ACTIVE:
            return Conflict(gettext("This pairing is not active."))
        return None

    def slot_refusal(self, slot: "MeetingSlot", now: datetime) -> ApplicationError | None:
        """A proposed time can be accepted while it is still to come."""
        if slot.starts_at <= now:
            return ValidationFailed(gettext("This time has passed. Choose another one or decline."))
        return None

    def decline_refusal(self, by: Participant) -> ApplicationError | None:
        """Declining a proposal, or a proposed move (the confirmed time then stands)."""
        return self._answer_refusal(by)

    def _answer_refusal(self, by: Participant) -> ApplicationError | None:
        if refusal := self._person_refusal(by):
            return refusal
        if not self.is_waiting_for_answer:
            return Conflict(gettext("This meeting is not waiting for an answer."))
        if by.pk == self.proposed_by_id:
            return NotAllowed(gettext("The other person answers your proposal."))
        return None

    def move_refusal(self, by: Participant, now: datetime) -> ApplicationError | None:
        """Proposing new times for a confirmed meeting that has not started."""
        if refusal := self._person_refusal(by):
            return refusal
        if self.status != self.Status.CONFIRMED:
            return Conflict(gettext("Only a confirmed meeting can be moved."))
        assert self.starts_at is not None  # a confirmed meeting has its time (constraint)
        if self.starts_at <= now:
            return Conflict(gettext("This meeting has started: it can no longer be moved."))
        return None

    def cancel_refusal(self, by: Participant, now: datetime) -> ApplicationError | None:
        """Cancelling a proposal, or a meeting whose time holds and is not over."""
        if refusal := self._person_refusal(by):
            return refusal
        if self.status not in (self.Status.PROPOSED, *TIME_HOLDING):
            return Conflict(gettext("This meeting can no longer be cancelled."))
        if self.has_time and self.ends_at is not None and self.ends_at <= now:
            return Conflict(gettext("This meeting is over: say whether it took place instead."))
        return None

    def outcome_refusal(self, by: Participant, now: datetime) -> ApplicationError | None:
        """Saying whether a confirmed meeting took place (held / not held, correctable), once
        it has started."""
        if refusal := self._person_refusal(by):
            return refusal
        if self.status not in JOINABLE:
            return Conflict(gettext("Only a confirmed meeting can be marked as held or not held."))
        assert self.starts_at is not None  # a confirmed meeting has its time (constraint)
        if self.starts_at > now:
            return Conflict(
                gettext("You can say whether the meeting took place once it has started.")
            )
        return None

    def next_steps_refusal(self, by: Participant) -> ApplicationError | None:
        """Editing the next steps the two agreed on: any time, unless it was called off."""
        if refusal := self._person_refusal(by):
            return refusal
        if self.is_called_off:
            return Conflict(gettext("This meeting was cancelled."))
        return None

    def note_refusal(self, by: Participant) -> ApplicationError | None:
        """Writing one's private notes: either person, whatever the state."""
        return self._person_refusal(by)

    def join_refusal(self, by: Participant | None, now: datetime) -> str | None:
        """Why `by` may not open the meeting's video room now (a JoinRefusal), None: they may."""
        if by is None or not self.involves(by) or by.status != Participant.Status.ACTIVE:
            return JoinRefusal.NOT_YOURS
        if self.is_called_off:
            return JoinRefusal.CANCELLED
        window = self.join_window()
        if self.status not in JOINABLE or window is None:
            return JoinRefusal.NOT_CONFIRMED
        if now < window[0]:
            return JoinRefusal.TOO_EARLY
        if now >= window[1] or not self.is_room_usable:
            return JoinRefusal.OVER
        if not (self.video_room_url and self.video_host_room_url):
            return JoinRefusal.PREPARING
        return None

    def can_accept(self, by: Participant) -> bool:
        return self.accept_refusal(by) is None

    def can_accept_slot(self, by: Participant, slot: "MeetingSlot", now: datetime) -> bool:
        return self.can_accept(by) and self.slot_refusal(slot, now) is None

    def can_decline(self, by: Participant) -> bool:
        return self.decline_refusal(by) is None

    def can_move(self, by: Participant, now: datetime) -> bool:
        return self.move_refusal(by, now) is None

    def can_cancel(self, by: Participant, now: datetime) -> bool:
        return self.cancel_refusal(by, now) is None

    def can_mark_outcome(self, by: Participant, now: datetime) -> bool:
        return self.outcome_refusal(by, now) is None

    def can_edit_next_steps(self, by: Participant) -> bool:
        return self.next_steps_refusal(by) is None

    def can_write_note(self, by: Participant) -> bool:
        return self.note_refusal(by) is None

    def can_join(self, by: Participant | None, now: datetime) -> bool:
        return self.join_refusal(by, now) is None


# Statuses in which a confirmed time holds (and counts for overlaps).
TIME_HOLDING = (Meeting.Status.CONFIRMED, Meeting.Status.MOVE_PROPOSED)
# Statuses in which the video room may be used during the window.
JOINABLE = (*TIME_HOLDING, Meeting.Status.HELD, Meeting.Status.NOT_HELD)
# Not cancelled nor declined.
LIVE = (Meeting.Status.PROPOSED, *JOINABLE)
# Will not take place.
CALLED_OFF = (Meeting.Status.CANCELLED, Meeting.Status.DECLINED)


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
