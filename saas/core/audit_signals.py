"""Logins and failed logins go to the audit log of the site where they happened."""

import hashlib
from typing import Any

from saas.core.audit import audit_record


def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.login", target=user, actor_user_id=user.pk, actor_role="")


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # The address is pseudonymised: enough to see a pattern, nothing to erase later.
    email = str(credentials.get("username") or credentials.get("email") or "").strip().lower()
    digest = hashlib.sha256(email.encode()).hexdigest()[:16] if email else ""
    audit_record(action="auth.login_failed", details={"account": digest})
