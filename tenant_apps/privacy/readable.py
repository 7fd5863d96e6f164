"""How each kind of row of the right-of-access export reads on the "Mes données" page: in
words, with the questionnaire's labels instead of answer codes, dates in the programme's time
zone, the other person named. Each entry of export.SOURCES points at one of these functions;
the JSON download keeps the raw rows (complete, for portability).

A function takes one row and the person who asks, and returns an Item: an optional heading
and (label, value) facts. Facts with an empty value are left out.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.participants.models import Participant

Fact = tuple[str, str]


@dataclass
class Item:
    heading: str = ""
    facts: list[Fact] = field(default_factory=list)


# The page's sections, in order: (key, title, what an empty section says).
SECTION_TITLES = {
    "account": gettext_lazy("Your account"),
    "profile": gettext_lazy("Your profile and your answers"),
    "pairs": gettext_lazy("Your pairs"),
    "meetings": gettext_lazy("Your meetings"),
    "feedback": gettext_lazy("Your feedback and announcements"),
    "messages": gettext_lazy("Messages sent to you"),
    "access": gettext_lazy("Access links"),
    "journal": gettext_lazy("Journal"),
}


def when(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def full_name(participant: Participant | None) -> str:
    if participant is None:
        return ""
    user = participant.user
    return user.get_full_name() or user.email


def item(heading: str = "", *facts: tuple[Any, Any]) -> Item:
    return Item(
        heading=str(heading),
        facts=[(str(label), str(value)) for label, value in facts if value not in ("", None)],
    )


# --- participants --------------------------------------------------------------------------------


def participant(row: Participant, me: Participant) -> Item:
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


def answer(row: Any, me: Participant) -> Item:
    return item("", (row.question.label_for(me.role), answer_text(row.question, row.value)))


def access_link(row: Any, me: Participant) -> Item:
    if row.used_at:
        state = _("used on %(date)s") % {"date": when(row.used_at)}
    elif row.is_usable:
        state = _("usable until %(date)s") % {"date": when(row.expires_at)}
    else:
        state = _("expired or replaced")
    return item(
        row.get_purpose_display(), (_("Sent on"), when(row.created_at)), (_("State"), state)
    )


# --- matching ----------------------------------------------------------------------------------


def _other(row: Any, me: Participant) -> Participant:
    return row.mentor if row.mentee_id == me.pk else row.mentee


def _your_role(row: Any, me: Participant) -> str:
    return _("mentee") if row.mentee_id == me.pk else _("mentor")


def match(row: Any, me: Participant) -> Item:
    summary = row.explanation.get("summary", "") if isinstance(row.explanation, dict) else ""
    return item(
        _("With %(name)s") % {"name": full_name(_other(row, me))},
        (_("Your role in this pair"), _your_role(row, me)),
        (_("Status"), row.get_status_display()),
        (_("How the pair was made"), row.get_source_display()),
        (_("Why this pair"), summary),
        (_("Proposed on"), when(row.created_at)),
        (_("Started on"), when(row.activated_at)),
        (_("Ended on"), when(row.ended_at)),
        (_("Reason for ending"), row.end_reason),
    )


def match_request(row: Any, me: Participant) -> Item:
    is_sender = row.mentee_id == me.pk
    heading = (_("Your request to %(name)s") if is_sender else _("Request from %(name)s")) % {
        "name": full_name(_other(row, me))
    }
    return item(
        heading,
        (_("Status"), row.get_status_display()),
        (_("Message"), row.message),
        (_("Sent on"), when(row.created_at)),
        (_("Answered on"), when(row.answered_at)),
    )


def match_ban(row: Any, me: Participant) -> Item:
    return item(
        _("A proposed pair set aside by the programme's managers"),
        (_("Date"), when(row.created_at)),
    )


# --- meetings ------------------------------------------------------------------------------------


def meeting(row: Any, me: Participant) -> Item:
    other = _other(row.match, me)
    starts = when(row.starts_at)
    heading = (
        _("With %(name)s, %(date)s") % {"name": full_name(other), "date": starts}
        if starts
        else _("With %(name)s") % {"name": full_name(other)}
    )
    return item(
        heading,
        (_("Status"), row.get_status_display()),
        (_("Proposed by"), _("you") if row.proposed_by_id == me.pk else full_name(other)),
        (_("Ends at"), when(row.ends_at)),
        (_("Reason for declining"), row.decline_reason),
        (_("Reason for cancelling"), row.cancel_reason),
        (_("Next steps agreed"), row.next_steps),
    )


def meeting_slot(row: Any, me: Participant) -> Item:
    return item(
        _("Time proposed"),
        (_("Starts at"), when(row.starts_at)),
        (_("Ends at"), when(row.ends_at)),
    )


def meeting_note(row: Any, me: Participant) -> Item:
    return item(
        _("Your private notes"),
        (_("Meeting of"), when(row.meeting.starts_at)),
        (_("Notes"), row.text),
        (_("Last changed"), when(row.updated_at)),
    )


def meeting_attendance(row: Any, me: Participant) -> Item:
    return item(
        _("Video meeting"),
        (_("What happened"), row.get_kind_display()),
        (_("When"), when(row.occurred_at)),
    )


# --- feedback (tenant_apps.surveys) --------------------------------------------------------------


def survey_invitation(row: Any, me: Participant) -> Item:
    return item(
        row.survey.title,
        (_("Asked on"), when(row.created_at)),
        (_("Reminders"), row.reminders_sent),
        (_("Answered on"), when(row.answered_at) if row.answered_at else _("Not yet")),
    )


def survey_response(row: Any, me: Participant) -> Item:
    """Only answers given with the person's name: aggregated-only answers point at nobody."""
    from tenant_apps.programs.models import Question

    questions = {
        q.key: q for q in Question.all_forms.filter(question_set_id=row.survey.question_set_id)
    }
    facts = []
    for key, value in row.answers.items():
        question = questions.get(key)
        label = question.label_for(me.role) if question else key
        facts.append((label, answer_text(question or SimpleNamespace(choices=[]), value)))
    return item(row.survey.title, (_("Date"), when(row.submitted_on)), *facts)


