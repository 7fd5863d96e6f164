from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.api.models import ApiKey, WebhookEndpoint


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("Which system uses it."))
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiKey.Scope.choices)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a key that does not expire."),
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label=_("HTTPS address"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )
