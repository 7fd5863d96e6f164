"""Demo data of this app (called by the demo seed command, inside a programme's
tenant_context): a welcome announcement, and a held meeting — the mentoring demo's pair's
when it exists — with one feedback given and one still awaited. Idempotent: does nothing once
the programme has an announcement."""

from datetime import timedelta

from django.utils import timezone

from tenant_apps.matching.models import Match
from tenant_apps.matching.services import match_create_manual
from tenant_apps.meetings.demo import held_meeting_create
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant
from tenant_apps.surveys.models import Announcement, SurveyInvitation
from tenant_apps.surveys.services import (
    MEETING_LOOKBACK,
    announcement_send,
    survey_answer,
    surveys_due_process,
)


def _demo_pair() -> Match | None:
    match = Match.objects.filter(status=Match.Status.ACTIVE).order_by("pk").first()
    if match is not None:
        return match
    active = Participant.objects.filter(status=Participant.Status.ACTIVE)
    mentee = active.filter(role=Participant.Role.MENTEE).exclude(matches_as_mentee__status="active")
    mentor = active.filter(role=Participant.Role.MENTOR).order_by("-pk").first()
    last_mentee = mentee.last()
    if last_mentee is None or mentor is None:
        return None
    return match_create_manual(mentee=last_mentee, mentor=mentor)


def seed_surveys() -> None:
    if Announcement.objects.exists():
        return
    manager = Participant.objects.filter(role=Participant.Role.MANAGER).order_by("pk").first()
    if manager is None:
        return
    announcement_send(
        author=manager,
        title="Bienvenue dans le programme",
        body=(
            "Bonjour à toutes et à tous,\n\nLe premier atelier collectif aura lieu dans deux "
            "semaines. Pensez à proposer un premier rendez-vous à votre binôme !"
        ),
        audience="both",
    )
    now = timezone.now()
    # The pair that already met (the mentoring's demo pair, with its messages and goals) gets
    # the feedback; otherwise a pair is given a meeting held two days ago.
    meeting = (
        Meeting.objects.filter(
            status=Meeting.Status.HELD,
            match__status=Match.Status.ACTIVE,
            ends_at__gte=now - MEETING_LOOKBACK + timedelta(hours=1),
        )
        .select_related("match")
        .order_by("-ends_at")
        .first()
    )
    if meeting is None:
        match = _demo_pair()
        if match is None:
            return
        meeting = held_meeting_create(match=match, proposed_by=match.mentee, now=now, days_ago=2)
    match = meeting.match
    surveys_due_process(now=now)  # asks both people about the meeting
    given = SurveyInvitation.objects.filter(meeting=meeting, participant=match.mentee).first()
    if given is not None:
        survey_answer(
            invitation=given,
            raw_answers={
                "retour-rdv-utile": "5",
                "retour-rdv-commentaire": "Très concret, merci !",
            },
        )
