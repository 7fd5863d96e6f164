from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Participant(models.Model):
    """A person's membership of this programme: the role and status live here, in the
    programme's schema; the identity (email, password) is the shared accounts.User."""

    class Role(models.TextChoices):
        MENTEE = "mentee", _("Mentee")
        MENTOR = "mentor", _("Mentor")
        MANAGER = "manager", _("Programme manager")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")
        DEACTIVATED = "deactivated", _("Deactivated")
        # The person's data was erased (tenant_apps.privacy.services.erasure): the row stays,
        # tied to an anonymous placeholder account, for the statistics. Final: never active again.
        ERASED = "erased", _("Erased")

    # DO_NOTHING: the collector must not look for participants from the public schema, where
    # this table does not exist. The database constraint still forbids deleting a user that
    # has participants; erasure (tenant_apps.privacy) removes them first.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="participant"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.INVITED
    )

    class JoinedVia(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REGISTRATION = "registration", _("Registration")
        IMPORT = "import", _("Import")

    joined_via = models.CharField(
        max_length=12, choices=JoinedVia.choices, default=JoinedVia.INVITATION
    )
    privacy_consent_at = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("mentees at a time"), default=2, help_text=_("From 1 to 10.")
    )
    is_available = models.BooleanField(_("available for a new pairing"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    last_active_at = models.DateTimeField(null=True, blank=True)
    retention_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["role", "status"], name="participant_role_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=10),
                name="participant_capacity_1_10",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.role})"

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER

    @property
    def is_erased(self) -> bool:
        return self.status == self.Status.ERASED

    @property
    def display_name(self) -> str:
        """How every page and email names the person: their name (or address), and for an
        erased person "Participant·e supprimé·e" — never the placeholder account. Lazy, so an
        email renders it in the programme's language."""
        if self.is_erased:
            return _("Deleted participant")  # type: ignore[return-value]
        return self.user.get_full_name() or self.user.email

    @property
    def files_prefix(self) -> str:
        """Where any file of this person is stored (under the programme's own prefix): one
        prefix, so that erasure deletes every version of every file of theirs at once."""
        return f"participants/{self.pk}/"

    @property
    def display_email(self) -> str:
        """The address shown to a manager; none for an erased person."""
        return "" if self.is_erased else self.user.email


class AccessLink(models.Model):
    """A signed, single-use link to a person's secure space (invitation, sign-up
    confirmation). Only the SHA-256 of the token is stored; the token itself exists only in
    the email."""

    class Purpose(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REGISTRATION = "registration", _("Registration")
        PASSWORD_RESET = "reset", _("Password reset")

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["participant", "purpose"], name="link_participant_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} for {self.participant_id}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class Answer(models.Model):
    """A participant's answer to one question; survives edits of the question."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "programs.Question", on_delete=models.CASCADE, related_name="answers"
    )
    value = models.JSONField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "question"], name="answer_unique")
        ]

    def __str__(self) -> str:
        return f"answer of {self.participant_id} to {self.question_id}"
