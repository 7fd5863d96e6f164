"""Account security that holds across every programme: login throttling per account and per
IP address (global cache), and ending every session of a person at once."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F

from shared_apps.accounts.models import User, email_normalize

WINDOW_SECONDS = 60 * 60


def _window_key(kind: str, value: str) -> str:
    return f"login-failures:{kind}:{value}:{int(time.time() // WINDOW_SECONDS)}"


def _count(kind: str, value: str) -> int:
    cache = caches["global"]
    now = int(time.time() // WINDOW_SECONDS)
    # The current and the previous window: a simple sliding approximation of "the last hour".
    keys = [f"login-failures:{kind}:{value}:{window}" for window in (now, now - 1)]
    return sum(cache.get_many(keys).values())


@dataclass(frozen=True)
class ThrottleState:
    account_locked: bool
    ip_locked: bool

    @property
    def is_locked(self) -> bool:
        return self.account_locked or self.ip_locked


def login_throttle_state(*, email: str, ip: str) -> ThrottleState:
    return ThrottleState(
        account_locked=_count("account", email_normalize(email))
        >= settings.LOGIN_FAILURES_PER_ACCOUNT,
        ip_locked=bool(ip) and _count("ip", ip) >= settings.LOGIN_FAILURES_PER_IP,
    )


def login_failure_record(*, email: str, ip: str) -> bool:
    """Count one failure; returns True when this failure locks the account (just now)."""
    cache = caches["global"]
    email = email_normalize(email)
    for kind, value in (("account", email), ("ip", ip)):
        if not value:
            continue
        key = _window_key(kind, value)
        cache.add(key, 0, WINDOW_SECONDS * 2)
        cache.incr(key)
    return _count("account", email) == settings.LOGIN_FAILURES_PER_ACCOUNT


def login_failures_clear(*, email: str) -> None:
    cache = caches["global"]
    now = int(time.time() // WINDOW_SECONDS)
    email = email_normalize(email)
    cache.delete_many([f"login-failures:account:{email}:{w}" for w in (now, now - 1)])


@transaction.atomic
def sessions_end_everywhere(*, user: User) -> None:
    """Every session of this person, in every programme, stops being valid at its next request
    (the session auth hash includes `session_version`)."""
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])


def client_ip(request: object) -> str:
    """The client address. Behind Scaleway's load balancer the last hop is in
    X-Forwarded-For; trusted only when the production settings say a proxy is in front."""
    meta = request.META  # type: ignore[attr-defined]
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and meta.get("HTTP_X_FORWARDED_FOR"):
        return meta["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return meta.get("REMOTE_ADDR", "")


def rate_limit_exceeded(*, action: str, key: str, limit: int, window: int = WINDOW_SECONDS) -> bool:
    """Count one `action` for `key` (an IP address) and say whether it went past `limit` in the
    current window. For forms that send emails (registration, new link, password reset)."""
    if not key:
        return False
    cache = caches["global"]
    cache_key = f"rate:{action}:{key}:{int(time.time() // window)}"
    cache.add(cache_key, 0, window * 2)
    return cache.incr(cache_key) > limit
