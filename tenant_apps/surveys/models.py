"""Feedback and announcements, in the programme's schema.

- `Survey`: one per kind (after a meeting, the relationship check-in, the end of a pair, the end
  of the programme). Its questions are a `programs.QuestionSet`, written with the
  questionnaire's editor. It says who is asked and whether the manager sees the answers with
  the person's name or only aggregated.
- `SurveyInvitation`: who is asked, on which occasion, and whether they have answered (the
  marker the reminders read). It never says what they answered.
- `SurveyResponse`: the answers. For an aggregated-only survey the row holds no participant, no
  pair, no meeting, no invitation and no time but the month: nothing ties it to a person.
- `Announcement`: the manager's word to everyone, to mentors or to mentees.
- `SurveySettings`: this app's own settings (one row), e.g. the check-in rhythm.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant


class SurveySettings(models.Model):
    """One row per schema (constant primary key)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    checkin_first_days = models.PositiveSmallIntegerField(
        _("first check-in, days after the pair starts"), default=30
    )
    checkin_every_days = models.PositiveSmallIntegerField(
        _("then a check-in every (days)"), default=60
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind people who have not answered after (days)"), default=4
    )
    # Answers, invitations and announcements are deleted this many months after they were
    # written (tenant_apps.privacy.services.retention applies it every day).
    retention_months = models.PositiveSmallIntegerField(
        _("keep answers and announcements (months)"), default=24
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="survey_settings_singleton"),
            models.CheckConstraint(
                condition=Q(checkin_first_days__gte=1, checkin_every_days__gte=1),
                name="survey_settings_checkin_days",
            ),
        ]

    def __str__(self) -> str:
        return "survey settings"


class Audience(models.TextChoices):
    EVERYONE = "both", _("Mentees and mentors")
    MENTEES = "mentee", _("Mentees")
    MENTORS = "mentor", _("Mentors")


def audience_roles(audience: str) -> list[str]:
    if audience == Audience.EVERYONE:
        return [Participant.Role.MENTEE, Participant.Role.MENTOR]
    return [audience]


class Survey(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("After each meeting held")
        CHECKIN = "checkin", _("Relationship check-in")
        PAIR_END = "pair_end", _("End of the relationship")
        PROGRAMME_END = "programme_end", _("End of the programme")

    kind = models.CharField(max_length=15, choices=Kind.choices, unique=True)
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    audience = models.CharField(
        _("asked to"), max_length=6, choices=Audience.choices, default=Audience.EVERYONE
    )
    is_anonymous = models.BooleanField(
        _("answers only shown aggregated (the manager never sees who answered what)"),
        default=True,
    )
    is_active = models.BooleanField(_("sent"), default=True)
    question_set = models.OneToOneField(
        "programs.QuestionSet", on_delete=models.PROTECT, related_name="survey"
    )
    # End of the programme: the manager sends it now or on a date; sent once.
    scheduled_for = models.DateTimeField(_("send on"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    def is_for(self, role: str) -> bool:
        return role in audience_roles(self.audience)


class SurveyInvitation(models.Model):
    """A person asked to answer a survey on one occasion; the "has answered" marker. For an
    aggregated-only survey `answered_at` is kept to the day."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    match = models.ForeignKey(
        Match, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What it is about, unique per person and survey: "meeting:12", "checkin:5:2",
    # "pair_end:5", "programme_end". Makes every job safe to run twice.
    occasion = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField()
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "participant", "occasion"], name="survey_invitation_once"
            ),
            models.CheckConstraint(
                condition=Q(reminders_sent__lte=2), name="survey_invitation_two_reminders"
            ),
        ]
        indexes = [
            models.Index(
                fields=["last_sent_at"],
                condition=Q(answered_at__isnull=True),
                name="survey_invitation_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} for {self.participant_id} ({self.occasion})"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class SurveyResponse(models.Model):
    """The answers {question key: value}. Named (participant, pair, meeting, time) only when
    the survey shows answers with names; otherwise nothing here points at a person."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    role = models.CharField(max_length=10, choices=Participant.Role.choices)
    match = models.ForeignKey(
        Match, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(default=dict)
    # Aggregated-only answers: the first day of the month; named ones: the day.
    submitted_on = models.DateField()
    submitted_at = models.DateTimeField(null=True, blank=True)  # named answers only

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        indexes = [models.Index(fields=["survey", "submitted_on"], name="survey_response_idx")]

    def __str__(self) -> str:
        return f"response to {self.survey_id}"


class Announcement(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"))
    audience = models.CharField(_("to"), max_length=6, choices=Audience.choices)
    author = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="announcements",
    )
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def is_for(self, role: str) -> bool:
        return role in audience_roles(self.audience)
