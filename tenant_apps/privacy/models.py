from saas.core.models import AuditEventBase


class AuditEvent(AuditEventBase):
    """The programme's audit log, in its schema."""

    class Meta(AuditEventBase.Meta):
        pass
