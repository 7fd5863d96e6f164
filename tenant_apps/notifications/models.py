"""The email outbox: a row per message, written in the transaction of the action that causes
it, sent by a task after commit (tenant_apps.notifications.tasks.send_email_task)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Email(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    template = models.CharField(max_length=100)
    # A message that carries a secret (a sign-in link) has its body erased once sent: the
    # token is stored hashed elsewhere and must not survive in clear in the outbox.
    has_secret = models.BooleanField(default=False)
    # Files sent with the message: [{"filename", "content" (text), "mimetype"}], e.g. the ICS
    # invitation of a meeting ("text/calendar; method=REQUEST").
    attachments = models.JSONField(default=list, blank=True)
    # The participants (ids) this message names besides its recipient ("your meeting with
    # Léa", the calendar invitation's attendees): erasing one of them reaches this row.
    about = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="email_status_idx")]

    def __str__(self) -> str:
        return f"{self.template} to {self.to}"
