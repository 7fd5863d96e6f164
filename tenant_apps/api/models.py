"""The programme's machine access: API keys (REST and SCIM) and outgoing webhooks.

Everything lives in the programme's schema: a key of programme A is simply not found on
programme B's host, and the public site (the console) has no API at all.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A named key, shown once. Stored as `prefix` (public, for the lookup) and the SHA-256 of
    the high-entropy secret; the full key reads `bnm_<prefix>_<secret>`."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires on"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"API key {self.prefix}"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class WebhookEndpoint(models.Model):
    """An HTTPS address of the client's, the events it wants and the secret that signs them."""

    class Event(models.TextChoices):
        PARTICIPANT_REGISTERED = "participant.registered", _("Participant registered")
        PAIR_CREATED = "pair.created", _("Pair created")
        PAIR_ENDED = "pair.ended", _("Pair ended")
        MEETING_HELD = "meeting.held", _("Meeting held")
        SURVEY_ANSWERED = "survey.answered", _("Survey answered")

    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(default=list)
    # Needed in clear to sign every delivery (like Whereby's webhook secret); shown on the
    # manager's page, never in a log.
    secret = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"webhook endpoint {self.pk}"


class WebhookDelivery(models.Model):
    """One event for one endpoint, and how its delivery went (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_idx")]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id}"
