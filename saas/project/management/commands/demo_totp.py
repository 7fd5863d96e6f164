"""`python3 dev.py totp <email>`: the current two-step verification code of a demo account
(its authenticator's), for local runs only."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shared_apps.accounts.selectors import email_normalize


def totp_code(device: TOTPDevice) -> tuple[str, int]:
    """The device's current code and the seconds it stays valid."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    code = str(totp.token()).zfill(device.digits)
    return code, device.step - int(totp.time - device.t0) % device.step


class Command(BaseCommand):
    help = "Print the current two-step verification code of a demo account (DEBUG only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options.get("force"):
            raise CommandError("demo_totp runs only with DEBUG on (local demo accounts).")
        email = email_normalize(options["email"])
        device = (
            TOTPDevice.objects.filter(user__email=email, confirmed=True).order_by("-pk").first()
        )
        if device is None:
            raise CommandError(f"No two-step verification is set up for {email}.")
        code, seconds = totp_code(device)
        self.stdout.write(code)
        self.stderr.write(f"(valid for {seconds} more seconds)")
