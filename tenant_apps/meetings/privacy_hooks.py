"""The meetings app's personal data, for the privacy app's export and erasure
(saas.core.personal_data)."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from saas.core.personal_data import Erase, Item, Source, item, when
from tenant_apps.matching.privacy_hooks import other_side
from tenant_apps.matching.selectors import in_pair
from tenant_apps.meetings.services import meetings_person_erase

# --- in words ------------------------------------------------------------------------------------


def meeting_in_words(row: Any, me: Any) -> Item:
    other = other_side(row.match, me)
    starts = when(row.starts_at)
    heading = (
        _("With %(name)s, %(date)s") % {"name": other.display_name, "date": starts}
        if starts
        else _("With %(name)s") % {"name": other.display_name}
    )
    return item(
        heading,
        (_("Status"), row.get_status_display()),
        (_("Proposed by"), _("you") if row.proposed_by_id == me.pk else other.display_name),
        (_("Ends at"), when(row.ends_at)),
        (_("Reason for declining"), row.decline_reason),
        (_("Reason for cancelling"), row.cancel_reason),
        (_("Next steps agreed"), row.next_steps),
    )


def meeting_slot_in_words(row: Any, me: Any) -> Item:
    return item(
        _("Time proposed"),
        (_("Starts at"), when(row.starts_at)),
        (_("Ends at"), when(row.ends_at)),
    )


def meeting_note_in_words(row: Any, me: Any) -> Item:
    return item(
        _("Your private notes"),
        (_("Meeting of"), when(row.meeting.starts_at)),
        (_("Notes"), row.text),
        (_("Last changed"), when(row.updated_at)),
    )


def meeting_attendance_in_words(row: Any, me: Any) -> Item:
    return item(
        _("Video meeting"),
        (_("What happened"), row.get_kind_display()),
        (_("When"), when(row.occurred_at)),
    )


# --- the hooks -----------------------------------------------------------------------------------


EXPORT: dict[str, Source] = {
    "meetings.Meeting": Source(
        rows=lambda p: in_pair(p, "match__"),
        section="meetings",
        present=meeting_in_words,
        related=("match__mentee__user", "match__mentor__user"),
    ),
    "meetings.MeetingSlot": Source(
        rows=lambda p: in_pair(p, "meeting__match__"),
        section="meetings",
        present=meeting_slot_in_words,
    ),
    # Only the person's own private notes: the other person's notes are theirs.
    "meetings.MeetingNote": Source(
        rows=lambda p: Q(author=p),
        section="meetings",
        present=meeting_note_in_words,
        related=("meeting",),
    ),
    "meetings.MeetingAttendance": Source(
        rows=lambda p: Q(participant=p),
        section="meetings",
        present=meeting_attendance_in_words,
    ),
}

# After the outbox (order 10): the cancellation emails sent to the other people stay; before
# the pairs (matching, order 50).
ERASE: dict[str, Erase | str] = {
    "meetings.Meeting": Erase(lambda p, i: meetings_person_erase(participant=p), order=40),
    "meetings.MeetingSlot": "times only, kept as statistics with their meeting",
    "meetings.MeetingNote": "the person's notes are deleted with the meetings",
    "meetings.MeetingAttendance": "kept as statistics (tied to the anonymous participant)",
}
