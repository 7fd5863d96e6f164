from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.models import User
from shared_apps.accounts.otp import wait_message
from shared_apps.accounts.security import (
    client_ip,
    has_signin_grant,
    login_failure_record,
    login_gate,
    login_success_record,
    signin_link_request,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits shown by your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class OtpSetupForm(forms.Form):
    token = forms.CharField(
        label=_("Code shown by the app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


NEW_PASSWORD_HELP = _("At least 12 characters. A sentence is easier to remember.")


def password_field(
    label: "StrOrPromise", *, new: bool = False, help_text: "StrOrPromise" = ""
) -> forms.CharField:
    """A password box: kept as typed (no stripping), marked for password managers as the
    current password or a new one."""
    autocomplete = "new-password" if new else "current-password"
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class PasswordChangeForm(forms.Form):
    old_password = password_field(_("Current password"))
    new_password = password_field(_("New password"), new=True, help_text=NEW_PASSWORD_HELP)
    new_password_confirm = password_field(_("Confirm the new password"), new=True)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Wrong password."), code="password_incorrect")
        return password

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        new, confirm = data.get("new_password"), data.get("new_password_confirm")
        if new and confirm and new != confirm:
            self.add_error("new_password_confirm", _("The two passwords differ."))
        elif new:
            try:
                password_validation.validate_password(new, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password", exc)
        return data


class ReauthenticateForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits shown by your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )

    def __init__(self, *args: Any, needs_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["token"]


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
            assert self.request is not None  # the sign-in views always pass the request
            signin_link_request(email=email, site_url=self.request.build_absolute_uri("/"))
            reason = (
                "needs_signin_link" if gate.needs_signin_link else "needs_signin_link_everywhere"
            )
            raise forms.ValidationError(self.error_messages[reason], code="needs_signin_link")
        try:
            super().clean()
        except forms.ValidationError:
            if email:
                login_failure_record(email=email, ip=ip)
            raise
        user = self.get_user()
        if user is not None:  # None when a field was missing (nothing was checked)
            login_success_record(user=user, ip=ip)
        return self.cleaned_data
