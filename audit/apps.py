from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log: in both app lists (one table per schema, one model). It sits just above
    the kernel and imports nothing of ours but the kernel, so that every layer above can write
    to it."""

    name = "audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from audit import signals

        user_logged_in.connect(signals.on_login, dispatch_uid="binome-audit-login")
        user_login_failed.connect(signals.on_login_failed, dispatch_uid="binome-audit-fail")