def announcement(row: Any, me: Participant) -> Item:
    return item(row.title, (_("Sent on"), when(row.sent_at)), (_("People"), row.recipients))


# --- messages and journal ------------------------------------------------------------------------


def email(row: Any, me: Participant) -> Item:
    return item(
        row.subject,
        (_("Date"), when(row.sent_at or row.created_at)),
        (_("State"), row.get_status_display()),
    )


ACTIONS = {
    "auth.login": gettext_lazy("Logged in"),
    "auth.login_failed": gettext_lazy("Failed log-in"),
    "auth.logout_everywhere": gettext_lazy("Logged out on every device"),
    "auth.password_changed": gettext_lazy("Password changed"),
    "auth.password_reset": gettext_lazy("New password chosen with a reset link"),
    "participant.invited": gettext_lazy("Invitation sent"),
    "participant.deactivated": gettext_lazy("Access deactivated"),
    "participant.reactivated": gettext_lazy("Access reactivated"),
    "participant.profile_viewed": gettext_lazy("Your profile was viewed by a manager"),
    "privacy.exported": gettext_lazy("Consultation of your data"),
    "meetings.list_viewed": gettext_lazy("Meetings list viewed"),
    "meeting.cancelled": gettext_lazy("Meeting cancelled"),
}
ACTORS = {
    "manager": gettext_lazy("a programme manager"),
    "mentor": gettext_lazy("a mentor"),
    "mentee": gettext_lazy("a mentee"),
    "super-admin": gettext_lazy("the platform's administrators"),
    "system": gettext_lazy("the platform"),
}


def audit_event(row: Any, me: Participant) -> Item:
    action = ACTIONS.get(row.action)
    what = str(action) if action else _("Other recorded action (%(code)s)") % {"code": row.action}
    if row.actor_user_id == me.user_id:
        who = _("you")
    else:
        who = str(ACTORS.get(row.actor_role, _("someone else")))
    return item(what, (_("Date"), when(row.created_at)), (_("By"), who))
