"""A participant's profile: answers to the questionnaire, capacity, availability."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from saas.core.errors import ValidationFailed
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.programs.models import Question
from tenant_apps.programs.selectors import questionnaire_cached


def questions_for(*, participant: Participant) -> list[Question]:
    """The questions of the questionnaire in use for the participant's role (cached)."""
    return [q for q in questionnaire_cached() if q.is_for(participant.role)]


def answers_of(*, participant: Participant) -> dict[str, Any]:
    """{question key: value} — archived questions included (answers survive)."""
    return {
        key: value
        for key, value in Answer.objects.filter(participant=participant).values_list(
            "question__key", "value"
        )
    }


def _clean_value(question: Question, raw: Any) -> tuple[Any, str | None]:
    """The stored value for `raw` (from the form), or an error message."""
    allowed = {choice["value"] for choice in question.choices}
    empty = raw in (None, "", [])
    if empty:
        if question.is_required:
            return None, _("This question needs an answer.")
        return None, None
    if question.kind == Question.Kind.SINGLE:
        return (raw, None) if raw in allowed else (None, _("Choose one of the options."))
    if question.kind == Question.Kind.MULTIPLE:
        values = [value for value in raw if value in allowed]
        return (sorted(set(values)), None) if values else (None, _("Choose among the options."))
    if question.kind == Question.Kind.NUMBER:
        try:
            return float(str(raw).replace(",", ".")), None
        except ValueError:
            return None, _("Enter a number.")
    if question.kind == Question.Kind.YES_NO:
        return (raw in (True, "yes", "true", "on", "1"), None)
    return str(raw).strip()[:2000], None


@transaction.atomic
def profile_save(
    *,
    participant: Participant,
    raw_answers: dict[str, Any],
    capacity: int | None = None,
    is_available: bool | None = None,
) -> Participant:
    """Save every answer, or none: a wrong answer raises ValidationFailed and nothing changes."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[Question, Any] = {}
    for question in questions_for(participant=participant):
        value, error = _clean_value(question, raw_answers.get(question.key))
        if error:
            errors[f"q_{question.key}"] = [error]
        else:
            cleaned[question] = value
    is_mentor = participant.role == Participant.Role.MENTOR
    if is_mentor and capacity is not None and not 1 <= capacity <= 10:
        errors["capacity"] = [_("A mentor takes from 1 to 10 mentees.")]
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    for question, value in cleaned.items():
        Answer.objects.update_or_create(
            participant=participant, question=question, defaults={"value": value}
        )
    fields = []
    if participant.role == Participant.Role.MENTOR and capacity is not None:
        participant.capacity = capacity
        fields.append("capacity")
    if is_available is not None:
        participant.is_available = is_available
        fields.append("is_available")
    if fields:
        participant.save(update_fields=fields)
    return participant
