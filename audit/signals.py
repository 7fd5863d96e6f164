"""Logins and failed logins go to the audit log of the site where they happened, and only
when they concern someone who belongs there."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from audit.log import audit_record
from saas.core.tenancy import connection


def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.login", target=user, actor_user_id=user.pk, actor_role="")


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """On the console: a failed login of a super-admin account goes to the platform log. A
    failure about anyone else is recorded on the account only (accounts.AccountSecurityEvent);
    programme sites log their own members' failures (tenant_apps.participants)."""
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
        return
    email = str(credentials.get("username") or credentials.get("email") or "")
    if not email:
        return
    users = get_user_model()._default_manager
    try:
        user = users.get_by_natural_key(email)  # the account's own normalisation
    except get_user_model().DoesNotExist:
        return
    if user.is_staff:
        audit_record(action="auth.login_failed", target=user)
