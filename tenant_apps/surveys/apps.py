from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Feedback that measures the programme (surveys after meetings, check-ins, end of a pair,
    end of the programme) and the manager's announcements. Top of the tenant layers: nothing
    below imports it; it learns that a pair ended from matching's `pair_ended` signal."""

    name = "tenant_apps.surveys"
    label = "surveys"
    verbose_name = _("Feedback and announcements")

    def ready(self) -> None:
        from tenant_apps.matching.signals import pair_ended
        from tenant_apps.programs.questionnaire import question_set_owners
        from tenant_apps.surveys import home
        from tenant_apps.surveys.selectors import question_set_owner
        from tenant_apps.surveys.services import pair_ended_receive

        pair_ended.connect(pair_ended_receive, dispatch_uid="binome-surveys-pair-ended")
        if question_set_owner not in question_set_owners:
            question_set_owners.append(question_set_owner)
        # The participant home's guide (tenant_apps.participants.home): a pending survey is
        # the next step at priority 80 (the slot the mentoring leaves for it), the latest
        # announcement an information.
        from tenant_apps.participants.home import home_providers_register

        for provider in home.PROVIDERS:
            home_providers_register(provider)
