from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.core.errors import Conflict, ValidationFailed
from tenant_apps.matching.models import Match
from tenant_apps.matching.selectors import mentor_capacity, mentor_load
from tenant_apps.participants.models import Participant


def _check_pair(*, mentee: Participant, mentor: Participant) -> None:
    errors = []
    if mentee.role != Participant.Role.MENTEE or mentee.status != Participant.Status.ACTIVE:
        errors.append(_("The mentee must be an active mentee of the programme."))
    if mentor.role != Participant.Role.MENTOR or mentor.status != Participant.Status.ACTIVE:
        errors.append(_("The mentor must be an active mentor of the programme."))
    if errors:
        raise ValidationFailed(" ".join(errors))
    if Match.objects.filter(mentee=mentee, mentor=mentor).exists():
        raise Conflict(_("These two people have already been paired."))
    if Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).exists():
        raise Conflict(_("This mentee already has a mentor."))


@transaction.atomic
def match_create_manual(*, mentee: Participant, mentor: Participant) -> Match:
    """A manager pairs two people by hand; the pair is active at once. The mentor row is
    locked so that two concurrent pairings cannot exceed their capacity."""
    mentor = Participant.objects.select_for_update().get(pk=mentor.pk)
    _check_pair(mentee=mentee, mentor=mentor)
    if mentor_load(mentor=mentor) >= mentor_capacity(mentor=mentor):
        raise Conflict(_("This mentor has no room left."))
    now = timezone.now()
    return Match.objects.create(
        mentee=mentee,
        mentor=mentor,
        status=Match.Status.ACTIVE,
        source=Match.Source.MANUAL,
        activated_at=now,
    )


@transaction.atomic
def match_end(*, match: Match, reason: str) -> Match:
    """End a pairing: the mentor's place is free again; the pair is never proposed again."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status == Match.Status.ENDED:
        raise Conflict(_("This pairing has already ended."))
    if not reason.strip():
        raise ValidationFailed(_("Give a reason."), fields={"reason": [_("Give a reason.")]})
    match.status = Match.Status.ENDED
    match.ended_at = timezone.now()
    match.end_reason = reason.strip()
    match.save(update_fields=["status", "ended_at", "end_reason"])
    return match
