from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "tenant_apps.participants"
    label = "participants"
    verbose_name = _("Participants")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        user_logged_in.connect(_on_login, dispatch_uid="binome-participants-activity")
        user_login_failed.connect(_on_login_failed, dispatch_uid="binome-participants-failed")


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A login in a programme is activity there: it resets the retention clock."""
    from django.conf import settings
    from django.utils import timezone

    from saas.core.tenancy import connection

    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return
    from tenant_apps.participants.models import Participant

    Participant.objects.filter(user_id=user.pk).update(
        last_active_at=timezone.now(), retention_warned_at=None
    )


def _on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    """A failed login on a programme site is logged there only when it concerns a member of
    this programme (the account's own record is kept in the public schema)."""
    from django.conf import settings

    from saas.core.tenancy import connection

    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        return
    from audit.log import audit_record
    from shared_apps.accounts.selectors import email_normalize
    from tenant_apps.participants.models import Participant

    email = email_normalize(str(credentials.get("username") or credentials.get("email") or ""))
    participant = Participant.objects.filter(user__email=email).first() if email else None
    if participant is not None:
        audit_record(action="auth.login_failed", target=participant)
