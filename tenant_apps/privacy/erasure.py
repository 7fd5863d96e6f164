"""Right to erasure: a person's data in this programme is deleted or irreversibly anonymised.

What stays is what the programme needs as anonymous statistics: the pairs and the meetings
(times, statuses, attendance), tied to a participant row that no longer points at the person
(its identity is replaced by an anonymous placeholder account). Free text goes. Every model in
export.SOURCES has a rule here; a test fails when one is missing. The person's files (under
`Participant.files_prefix`) are deleted, every version, once the erasure commits. Once the
person is in no programme any more, their shared identity (public schema) is deleted as well.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.core.audit import audit_record
from saas.core.errors import NotAllowed
from saas.core.tasks import enqueue_on_commit
from saas.core.tenancy import connection
from shared_apps.accounts.security import session_version_bump
from shared_apps.accounts.services import user_erase_if_unused
from tenant_apps.matching.models import Match, MatchBan, MatchRequest
from tenant_apps.meetings.services import meetings_person_erase
from tenant_apps.notifications.services import emails_person_erase
from tenant_apps.participants.models import AccessLink, Answer, Participant
from tenant_apps.privacy.tasks import delete_files_task

ERASED_DOMAIN = "erased.invalid"


@dataclass(frozen=True)
class Identity:
    """Who the person was, captured before their row is tied to the placeholder: what the
    rules look for in places that hold copies (the outbox)."""

    email: str
    names: tuple[str, ...]


def _erase_matches(participant: Participant, identity: Identity) -> None:
    """Open pairs and proposals end with the reason "erasure"; the free text of pairs that had
    ended already goes."""
    pairs = Match.objects.filter(mentee=participant) | Match.objects.filter(mentor=participant)
    now = timezone.now()
    for match in Match.objects.select_for_update().filter(pk__in=pairs.values("pk")):
        match.explanation = []
        if match.status == Match.Status.ENDED:
            if match.end_reason != Match.ERASURE:  # a manager's free text about the pair
                match.end_reason = ""
        else:
            match.status, match.ended_at = Match.Status.ENDED, now
            match.end_reason = Match.ERASURE
        match.save(update_fields=["end_reason", "explanation", "status", "ended_at"])


def _erase_emails(participant: Participant, identity: Identity) -> None:
    emails_person_erase(participant_id=participant.pk, email=identity.email, names=identity.names)


# How each model of export.SOURCES is erased (a string: kept as is, with the reason). They run
# in this order, after the row is tied to the placeholder: the outbox first, so that the
# cancellation emails the meetings rule then sends to the other people (which name the person
# "Participant·e supprimé·e") stay.
ERASE: dict[str, Callable[[Participant, Identity], object] | str] = {
    "participants.Participant": "anonymised by participant_erase itself",
    "notifications.Email": _erase_emails,
    "participants.Answer": lambda p, i: Answer.objects.filter(participant=p).delete(),
    "participants.AccessLink": lambda p, i: AccessLink.objects.filter(participant=p).delete(),
    "matching.MatchRequest": lambda p, i: (
        MatchRequest.objects.filter(mentee=p) | MatchRequest.objects.filter(mentor=p)
    ).delete(),
    "matching.MatchBan": lambda p, i: (
        MatchBan.objects.filter(mentee=p) | MatchBan.objects.filter(mentor=p)
    ).delete(),
    "meetings.Meeting": lambda p, i: meetings_person_erase(participant=p),
    "meetings.MeetingSlot": "times only, kept as statistics with their meeting",
    "meetings.MeetingNote": "the person's notes are deleted with the meetings",
    "meetings.MeetingAttendance": "kept as statistics (tied to the anonymous participant)",
    # After the meetings: a pair ends once its upcoming meetings are cancelled.
    "matching.Match": _erase_matches,
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
    this programme (None: a super-admin from the console). Anything else changes nothing.

    The row is tied to an anonymous placeholder first and marked erased, so that everything
    the rules then do — cancelling the upcoming meetings through the meetings service, with
    the usual email and calendar cancellation to the other person — names the person
    "Participant·e supprimé·e" and writes nothing to the placeholder. Erasing twice changes
    nothing."""
    participant = (
        Participant.objects.select_for_update().select_related("user").get(pk=participant.pk)
    )
    if by is not None and by.pk != participant.pk and not by.is_manager:
        raise NotAllowed(_("You cannot erase this person."))
    if participant.is_erased:
        return
    user = participant.user
    first, last = user.first_name.strip(), user.last_name.strip()
    identity = Identity(
        email=user.email, names=(f"{first} {last}", f"{last} {first}") if first and last else ()
    )
    # The participant row stays for the statistics, pointing at an anonymous placeholder.
    placeholder = type(user).objects.create_user(
        email=f"{secrets.token_hex(8)}@{ERASED_DOMAIN}", is_active=False
    )
    participant.user = placeholder
    participant.status = Participant.Status.ERASED
    participant.is_available = False
    participant.deactivated_at = timezone.now()
    participant.privacy_consent_at = None
    participant.save(
        update_fields=["user", "status", "is_available", "deactivated_at", "privacy_consent_at"]
    )
    for rule in ERASE.values():
        if callable(rule):
            rule(participant, identity)
    # Their files, every stored version (the bucket is versioned), once the erasure commits.
    enqueue_on_commit(delete_files_task, prefix=participant.files_prefix)
    session_version_bump(user=user)
    audit_record(
        action="privacy.erased", target=participant, details={"by_self": by == participant}
    )
    user_erase_if_unused(user=user, program_id=connection.tenant.pk)
