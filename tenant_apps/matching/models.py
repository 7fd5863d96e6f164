"""Mentoring pairs. A match has a lifecycle: proposed (a draft the manager reviews, or a
mentee's request waiting for the mentor) → active → ended (with a reason). Ending frees the
mentor's capacity; a former pair is never proposed again."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.participants.models import Participant


class Match(models.Model):
    # The end reason of the pairs of a person whose data was erased (tenant_apps.privacy).
    ERASURE = "erasure"

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Paired by a manager")
        BATCH = "batch", _("Matching run")
        REQUEST = "request", _("Mentee's choice")

    mentee = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="matches_as_mentee"
    )
    mentor = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="matches_as_mentor"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    score = models.FloatField(null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    is_locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            # A mentee has at most one mentor at a time.
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(status="active"), name="match_one_active_per_mentee"
            ),
            # The same two people are never paired twice while a pairing is open.
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=~Q(status="ended"),
                name="match_pair_open_once",
            ),
            models.CheckConstraint(
                condition=~Q(mentee=models.F("mentor")), name="match_two_people"
            ),
        ]
        indexes = [models.Index(fields=["mentor", "status"], name="match_mentor_status_idx")]

    def __str__(self) -> str:
        return f"{self.mentee_id} ↔ {self.mentor_id} ({self.status})"

    def involves(self, participant: Participant) -> bool:
        return participant.pk in (self.mentee_id, self.mentor_id)

    @property
    def end_reason_display(self) -> str:
        if self.end_reason == self.ERASURE:
            return _("One of the two people's data was erased.")  # type: ignore[return-value]
        return self.end_reason


class MatchBan(models.Model):
    """Two people the manager never wants paired (removed from a proposal)."""

    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentee", "mentor"], name="match_ban_unique")
        ]

    def __str__(self) -> str:
        return f"never {self.mentee_id} with {self.mentor_id}"


class MatchRequest(models.Model):
    """A mentee asks a mentor ("mentee choice" mode). The first acceptance wins: the mentee's
    other pending requests are withdrawn. Unanswered, it expires after the programme's delay."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="requests_sent")
    mentor = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="requests_received"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    match = models.OneToOneField(
        Match, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=Q(status="pending"),
                name="match_request_pending_once",
            )
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="match_request_due_idx")]

    def __str__(self) -> str:
        return f"{self.mentee_id} asks {self.mentor_id} ({self.status})"
