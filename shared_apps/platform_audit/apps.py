from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformAuditConfig(AppConfig):
    name = "shared_apps.platform_audit"
    label = "platform_audit"
    verbose_name = _("Register of personal data breaches")
