"""Proposing a meeting: one of the two people of an active pair offers one to three times."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_exempt
from saas.core.errors import Conflict, NotAllowed
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.meetings.services._shared import (
    DEFAULT_TIME_ZONE,
    PAIR_ACTIVITY,
    Slot,
    _checked_times,
    _locked,
    _slots_add,
)
from tenant_apps.meetings.services.invitations import _notify
from tenant_apps.participants.models import Participant


@audit_exempt(PAIR_ACTIVITY)
@transaction.atomic
def meeting_propose(
    *, match: Match, by: Participant, slots: Sequence[Slot], time_zone: str = DEFAULT_TIME_ZONE
) -> Meeting:
    """One of the two people of an active pair proposes one to three times; the other accepts
    one or declines."""
    now = timezone.now()
    match = Match.objects.select_related("mentee__user", "mentor__user").get(pk=match.pk)
    if not match.involves(by):
        raise NotAllowed(_("You can only propose a meeting to your own mentor or mentee."))
    if match.status != Match.Status.ACTIVE:
        raise Conflict(_("This pairing is not active."))
    slots = _checked_times(
        match=match, by=by, slots=slots, time_zone=time_zone, now=now, exclude_id=None
    )
    meeting = Meeting.objects.create(
        match=match, proposed_by=by, time_zone=time_zone, status=Meeting.Status.PROPOSED
    )
    _slots_add(meeting, slots)
    meeting = _locked(meeting)
    _notify(meeting, notice="proposed", to=[meeting.other(by)], by=by)
    return meeting
