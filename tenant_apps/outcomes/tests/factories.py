"""Hand-built programme data with known answers (timestamps set explicitly)."""

import datetime
from itertools import count
from zoneinfo import ZoneInfo

from shared_apps.accounts.models import User
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.programs.models import Question

PARIS = ZoneInfo("Europe/Paris")
_numbers = count()


def at(day: str, hour: int = 12, minute: int = 0, second: int = 0) -> datetime.datetime:
    """A Paris time on 2026-`day` ("01-15")."""
    month, mday = (int(part) for part in day.split("-"))
    return datetime.datetime(2026, month, mday, hour, minute, second, tzinfo=PARIS)


def branch_question() -> Question:
    return Question.objects.create(
        key="branch",
        label="Your branch",
        kind=Question.Kind.SINGLE,
        audience=Question.Audience.BOTH,
        is_required=True,
        is_reporting_dimension=True,
        choices=[{"value": "north", "label": "North"}, {"value": "south", "label": "South"}],
    )


def person(
    role: str,
    *,
    joined: datetime.datetime,
    registered: datetime.datetime | None,
    branch: str | None,
    question: Question,
    name: str = "",
) -> Participant:
    number = next(_numbers)
    user = User.objects.create(
        email=f"kpi-{number}@a.example", password="!", first_name=name or f"P{number}"
    )
    participant = Participant.objects.create(
        user=user,
        role=role,
        status="active" if registered else "invited",
        activated_at=registered,
    )
    Participant.objects.filter(pk=participant.pk).update(created_at=joined)
    if branch is not None:
        Answer.objects.create(participant=participant, question=question, value=branch)
    participant.refresh_from_db()
    return participant


def pair(
    mentee: Participant,
    mentor: Participant,
    *,
    activated: datetime.datetime,
    ended: datetime.datetime | None = None,
    reason: str = "",
    score: float | None = None,
) -> Match:
    return Match.objects.create(
        mentee=mentee,
        mentor=mentor,
        status="ended" if ended else "active",
        activated_at=activated,
        ended_at=ended,
        end_reason=reason,
        score=score,
    )


def meeting(match: Match, *, starts: datetime.datetime, status: str = "held") -> Meeting:
    return Meeting.objects.create(
        match=match,
        status=status,
        proposed_by=match.mentee,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
    )
