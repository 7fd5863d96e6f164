"""Right to erasure: a person's data in this programme is deleted or irreversibly anonymised.

What stays is what the programme needs as anonymous statistics: the pairs and the meetings
(times, statuses, attendance), tied to a participant row that no longer points at the person
(its identity is replaced by an anonymous placeholder account). Free text goes. Every model in
export.SOURCES has a rule here; a test fails when one is missing. Once the person is in no
programme any more, their shared identity (public schema) is deleted as well.
"""

import secrets
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.core.audit import audit_record
from saas.core.errors import NotAllowed
from shared_apps.accounts.security import sessions_end_everywhere
from shared_apps.accounts.services import user_erase_if_unused
from tenant_apps.matching.models import Match, MatchBan, MatchRequest
from tenant_apps.meetings.services import meetings_person_erase
from tenant_apps.notifications.models import Email
from tenant_apps.participants.models import AccessLink, Answer, Participant

ERASED_DOMAIN = "erased.invalid"


def _pairs(participant: Participant) -> list[Match]:
    return list(Match.objects.filter(mentee=participant) | Match.objects.filter(mentor=participant))


def _erase_matches(participant: Participant, email: str) -> None:
    for match in Match.objects.select_for_update().filter(
        pk__in=[m.pk for m in _pairs(participant)]
    ):
        match.end_reason = ""
        match.explanation = []
        if match.status != Match.Status.ENDED:
            match.status = Match.Status.ENDED
            match.ended_at = timezone.now()
        match.save(update_fields=["end_reason", "explanation", "status", "ended_at"])


# How each model of export.SOURCES is erased (None: kept as is, with the reason).
ERASE: dict[str, Callable[[Participant, str], None] | str] = {
    "participants.Participant": "anonymised by participant_erase itself",
    "participants.Answer": lambda p, e: Answer.objects.filter(participant=p).delete(),
    "participants.AccessLink": lambda p, e: AccessLink.objects.filter(participant=p).delete(),
    "matching.Match": _erase_matches,
    "matching.MatchRequest": lambda p, e: (
        MatchRequest.objects.filter(mentee=p) | MatchRequest.objects.filter(mentor=p)
    ).delete(),
    "matching.MatchBan": lambda p, e: (
        MatchBan.objects.filter(mentee=p) | MatchBan.objects.filter(mentor=p)
    ).delete(),
    "meetings.Meeting": lambda p, e: meetings_person_erase(participant=p),
    "meetings.MeetingSlot": "times only, kept as statistics with their meeting",
    "meetings.MeetingNote": "the person's notes are deleted with the meetings",
    "meetings.MeetingAttendance": "kept as statistics (tied to the anonymous participant)",
    "notifications.Email": lambda p, e: Email.objects.filter(to=e).delete(),
    "privacy.AuditEvent": "kept (ids only, no personal data); purged after 12 months",
    "accounts.User": "deleted when no membership remains (user_erase_if_unused)",
    "accounts.ProgramMembership": "this programme's row deleted by user_erase_if_unused",
    "otp_totp.TOTPDevice": "deleted with the account",
    "accounts.RecoveryCodeDevice": "deleted with the account",
    "accounts.AccountSecurityEvent": "deleted with the account; purged after 90 days",
    "accounts.SignInLink": "deleted with the account; purged after 90 days",
}


@transaction.atomic
def participant_erase(*, participant: Participant, by: Participant | None) -> None:
    """Erase `participant` from this programme. `by` is the person themself or a manager of
    this programme (None: a super-admin from the console). Anything else changes nothing."""
    participant = (
        Participant.objects.select_for_update().select_related("user").get(pk=participant.pk)
    )
    if by is not None and by.pk != participant.pk and not by.is_manager:
        raise NotAllowed(_("You cannot erase this person."))
    user = participant.user
    email = user.email
    for rule in ERASE.values():
        if callable(rule):
            rule(participant, email)
    # The participant row stays for the statistics, pointing at an anonymous placeholder.
    placeholder = type(user).objects.create_user(
        email=f"{secrets.token_hex(8)}@{ERASED_DOMAIN}", is_active=False
    )
    participant.user = placeholder
    participant.status = Participant.Status.DEACTIVATED
    participant.deactivated_at = timezone.now()
    participant.privacy_consent_at = None
    participant.save(update_fields=["user", "status", "deactivated_at", "privacy_consent_at"])
    sessions_end_everywhere(user=user)
    audit_record(
        action="privacy.erased", target=participant, details={"by_self": by == participant}
    )
    user_erase_if_unused(user=user, program_id=connection.tenant.pk)
