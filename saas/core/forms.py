from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    """Email + password. Every refusal (unknown address, wrong password, not a participant of
    this programme, inactive account) shows the same message."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("Incorrect email address or password."),
        "inactive": _("Incorrect email address or password."),
    }
