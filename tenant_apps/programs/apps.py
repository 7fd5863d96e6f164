from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "tenant_apps.programs"
    label = "programs"
    verbose_name = _("Programme settings")
