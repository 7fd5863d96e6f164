from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saas.core"
    label = "core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from saas.core import audit_signals

        user_logged_in.connect(audit_signals.on_login, dispatch_uid="binome-audit-login")
        user_login_failed.connect(audit_signals.on_login_failed, dispatch_uid="binome-audit-fail")
