from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tenants.models import Client


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)


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
