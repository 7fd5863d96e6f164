"""The surveys app's personal data (invitations, answers given with a name, announcements a
manager wrote), for the privacy app's export and erasure (saas.core.personal_data).
Aggregated-only answers hold no link to anyone, so they cannot be (and are not) anyone's."""

from types import SimpleNamespace
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from saas.core.personal_data import Erase, Item, Source, item, when
from tenant_apps.participants.privacy_hooks import answer_text
from tenant_apps.programs.models import Question
from tenant_apps.surveys.services import surveys_person_erase

# --- in words ------------------------------------------------------------------------------------


def survey_invitation_in_words(row: Any, me: Any) -> Item:
    return item(
        row.survey.title,
        (_("Asked on"), when(row.created_at)),
        (_("Reminders"), row.reminders_sent),
        (_("Answered on"), when(row.answered_at) if row.answered_at else _("Not yet")),
    )


def survey_response_in_words(row: Any, me: Any) -> Item:
    """Only answers given with the person's name: aggregated-only answers point at nobody."""
    questions = {
        q.key: q for q in Question.all_forms.filter(question_set_id=row.survey.question_set_id)
    }
    facts = []
    for key, value in row.answers.items():
        question = questions.get(key)
        label = question.label_for(me.role) if question else key
        facts.append((label, answer_text(question or SimpleNamespace(choices=[]), value)))
    return item(row.survey.title, (_("Date"), when(row.submitted_on)), *facts)


def announcement_in_words(row: Any, me: Any) -> Item:
    return item(row.title, (_("Sent on"), when(row.sent_at)), (_("People"), row.recipients))


# --- the hooks -----------------------------------------------------------------------------------

EXPORT: dict[str, Source] = {
    # The person's invitations ("has answered" markers) and the answers they gave with their
    # name. The announcements a manager wrote.
    "surveys.SurveyInvitation": Source(
        rows=lambda p: Q(participant=p),
        section="feedback",
        present=survey_invitation_in_words,
        related=("survey",),
        omit=frozenset({"occasion"}),
    ),
    "surveys.SurveyResponse": Source(
        rows=lambda p: Q(participant=p),
        section="feedback",
        present=survey_response_in_words,
        related=("survey",),
    ),
    "surveys.Announcement": Source(
        rows=lambda p: Q(author=p), section="feedback", present=announcement_in_words
    ),
}

# After the meetings (order 40) and the mentoring relationship (45), before the pairs
# (matching, order 50): invitations deleted, named answers kept as anonymous statistics
# without their free text, announcements kept without their author.
ERASE: dict[str, Erase | str] = {
    "surveys.SurveyResponse": Erase(lambda p, i: surveys_person_erase(participant=p), order=47),
    "surveys.SurveyInvitation": "deleted by surveys_person_erase (surveys.SurveyResponse rule)",
    "surveys.Announcement": "kept without its author by surveys_person_erase",
}
