"""The notifications app's personal data (the outbox), for the privacy app's export and
erasure (saas.core.personal_data)."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from saas.core.personal_data import Erase, Identity, Item, Source, item, when
from tenant_apps.notifications.services import emails_person_erase


def email_in_words(row: Any, me: Any) -> Item:
    return item(
        row.subject,
        (_("Date"), when(row.sent_at or row.created_at)),
        (_("State"), row.get_status_display()),
    )


def _erase_emails(participant: Any, identity: Identity) -> None:
    emails_person_erase(participant_id=participant.pk, email=identity.email, names=identity.names)


EXPORT: dict[str, Source] = {
    # The messages sent to the person's own address.
    "notifications.Email": Source(
        rows=lambda p: Q(to=p.user.email), section="messages", present=email_in_words
    ),
}

# First of all steps: the cancellation emails that the meetings step then sends to the other
# people (which name the person "Participant·e supprimé·e") stay.
ERASE: dict[str, Erase | str] = {"notifications.Email": Erase(_erase_emails, order=10)}
