from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "tenant_apps.api"
    label = "api"
    verbose_name = _("API, SCIM and webhooks")

    def ready(self) -> None:
        from tenant_apps.api import events

        events.connect()
