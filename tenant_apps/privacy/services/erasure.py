"""Right to erasure: a person's data in this programme is deleted or irreversibly anonymised.

What stays is what the programme needs as anonymous statistics: the pairs and the meetings
(times, statuses, attendance), tied to a participant row that no longer points at the person
(its identity is replaced by an anonymous placeholder account). Free text goes. Each app says,
in its privacy hooks (ERASE), how its rows about the person are erased, or why they stay;
every model with an export hook has an erasure rule, a test fails when one is missing. The
person's files (under `Participant.files_prefix`) are deleted, every version, once the erasure
commits. Once the person is in no programme any more, their shared identity (public schema) is
erased as well: anonymised in place, a tombstone without personal data (never deleted: see
`accounts.services.user_erase_if_unused`).
"""

from typing import TYPE_CHECKING

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_record, audit_unchanged, audited
from saas.core.errors import NotAllowed
from saas.core.personal_data import Identity
from saas.core.tasks import enqueue_on_commit
from saas.core.tenancy import connection
from shared_apps.accounts.security import session_version_bump
from shared_apps.accounts.selectors import ERASED_EMAIL_DOMAIN, erased_email
from shared_apps.accounts.services import user_erase_if_unused
from tenant_apps.privacy.hooks import erase_steps
from tenant_apps.privacy.tasks import delete_files_task

if TYPE_CHECKING:
    from tenant_apps.participants.models import Participant

ERASED_DOMAIN = ERASED_EMAIL_DOMAIN


@transaction.atomic
@audited
def participant_erase(*, participant: "Participant", by: "Participant | None") -> None:
    """Erase `participant` from this programme. `by` is the person themself or a manager of
    this programme (None: a super-admin from the console). Anything else changes nothing.

    The row is tied to an anonymous placeholder first and marked erased, so that everything
    the rules then do — cancelling the upcoming meetings through the meetings service, with
    the usual email and calendar cancellation to the other person — names the person
    "Participant·e supprimé·e" and writes nothing to the placeholder. Erasing twice changes
    nothing."""
    Participant = apps.get_model("participants", "Participant")
    participant = (
        Participant.objects.select_for_update().select_related("user").get(pk=participant.pk)
    )
    if by is not None and by.pk != participant.pk and not by.is_manager:
        raise NotAllowed(_("You cannot erase this person."))
    if participant.is_erased:
        audit_unchanged()
        return
    user = participant.user
    first, last = user.first_name.strip(), user.last_name.strip()
    identity = Identity(
        email=user.email, names=(f"{first} {last}", f"{last} {first}") if first and last else ()
    )
    # The participant row stays for the statistics, pointing at an anonymous placeholder.
    placeholder = type(user).objects.create_user(email=erased_email(), is_active=False)
    participant.user = placeholder
    participant.status = Participant.Status.ERASED
    participant.is_available = False
    participant.deactivated_at = timezone.now()
    participant.privacy_consent_at = None
    participant.save(
        update_fields=["user", "status", "is_available", "deactivated_at", "privacy_consent_at"]
    )
    for erase in erase_steps():
        erase.step(participant, identity)
    # Their files, every stored version (the bucket is versioned), once the erasure commits.
    enqueue_on_commit(delete_files_task, prefix=participant.files_prefix)
    session_version_bump(user=user)
    audit_record(
        action="privacy.erased", target=participant, details={"by_self": by == participant}
    )
    user_erase_if_unused(user=user, program_id=connection.tenant.pk)
