"""People, pairs and meetings in programme A for the meetings tests, made with the real
services (a pair is `match_create_manual`, a meeting is proposed and accepted)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import PASSWORD
from saas.core.tenancy import connection
from shared_apps.accounts.models import User
from tenant_apps.matching.models import Match
from tenant_apps.matching.services import match_create_manual
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services.answering import meeting_accept
from tenant_apps.meetings.services.proposing import meeting_propose
from tenant_apps.participants.models import Participant
from tenant_apps.participants.services import participant_add


@dataclass
class Pair:
    program: object
    mentee: Participant
    mentor: Participant
    match: Match


def person(email: str, role: str, first_name: str, last_name: str) -> Participant:
    user = User.objects.create_user(
        email=email, password=PASSWORD, first_name=first_name, last_name=last_name
    )
    return participant_add(user=user, role=role)


def pair_create(
    program: object, *, mentee: tuple[str, str, str], mentor: tuple[str, str, str]
) -> Pair:
    with tenant_context(program):
        mentee_p = person(mentee[0], Participant.Role.MENTEE, mentee[1], mentee[2])
        mentor_p = person(mentor[0], Participant.Role.MENTOR, mentor[1], mentor[2])
        match = match_create_manual(mentee=mentee_p, mentor=mentor_p)
    connection.set_schema_to_public()
    return Pair(program, mentee_p, mentor_p, match)


def slot(
    starts_in: timedelta, minutes: int = 60, *, now: datetime | None = None
) -> tuple[datetime, datetime]:
    start = (now or timezone.now()).replace(second=0, microsecond=0) + starts_in
    return start, start + timedelta(minutes=minutes)


def proposed(
    pair: Pair, *, starts_in: timedelta = timedelta(days=2), minutes: int = 60, slots: int = 1
) -> Meeting:
    """A proposal by the mentee (call inside the programme's tenant_context)."""
    times = [slot(starts_in + timedelta(hours=2 * i), minutes) for i in range(slots)]
    return meeting_propose(match=pair.match, by=pair.mentee, slots=times)


def confirmed(
    pair: Pair, *, starts_in: timedelta = timedelta(days=2), minutes: int = 60
) -> Meeting:
    """A meeting the mentee proposed and the mentor accepted (inside tenant_context)."""
    meeting = proposed(pair, starts_in=starts_in, minutes=minutes)
    return meeting_accept(meeting=meeting, by=pair.mentor, slot_id=meeting.slots.get().pk)


@pytest.fixture
def pair(world) -> Pair:
    """Léa Martin (mentee) and Hugo Bernard (mentor), paired in programme A."""
    return pair_create(
        world.program_a,
        mentee=("lea.martin@a.example", "Léa", "Martin"),
        mentor=("hugo.bernard@a.example", "Hugo", "Bernard"),
    )
