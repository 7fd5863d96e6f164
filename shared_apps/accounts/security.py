"""Account security that holds across every programme: sign-in throttling (global cache),
the account's own security records (public schema), sign-in links, and ending every session of
a person at once.

Throttling, in three layers (counters in the global cache alias, shared by every programme):
- per (account, client IP): from the LOGIN_DELAY_FROM_FAILURE-th failure, each new failure
  makes that pair wait twice as long before the next attempt (2 s, 4 s, 8 s… up to 15 min);
  other networks, the owner's included, are not slowed down;
- per account, across all programmes: once LOGIN_FAILURES_PER_ACCOUNT failures happened in the
  last hour, the password is no longer checked from a network the owner has never signed in
  from: the owner gets a one-time sign-in link by email instead (the owner is warned once).
  Networks the owner uses keep signing in normally until LOGIN_FAILURES_HARD_LIMIT, where they
  need the link too: nobody without the owner's mailbox gets more guesses than that an hour,
  even from the owner's own network (a shared office address);
- per IP, across accounts (credential stuffing): LOGIN_FAILURES_PER_IP an hour.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from saas.core.http import client_ip  # noqa: F401  (moved down: the audit log needs it)
from shared_apps.accounts.models import AccountSecurityEvent, SignInLink, User, email_normalize

WINDOW_SECONDS = 60 * 60
MAX_DELAY_SECONDS = 15 * 60
SIGNIN_LINK_LIFETIME = timedelta(minutes=30)
SIGNIN_LINK_EVERY_SECONDS = 10 * 60  # at most one link email per account in this time
SESSION_SIGNIN_GRANT = "binome_signin_grant"


def _account(email: str) -> str:
    """The account as it appears in cache keys: a hash, never the address itself."""
    return hashlib.sha256(email_normalize(email).encode()).hexdigest()[:32]


def ip_hash(ip: str) -> str:
    """A keyed hash of an address: recognises a network without keeping it."""
    if not ip:
        return ""
    return salted_hmac("binome.accounts.ip", ip, algorithm="sha256").hexdigest()


def _window_key(kind: str, value: str, window: int) -> str:
    return f"login-failures:{kind}:{value}:{window}"


def _count(kind: str, value: str) -> int:
    cache = caches["global"]
    now = int(time.time() // WINDOW_SECONDS)
    # The current and the previous window: never less than the failures of the last hour, so
    # a ceiling on this sum is a ceiling on any hour.
    keys = [_window_key(kind, value, window) for window in (now, now - 1)]
    return sum(cache.get_many(keys).values())


def _incr(kind: str, value: str) -> int:
    cache = caches["global"]
    key = _window_key(kind, value, int(time.time() // WINDOW_SECONDS))
    cache.add(key, 0, WINDOW_SECONDS * 2)
    cache.incr(key)
    return _count(kind, value)


def _pair_keys(account: str, ip: str) -> tuple[str, str]:
    return f"login-pair:count:{account}:{ip}", f"login-pair:until:{account}:{ip}"


def failure_delay(failures: int) -> int:
    """Seconds to wait after the `failures`-th failure of one (account, IP) pair."""
    first = settings.LOGIN_DELAY_FROM_FAILURE
    if failures < first:
        return 0
    return min(2 ** (failures - first + 1), MAX_DELAY_SECONDS)


def has_signin_grant(session: SessionBase | None, *, email: str) -> bool:
    """Whether this browser opened a sign-in link of this account in the last half hour."""
    grant = session.get(SESSION_SIGNIN_GRANT) if session is not None else None
    return (
        grant is not None
        and bool(grant)
        and grant.get("account") == _account(email)
        and grant["until"] > time.time()
    )


def is_known_address(*, email: str, ip: str) -> bool:
    """The owner has signed in from this address before (kept as a keyed hash)."""
    return (
        bool(ip)
        and AccountSecurityEvent.objects.filter(
            user__email=email_normalize(email),
            kind=AccountSecurityEvent.Kind.LOGIN_SUCCEEDED,
            ip_hash=ip_hash(ip),
        ).exists()
    )


@dataclass(frozen=True)
class LoginGate:
    """Whether the password may be checked for this attempt, and if not, why."""

    wait_seconds: int = 0  # this (account, IP) pair must wait
    is_ip_blocked: bool = False  # too many failures from this address, whatever the account
    needs_signin_link: bool = False  # the account is under attack and this network is new
    needs_signin_link_everywhere: bool = False  # the hourly limit is reached: every network


def login_gate(*, email: str, ip: str, has_grant: bool = False) -> LoginGate:
    account = _account(email)
    cache = caches["global"]
    until = cache.get(_pair_keys(account, ip)[1]) or 0
    wait = max(0, int(until - time.time() + 0.999))
    if wait:
        return LoginGate(wait_seconds=wait)
    if ip and _count("ip", ip) >= settings.LOGIN_FAILURES_PER_IP:
        return LoginGate(is_ip_blocked=True)
    if has_grant:
        return LoginGate()
    failures = _count("account", account)
    if failures >= settings.LOGIN_FAILURES_HARD_LIMIT:
        return LoginGate(needs_signin_link_everywhere=True)
    if failures >= settings.LOGIN_FAILURES_PER_ACCOUNT and not is_known_address(email=email, ip=ip):
        return LoginGate(needs_signin_link=True)
    return LoginGate()


def login_failure_record(*, email: str, ip: str) -> bool:
    """Count one failed sign-in (any programme, the console, a wrong second-factor code) and
    record it on the account when there is one. Returns True when this failure brought the
    account to its ceiling; the owner is then warned, once."""
    account = _account(email)
    cache = caches["global"]
    count_key, until_key = _pair_keys(account, ip)
    cache.add(count_key, 0, WINDOW_SECONDS)
    pair_failures = cache.incr(count_key)
    delay = failure_delay(pair_failures)
    if delay:
        cache.set(until_key, time.time() + delay, delay)
    if ip:
        _incr("ip", ip)
    reached = _incr("account", account) == settings.LOGIN_FAILURES_PER_ACCOUNT
    user = User.objects.filter(email=email_normalize(email)).first()
    if user is not None:
        AccountSecurityEvent.objects.create(
            user=user, kind=AccountSecurityEvent.Kind.LOGIN_FAILED, ip_hash=ip_hash(ip)
        )
        if reached and cache.add(f"login-notice:{account}", 1, WINDOW_SECONDS * 2):
            from shared_apps.accounts.services import account_email_queue

            account_email_queue(user=user, template="account_attacked", site_url="")
    return reached


def login_success_record(*, user: User, ip: str) -> None:
    """A sign-in with the right password: this address becomes one the owner uses, and its
    delay (a few typos) is forgotten."""
    caches["global"].delete_many(list(_pair_keys(_account(user.email), ip)))
    AccountSecurityEvent.objects.create(
        user=user, kind=AccountSecurityEvent.Kind.LOGIN_SUCCEEDED, ip_hash=ip_hash(ip)
    )


def signin_link_request(*, email: str, site_url: str) -> None:
    """Email a one-time sign-in link to the owner of `email` (if there is one), at most one every
    SIGNIN_LINK_EVERY_SECONDS: the form answers the same whether or not an email left."""
    user = User.objects.filter(email=email_normalize(email), is_active=True).first()
    if user is None:
        return
    if not caches["global"].add(f"signin-link:{_account(email)}", 1, SIGNIN_LINK_EVERY_SECONDS):
        return
    from shared_apps.accounts.services import account_email_queue

    account_email_queue(user=user, template="signin_link", site_url=site_url)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def signin_link_create(*, user: User) -> str:
    """A new link token (only its hash is stored); earlier unused links stop working."""
    now = timezone.now()
    SignInLink.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    SignInLink.objects.create(
        user=user, token_hash=_token_hash(token), expires_at=now + SIGNIN_LINK_LIFETIME
    )
    AccountSecurityEvent.objects.create(user=user, kind=AccountSecurityEvent.Kind.SIGNIN_LINK_SENT)
    return token


def signin_link_find(*, token: str) -> SignInLink | None:
    link = SignInLink.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    return link if link is not None and link.is_usable and link.user.is_active else None


@transaction.atomic
def signin_link_redeem(*, token: str, session: object, ip: str) -> User | None:
    """Use a sign-in link once: this browser may then sign in to the account (password and
    second factor still required) for the link's lifetime."""
    link = (
        SignInLink.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if link is None or not link.is_usable or not link.user.is_active:
        return None
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    AccountSecurityEvent.objects.create(
        user=link.user, kind=AccountSecurityEvent.Kind.SIGNIN_LINK_USED, ip_hash=ip_hash(ip)
    )
    session[SESSION_SIGNIN_GRANT] = {  # type: ignore[index]
        "account": _account(link.user.email),
        "until": time.time() + SIGNIN_LINK_LIFETIME.total_seconds(),
    }
    return link.user


def account_security_purge(*, before: object) -> int:
    """Daily purge: account security records and sign-in links older than `before`."""
    deleted, _ = AccountSecurityEvent.objects.filter(created_at__lt=before).delete()
    links, _ = SignInLink.objects.filter(created_at__lt=before).delete()
    return deleted + links


@transaction.atomic
def session_version_bump(*, user: User) -> None:
    """Every session of this person, in every programme, stops being valid at its next request
    (the session auth hash includes `session_version`). A step of "log out everywhere"
    (`services.sessions_end_everywhere`), a password reset and an erasure, which audit."""
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)
    user.refresh_from_db(fields=["session_version"])


def rate_limit_exceeded(*, action: str, key: str, limit: int, window: int = WINDOW_SECONDS) -> bool:
    """Count one `action` for `key` (an IP address) and say whether it went past `limit` in the
    current window. For forms that send emails (registration, new link, password reset)."""
    if not key:
        return False
    cache = caches["global"]
    cache_key = f"rate:{action}:{key}:{int(time.time() // window)}"
    cache.add(cache_key, 0, window * 2)
    return cache.incr(cache_key) > limit
