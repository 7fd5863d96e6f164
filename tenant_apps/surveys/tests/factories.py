"""Feedback rows for other suites (the hostile-content walk, the isolation walk): made with the
real services, inside the programme's tenant_context."""

from typing import Any

from django.utils import timezone

from tenant_apps.participants.models import Participant
from tenant_apps.surveys.models import Survey, SurveyInvitation
from tenant_apps.surveys.services import announcement_send, survey_answer, survey_update


def invite(
    survey: Survey, participant: Participant, occasion: str, **extra: Any
) -> SurveyInvitation:
    return SurveyInvitation.objects.create(
        survey=survey,
        participant=participant,
        occasion=occasion,
        last_sent_at=timezone.now(),
        **extra,
    )


def feedback_rows(*, mentee: Participant, mentor: Participant, manager: Participant) -> None:
    """A named answer with a comment (end of a pair), an aggregated-only answer (check-in), a
    survey waiting for the mentee's answer (after a meeting) and an announcement to everyone."""
    pair_end = Survey.objects.get(kind=Survey.Kind.PAIR_END)
    survey_update(survey=pair_end, data={"is_anonymous": False})
    named = invite(pair_end, mentor, "pair_end:test")
    survey_answer(
        invitation=named,
        raw_answers={
            "retour-fin-recommandation": "9",
            "retour-fin-objectifs": "oui",
            "retour-fin-commentaire": "Très utile",
        },
    )
    checkin = Survey.objects.get(kind=Survey.Kind.CHECKIN)
    anonymous = invite(checkin, mentee, "checkin:test:1")
    survey_answer(
        invitation=anonymous,
        raw_answers={"retour-point-note": "4", "retour-point-aide": "Plus de temps"},
    )
    invite(Survey.objects.get(kind=Survey.Kind.MEETING), mentee, "meeting:test")
    announcement_send(
        author=manager, title="Atelier de mars", body="Rendez-vous le 12 mars.", audience="both"
    )
