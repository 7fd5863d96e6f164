"""What a pair lives on once matched: each person's readable profile, the private thread of the
pair, the goals they share, and the reminders sent to quiet pairs.

Private by default: messages are read by the two people of the pair only (a manager sees
counts, never content); a profile shows only what its owner wrote and the questionnaire answers
the manager marked as shown — never an answer to a "never displayed" question."""

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.matching.models import Match
from tenant_apps.participants.models import Participant

# Languages a person can say they speak on their profile (codes; labels in the forms).
LANGUAGE_CHOICES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("de", _("German")),
    ("it", _("Italian")),
    ("pt", _("Portuguese")),
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("lsf", _("French Sign Language")),
]


class MentoringSettings(models.Model):
    """The relationship settings of the programme (one row, like programs.ProgramSettings, but
    owned by this app)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    nudge_after_days = models.PositiveSmallIntegerField(
        _("remind a pair after this many days without a meeting"),
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
    )
    message_retention_months = models.PositiveSmallIntegerField(
        _("keep a pair's messages this many months after the pair ended"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="mentoring_settings_singleton")
        ]

    def __str__(self) -> str:
        return "mentoring settings"


class Profile(models.Model):
    """What a person shows the people they are or could be paired with."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="mentoring_profile"
    )
    bio = models.TextField(_("a few words about you"), max_length=1000, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    entity = models.CharField(_("organisation or branch"), max_length=150, blank=True)
    languages = ArrayField(
        models.CharField(max_length=5, choices=LANGUAGE_CHOICES),
        verbose_name=_("languages"),
        default=list,
        blank=True,
    )
    # The photo is stored at `photo_path(participant)` (under the person's files prefix, so
    # that erasure deletes it); this says whether there is one and busts caches when it changes.
    photo_updated_at = models.DateTimeField(null=True, blank=True)
    notify_messages = models.BooleanField(_("email me when a message is waiting"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of {self.participant_id}"

    @property
    def has_photo(self) -> bool:
        return self.photo_updated_at is not None


def photo_path(participant: Participant) -> str:
    return f"{participant.files_prefix}photo.jpg"


class Message(models.Model):
    """One message of a pair's thread: plain text, read by the two people only."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["match", "created_at"], name="message_thread_idx")]

    def __str__(self) -> str:
        return f"message {self.pk} in pair {self.match_id}"


class ThreadState(models.Model):
    """Where one person of a pair is in its thread: read up to, and the last email telling them
    a message was waiting (at most one per MESSAGE_EMAIL_EVERY)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["match", "participant"], name="thread_state_unique")
        ]

    def __str__(self) -> str:
        return f"thread {self.match_id} for {self.participant_id}"


class GoalTemplate(models.Model):
    """A goal the manager offers pairs to start from."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class Goal(models.Model):
    """A goal the two people of a pair share, revisited at each meeting."""

    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        ABANDONED = "abandoned", _("Abandoned")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.TODO
    )
    template = models.ForeignKey(
        GoalTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"goal {self.pk} of pair {self.match_id}"


class Nudge(models.Model):
    """A reminder sent to one person of a quiet pair: one per quiet period (`since` is the
    pair's last meeting, or its start)."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    quiet_since = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["match", "participant", "quiet_since"], name="nudge_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"nudge to {self.participant_id} for pair {self.match_id}"
