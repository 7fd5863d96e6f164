from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.security import (
    client_ip,
    login_failure_record,
    login_throttle_state,
)


class EmailAuthenticationForm(AuthenticationForm):
    """Email + password. Every refusal (unknown address, wrong password, not a participant of
    this programme, inactive account) shows the same message. Failures are counted per
    account across every programme and per IP address; past the limit the form refuses before
    checking the password, and the owner of the account is told by email."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("Incorrect email address or password."),
        "inactive": _("Incorrect email address or password."),
        "account_locked": _(
            "Too many failed attempts on this account: it is locked for an hour. Its owner has "
            "been told by email."
        ),
        "ip_locked": _("Too many failed attempts from your network. Try again in an hour."),
    }

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request else ""
        state = login_throttle_state(email=email, ip=ip)
        if state.account_locked:
            raise forms.ValidationError(self.error_messages["account_locked"], code="locked")
        if state.ip_locked:
            raise forms.ValidationError(self.error_messages["ip_locked"], code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            if email and login_failure_record(email=email, ip=ip):
                from saas.core.notify import account_locked_notify

                account_locked_notify(email=email)
            raise
