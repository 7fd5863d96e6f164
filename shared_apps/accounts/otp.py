"""Second factor: TOTP (django-otp) and recovery codes. Devices belong to the shared identity,
so one authenticator app serves every programme the person is in."""

import math
import secrets

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from saas.core.errors import Throttled
from shared_apps.accounts.models import RecoveryCode, RecoveryCodeDevice, User

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def recovery_code_normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def recovery_code_hash(code: str, *, secret: str | None = None) -> str:
    return salted_hmac(
        "binome.accounts.recovery-code",
        recovery_code_normalize(code),
        secret=secret,
        algorithm="sha256",
    ).hexdigest()


def recovery_code_hashes(code: str) -> list[str]:
    """The code's hash under the current secret key and the previous ones (a key rotation
    must not lock people out)."""
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [recovery_code_hash(code, secret=secret) for secret in secrets_in_use]


def wait_message(seconds: int) -> str:
    """ "Too many tries, wait N seconds (or minutes)", translated."""
    if seconds < 120:
        return ngettext(
            "Too many tries. Wait %(count)d second before trying again.",
            "Too many tries. Wait %(count)d seconds before trying again.",
            seconds,
        ) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many tries. Wait %(count)d minute before trying again.",
        "Too many tries. Wait %(count)d minutes before trying again.",
        minutes,
    ) % {"count": minutes}


def totp_throttle_check(device: TOTPDevice) -> None:
    """Raise Throttled (with how long to wait) while django-otp refuses to check a code for
    this device after wrong ones: the code was not even looked at, so saying "wrong code"
    or "check your phone's clock" would mislead."""
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return
    seconds = max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))
    raise Throttled(wait_message(seconds), wait_seconds=seconds)


def has_two_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for `user` (previous unconfirmed ones are dropped)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG QR code (no image file, no third party)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")


def totp_secret_base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a first code; returns fresh recovery codes (to show
    once), or None if the code is wrong. Replaces any earlier authenticator. Raises Throttled
    while wrong codes make django-otp wait."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    totp_throttle_check(device)
    if not device.verify_token((token or "").strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_generate(user=device.user)


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """Ten new codes; the old ones stop working. Only the hashes are stored."""
    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": "recovery codes", "confirmed": True}
    )
    device.codes.all().delete()
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=recovery_code_hash(code)) for code in codes
    )
    return codes


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()


def otp_verify(*, user: User, token: str) -> TOTPDevice | RecoveryCodeDevice | None:
    """The device that accepts `token` (a TOTP code, or a recovery code), or None. A TOTP code
    is accepted once: django-otp remembers the last time step used (`last_t`), and its
    throttling slows down guessing (raises Throttled, with how long to wait)."""
    token = (token or "").strip()
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if totp is not None and token.replace(" ", "").isdigit():
        totp_throttle_check(totp)
        if totp.verify_token(token.replace(" ", "")):
            return totp
        return None
    recovery = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None and recovery.verify_token(token):
        return recovery
    return None


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
