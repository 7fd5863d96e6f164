from django.db import models

from saas.core.models import AuditEventBase


class PlatformAuditEvent(AuditEventBase):
    """Platform events (console, super-admin logins), in the public schema."""

    program_id = models.BigIntegerField(null=True, blank=True)

    class Meta(AuditEventBase.Meta):
        pass
