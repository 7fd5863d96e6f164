"""Shared identity (public schema): one account per person, whatever the programmes."""

import secrets
import unicodedata
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


def email_normalize(email: str) -> str:
    """One spelling per address: NFKC, trimmed, lower-cased (local part included: no provider
    we serve treats case as significant, and two accounts differing only by case would be a
    trap)."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


# Accounts without a person: an erased identity (a tombstone, see
# `accounts.services.user_erase_if_unused`) and the anonymous placeholders erased participant
# rows point at. `.invalid` is reserved (RFC 2606): such an address can never be delivered to,
# nor belong to anyone signing up.
ERASED_EMAIL_DOMAIN = "erased.invalid"
# What a tombstone keeps as `date_joined`: a constant, not the person's date.
ERASED_DATE_JOINED = datetime(2000, 1, 1, tzinfo=UTC)


def erased_email(prefix: str = "") -> str:
    """A fresh, unique, undeliverable address for an account without a person."""
    return f"{prefix}{secrets.token_hex(8)}@{ERASED_EMAIL_DOMAIN}"


def email_is_erased(email: str) -> bool:
    return email_normalize(email).endswith(f"@{ERASED_EMAIL_DOMAIN}")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        user = self.model(email=email_normalize(email), **extra)
        user.set_password(password)  # None -> unusable password
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email=email_normalize(username or ""))


class User(AbstractBaseUser):  # type: ignore[django-manager-missing]  # devices: untyped base
    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        _("super-admin"), default=False, help_text=_("Can use the platform console.")
    )
    is_superuser = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Part of the session auth hash: bumping it ends every session of the person, in every
    # programme's schema at once ("log out everywhere", password reset).
    session_version = models.PositiveIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=models.functions.Lower(models.functions.Trim("email"))),
                name="user_email_normalized",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_erased(self) -> bool:
        """An account without a person: an erased identity or an erasure placeholder."""
        return email_is_erased(self.email)

    if TYPE_CHECKING:

        def is_verified(self) -> bool:
            """Set on the request's user by django-otp's middleware (True once the second
            factor is given in this session)."""
            ...

    def clean(self) -> None:
        super().clean()
        self.email = email_normalize(self.email)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's own hash, plus `session_version`; `secret` lets SECRET_KEY_FALLBACKS keep
        # sessions alive through a key rotation.
        return salted_hmac(
            "binome.accounts.session",
            f"{self.password}:{self.session_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    # The console uses is_staff; no per-model permissions anywhere.
    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_active and self.is_superuser

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and self.is_superuser


class ProgramMembership(models.Model):
    """Public index: which programmes a person belongs to, without scanning schemas.

    Holds no programme data: the role and everything else live in the programme's schema
    (tenant_apps.participants.Participant). Kept in step by the participants services, in the
    same transaction.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    program = models.ForeignKey(
        "tenants.Program", on_delete=models.CASCADE, related_name="memberships"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "program"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.program_id}"


class RecoveryCodeDevice(Device):
    """Ten single-use recovery codes, stored as keyed hashes (HMAC-SHA256 with the secret key):
    a stolen database does not give usable codes, and checking one is a single indexed query."""

    class Meta:
        verbose_name = _("recovery codes")

    def verify_token(self, token: str) -> bool:
        from shared_apps.accounts.otp import recovery_code_hashes

        used = RecoveryCode.objects.filter(
            device=self, code_hash__in=recovery_code_hashes(token), used_at__isnull=True
        ).update(used_at=timezone.now())
        return used >= 1


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"recovery code of device {self.device_id}"


class AccountSecurityEvent(models.Model):
    """What happened to the account itself, wherever it happened (any programme or the
    console): failed and successful sign-ins, notices and sign-in links sent. It belongs to the
    account, not to the programme whose site was used, so no programme stores anything about a
    person who is not its member. The address is kept only as a keyed hash (enough to
    recognise a network the owner has signed in from). Deleted when the identity is erased;
    purged after ACCOUNT_SECURITY_RETENTION_DAYS by the daily purge job."""

    class Kind(models.TextChoices):
        LOGIN_FAILED = "login.failed", _("Failed sign-in")
        LOGIN_SUCCEEDED = "login.succeeded", _("Sign-in")
        CEILING_NOTICE_SENT = "notice.sent", _("Warning about failed sign-ins sent")
        SIGNIN_LINK_SENT = "signin_link.sent", _("Sign-in link sent")
        SIGNIN_LINK_USED = "signin_link.used", _("Sign-in link used")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="security_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "kind", "ip_hash"], name="account_event_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class SignInLink(models.Model):
    """A one-time emailed link that lets the owner sign in from a new network while the
    account is under a password-guessing attack. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signin_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in link for {self.user_id}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
