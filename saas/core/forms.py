from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from saas.core.errors import ApplicationError
from shared_apps.accounts.otp import wait_message
from shared_apps.accounts.security import (
    client_ip,
    has_signin_grant,
    login_failure_record,
    login_gate,
    login_success_record,
    signin_link_request,
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
    this programme, inactive account) shows the same message. Throttling
    (shared_apps.accounts.security): a growing delay per account and address from the fifth
    failure; once an account reaches its hourly ceiling, a network its owner never signed in
    from needs a one-time link emailed to the owner (the answer is the same whether or not the
    address has an account); too many failures from one address, whatever the account, stop
    that address for an hour."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("Incorrect email address or password."),
        "inactive": _("Incorrect email address or password."),
        "needs_signin_link": _(
            "Many failed sign-ins were seen on this account, so signing in from a new network "
            "needs a link sent by email to the account's address. Open it on this device, then "
            "sign in again."
        ),
        "needs_signin_link_everywhere": _(
            "Too many failed sign-ins were seen on this account in the last hour: signing in "
            "now needs a link sent by email to the account's address, whatever the network. "
            "Open it on this device, then sign in again."
        ),
        "ip_locked": _("Too many failed attempts from your network. Try again in an hour."),
    }

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request else ""
        session = getattr(self.request, "session", None)
        gate = login_gate(email=email, ip=ip, has_grant=has_signin_grant(session, email=email))
        if gate.wait_seconds:
            raise forms.ValidationError(wait_message(gate.wait_seconds), code="throttled")
        if gate.is_ip_blocked:
            raise forms.ValidationError(self.error_messages["ip_locked"], code="locked")
        if gate.needs_signin_link or gate.needs_signin_link_everywhere:
            signin_link_request(email=email, site_url=self.request.build_absolute_uri("/"))
            reason = (
                "needs_signin_link" if gate.needs_signin_link else "needs_signin_link_everywhere"
            )
            raise forms.ValidationError(self.error_messages[reason], code="needs_signin_link")
        try:
            data = super().clean()
        except forms.ValidationError:
            if email:
                login_failure_record(email=email, ip=ip)
            raise
        user = self.get_user()
        if user is not None:  # None when a field was missing (nothing was checked)
            login_success_record(user=user, ip=ip)
        return data
