from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "tenant_apps.participants"
    label = "participants"
    verbose_name = _("Participants")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_on_login, dispatch_uid="binome-participants-activity")


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A login in a programme is activity there: it resets the retention clock."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return
    from tenant_apps.participants.models import Participant

    Participant.objects.filter(user_id=user.pk).update(
        last_active_at=timezone.now(), retention_warned_at=None
    )
