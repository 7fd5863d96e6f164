from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from saas.core.errors import ApplicationError
from shared_apps.accounts.security import (
    client_ip,
    login_failure_record,
    login_throttle_state,
)


def form_add_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Show a service's refusal on the form: each field's messages next to the field, a
    general one at the top; what the person typed stays in the form."""
    for field, field_messages in exc.fields.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, str(exc.message))


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
