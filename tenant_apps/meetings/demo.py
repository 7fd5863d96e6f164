"""Demo data (the `demo_seed` command) that other apps' demos build on."""

from datetime import datetime, timedelta
from typing import Any

from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant


def held_meeting_create(
    *, match: Match, proposed_by: Participant, now: datetime, days_ago: int, **extra: Any
) -> Meeting:
    """A meeting of the pair held `days_ago` days before `now` (on the hour, one hour long),
    confirmed three days before and marked held by a participant."""
    start = (now - timedelta(days=days_ago)).replace(minute=0, second=0, microsecond=0)
    return Meeting.objects.create(
        match=match,
        proposed_by=proposed_by,
        status=Meeting.Status.HELD,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        confirmed_at=start - timedelta(days=3),
        outcome_source=Meeting.Outcome.PARTICIPANT,
        outcome_at=start + timedelta(hours=1),
        **extra,
    )
