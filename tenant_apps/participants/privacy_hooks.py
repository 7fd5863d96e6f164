"""The participants app's personal data, for the privacy app's export and erasure
(saas.core.personal_data)."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from saas.core.personal_data import Erase, Item, Source, item, when, yes_no
from tenant_apps.participants.models import AccessLink, Answer, Participant

# --- in words ------------------------------------------------------------------------------------


def participant_in_words(row: Participant, me: Participant) -> Item:
    is_mentor = row.role == Participant.Role.MENTOR
    return item(
        _("Your participation"),
        (_("Role"), row.get_role_display()),
        (_("Status"), row.get_status_display()),
        (_("Joined through"), row.get_joined_via_display()),
        (_("Privacy notice accepted on"), when(row.privacy_consent_at)),
        (_("Mentees at a time"), row.capacity if is_mentor else ""),
        (_("Available for a new pairing"), yes_no(row.is_available)),
        (_("Added on"), when(row.created_at)),
        (_("Account activated on"), when(row.activated_at)),
        (_("Last activity"), when(row.last_active_at)),
    )


def answer_text(question: Any, value: Any) -> str:
    """An answer as the person chose it: option labels, yes/no, the number, the text."""
    labels = {str(c.get("value")): str(c.get("label")) for c in question.choices or []}
    if value in (None, "", []):
        return _("No answer")
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list):
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return labels.get(str(value), str(value))


def answer_in_words(row: Any, me: Participant) -> Item:
    return item("", (row.question.label_for(me.role), answer_text(row.question, row.value)))


def access_link_in_words(row: Any, me: Participant) -> Item:
    if row.used_at:
        state = _("used on %(date)s") % {"date": when(row.used_at)}
    elif row.is_usable:
        state = _("usable until %(date)s") % {"date": when(row.expires_at)}
    else:
        state = _("expired or replaced")
    return item(
        row.get_purpose_display(), (_("Sent on"), when(row.created_at)), (_("State"), state)
    )


# --- the hooks -----------------------------------------------------------------------------------

EXPORT: dict[str, Source] = {
    "participants.Participant": Source(
        rows=lambda p: Q(pk=p.pk), section="profile", present=participant_in_words
    ),
    "participants.Answer": Source(
        rows=lambda p: Q(participant=p),
        section="profile",
        present=answer_in_words,
        related=("question",),
    ),
    "participants.AccessLink": Source(
        rows=lambda p: Q(participant=p), section="access", present=access_link_in_words
    ),
}

# After the outbox (notifications, order 10), before pairs and meetings.
ERASE: dict[str, Erase | str] = {
    "participants.Participant": "anonymised by participant_erase itself",
    "participants.Answer": Erase(
        lambda p, i: Answer.objects.filter(participant=p).delete(), order=20
    ),
    "participants.AccessLink": Erase(
        lambda p, i: AccessLink.objects.filter(participant=p).delete(), order=20
    ),
}
