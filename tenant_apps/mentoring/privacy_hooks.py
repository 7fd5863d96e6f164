"""The mentoring app's personal data (presentation, the pair's thread, goals, reminders), for
the privacy app's export and erasure (saas.core.personal_data). The pair's thread and goals
follow the pair: both people get all of it."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from saas.core.personal_data import Erase, Item, Source, item, when, yes_no
from tenant_apps.matching.selectors import in_pair
from tenant_apps.mentoring.services import mentoring_person_erase

# --- in words ------------------------------------------------------------------------------------


def profile_in_words(row: Any, me: Any) -> Item:
    return item(
        _("Your presentation"),
        (_("Job title"), row.job_title),
        (_("Organisation or branch"), row.entity),
        (_("Languages"), ", ".join(row.languages or [])),
        (_("A few words about you"), row.bio),
        (_("Photo"), yes_no(row.has_photo)),
        (_("Email me when a message is waiting"), yes_no(row.notify_messages)),
        (_("Last changed"), when(row.updated_at)),
    )


def message_in_words(row: Any, me: Any) -> Item:
    mine = row.author_id == me.pk
    return item(
        _("Your message")
        if mine
        else _("Message from %(name)s") % {"name": row.author.display_name},
        (_("Date"), when(row.created_at)),
        (_("Message"), row.body),
    )


def thread_state_in_words(row: Any, me: Any) -> Item:
    return item(
        _("Your reading of a pair's messages"),
        (_("Read up to"), when(row.read_at)),
        (_("Last email telling you a message was waiting"), when(row.emailed_at)),
    )


def goal_in_words(row: Any, me: Any) -> Item:
    return item(
        _("Goal: %(title)s") % {"title": row.title},
        (_("Description"), row.description),
        (_("Status"), row.get_status_display()),
        (_("Target date"), when(row.target_date)),
        (_("Set on"), when(row.created_at)),
    )


def nudge_in_words(row: Any, me: Any) -> Item:
    return item(_("Reminder to meet your pair"), (_("Sent on"), when(row.sent_at)))


# --- the hooks -----------------------------------------------------------------------------------


EXPORT: dict[str, Source] = {
    "mentoring.Profile": Source(
        rows=lambda p: Q(participant=p), section="relationship", present=profile_in_words
    ),
    "mentoring.Message": Source(
        rows=lambda p: in_pair(p, "match__"),
        section="relationship",
        present=message_in_words,
        related=("author__user",),
    ),
    "mentoring.ThreadState": Source(
        rows=lambda p: Q(participant=p), section="relationship", present=thread_state_in_words
    ),
    "mentoring.Goal": Source(
        rows=lambda p: in_pair(p, "match__"), section="relationship", present=goal_in_words
    ),
    "mentoring.Nudge": Source(
        rows=lambda p: Q(participant=p), section="relationship", present=nudge_in_words
    ),
}

# After the meetings (order 40), before the pairs (matching, order 50): one rule erases the
# presentation, the person's own messages, their read marks and reminders, and blanks the
# pair's goals (statuses kept as statistics).
ERASE: dict[str, Erase | str] = {
    "mentoring.Profile": Erase(lambda p, i: mentoring_person_erase(participant=p), order=45),
    "mentoring.Message": "the person's messages are deleted by mentoring_person_erase",
    "mentoring.ThreadState": "deleted by mentoring_person_erase",
    "mentoring.Nudge": "deleted by mentoring_person_erase",
    "mentoring.Goal": "text blanked by mentoring_person_erase; status kept as statistics",
}
