from django import forms
from django.utils.translation import gettext_lazy as _


class SetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Choose a password"),
        help_text=_("At least 12 characters. A sentence is easier to remember."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password_confirm = forms.CharField(
        label=_("Confirm the password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )


class ExistingPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your Binôme password"),
        help_text=_("You already use Binôme in another programme: use the same password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
    )
