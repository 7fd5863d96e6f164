from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shared_apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_on_login, dispatch_uid="binome-accounts-login")


def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from shared_apps.accounts.middleware import session_mark_login
    from shared_apps.accounts.otp import has_two_factor

    if request is not None and hasattr(request, "session"):
        session_mark_login(request, has_two_factor=has_two_factor(user))
