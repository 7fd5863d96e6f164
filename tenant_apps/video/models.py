"""What the video integration keeps in a programme's schema: the ids of the Whereby webhook
events already handled (deliveries may be duplicated). The room of a meeting is stored on the
meeting (tenant_apps.meetings), which calls this app, never the reverse."""

from django.db import models


class WebhookEvent(models.Model):
    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=60)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["received_at"], name="video_event_received_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
