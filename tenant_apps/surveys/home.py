"""What the participant home guide shows from this app. Each provider is
`provider(participant, now) -> list[dict]` with the keys `kind` ("next_step", "waiting" or
"info"), `priority`, `title`, `body`, `url` and `action_label` — the contract of
`tenant_apps.participants.home.home_providers_register` (registered in SurveysConfig.ready()).
A survey waiting for the person's answer is a next step at priority 80, the slot the mentoring
guide leaves for it (above planning the next meeting, below answering a request); the
feedback page (/retours/) lists the same things."""

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from tenant_apps.participants.models import Participant
from tenant_apps.surveys.models import Survey
from tenant_apps.surveys.selectors import announcements_for, pending_newest

PENDING_PRIORITY = 80  # the slot the mentoring guide leaves for feedback: before planning meetings
ANNOUNCEMENT_PRIORITY = 10  # information (the home's "10 info")


def _pending_title(survey: Survey) -> str:
    if survey.kind == Survey.Kind.MEETING:
        return _("Was your meeting useful?")
    return _("A short survey is waiting for you: %(title)s") % {"title": survey.title}


def pending_surveys(participant: Participant, now: datetime) -> list[dict[str, Any]]:
    """One next step per survey waiting for the person's answer (the three newest)."""
    if participant.is_manager:
        return []
    items = []
    for invitation in pending_newest(participant=participant):
        items.append(
            {
                "kind": "next_step",
                "priority": PENDING_PRIORITY,
                "title": _pending_title(invitation.survey),
                "body": _("It takes a minute."),
                "url": reverse("survey-answer", args=[invitation.pk]),
                "action_label": _("Answer"),
            }
        )
    return items


def latest_announcement(participant: Participant, now: datetime) -> list[dict[str, Any]]:
    """The manager's latest announcement to this person, as information."""
    announcements = announcements_for(participant=participant, limit=1)
    if not announcements:
        return []
    announcement = announcements[0]
    return [
        {
            "kind": "info",
            "priority": ANNOUNCEMENT_PRIORITY,
            "title": announcement.title,
            "body": Truncator(announcement.body).chars(200),
            "url": reverse("feedback") + f"#annonce-{announcement.pk}",
            "action_label": _("Read the announcement"),
        }
    ]


PROVIDERS = (pending_surveys, latest_announcement)
