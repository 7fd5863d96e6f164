from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _


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


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 12 characters. A sentence is easier to remember."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_confirm = forms.CharField(
        label=_("Confirm the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: object, *args: object, **kwargs: object) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        if not self.user.check_password(password):  # type: ignore[attr-defined]
            raise forms.ValidationError(_("Wrong password."), code="password_incorrect")
        return password

    def clean(self) -> dict:
        data = super().clean()
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

    def __init__(self, *args: object, needs_code: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["token"]
