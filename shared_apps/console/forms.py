from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tenants.models import Client


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    address = forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown as the controller's address in every processing register."),
    )
    dpo_name = forms.CharField(label=_("Data protection officer"), max_length=200, required=False)
    dpo_email = forms.EmailField(label=_("Data protection officer's e-mail"), required=False)


class BreachForm(forms.Form):
    """An entry of the register of personal data breaches (art. 33.5)."""

    discovered_at = forms.DateTimeField(
        label=_("Discovered at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    occurred_at = forms.DateTimeField(
        label=_("Occurred at (if known)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    nature = forms.CharField(
        label=_("Nature of the breach"), widget=forms.Textarea(attrs={"rows": 3})
    )
    people_affected = forms.CharField(
        label=_("People affected (categories, approximate number)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    data_affected = forms.CharField(
        label=_("Data affected (categories, approximate number of records)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consequences = forms.CharField(
        label=_("Likely consequences"), widget=forms.Textarea(attrs={"rows": 2})
    )
    measures = forms.CharField(
        label=_("Measures taken or proposed"), widget=forms.Textarea(attrs={"rows": 3})
    )
    cnil_notified_at = forms.DateTimeField(
        label=_("CNIL notified at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    cnil_not_notified_reason = forms.CharField(
        label=_("Why the CNIL was not notified (if so)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    people_informed_at = forms.DateTimeField(
        label=_("People informed at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ProgramForm(forms.Form):
    client = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Client.objects.all(),
        error_messages={"invalid_choice": _("Choose an existing organisation.")},
    )
    name = forms.CharField(label=_("Programme name"), max_length=200)
    slug = forms.CharField(
        label=_("Sub-domain"),
    )
    manager_email = forms.EmailField(
        label=_("First programme manager's email"),
        help_text=_("They receive an invitation to their secure space."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = _(
            "Lower-case letters, digits and hyphens. The programme will answer on "
            "<sub-domain>.%(domain)s"
        ) % {"domain": settings.BASE_DOMAIN}
