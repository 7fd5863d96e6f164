from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    """The relationship of a pair: profiles people can read, the pair page, private messages,
    shared goals and nudges. Sits above matching and meetings; nothing below imports it."""

    name = "tenant_apps.mentoring"
    label = "mentoring"
    verbose_name = _("Mentoring relationship")

    def ready(self) -> None:
        from tenant_apps.meetings.panels import meeting_panels_register
        from tenant_apps.mentoring.guide import meeting_goals_panel, mentoring_home_items
        from tenant_apps.participants.home import home_providers_register

        home_providers_register(mentoring_home_items)
        meeting_panels_register(meeting_goals_panel)
