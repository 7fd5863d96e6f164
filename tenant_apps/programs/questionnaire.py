"""The programme's questionnaire, edited by its manager — and, with the same editor, the
questions of a survey (a `QuestionSet` that tenant_apps.surveys owns)."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.log import audit_exempt, audit_record, audit_unchanged, audited
from saas.core.errors import ValidationFailed
from tenant_apps.programs.models import Question, QuestionSet
from tenant_apps.programs.selectors import questionnaire_forget

CHOICE_KINDS = {Question.Kind.SINGLE, Question.Kind.MULTIPLE}
REPORTING_KINDS = {Question.Kind.SINGLE, Question.Kind.YES_NO}
# Kinds that only a survey asks (a profile has nothing to score).
SURVEY_KINDS = {Question.Kind.SCALE, Question.Kind.NPS}
# Fields of a question that only the registration questionnaire uses (matching, profiles).
MATCHING_FIELDS = ("criterion", "weight", "hard_rule", "number_range", "is_sensitive")

# Who owns a question set: functions (registered by the apps that own sets, in their
# AppConfig.ready()) that return the set's (title, back URL), or None when not theirs. The
# editor uses them for its heading and its way back, without importing the owner.
QuestionSetOwner = Callable[[QuestionSet], tuple[str, str] | None]
question_set_owners: list[QuestionSetOwner] = []


@audit_exempt("reads the owners registry; writes nothing")
def question_set_describe(*, question_set: QuestionSet) -> tuple[str, str]:
    """(title, back URL) of a set, from the app that owns it."""
    for owner in question_set_owners:
        described = owner(question_set)
        if described is not None:
            return described
    return _("Questions"), "/"


CRITERIA_BY_KIND = {
    Question.Kind.SINGLE: {"same", "overlap", "covers"},
    Question.Kind.MULTIPLE: {"overlap", "covers", "same"},
    Question.Kind.YES_NO: {"same"},
    Question.Kind.NUMBER: {"distance", "same"},
    Question.Kind.TEXT: set(),
}


def choices_parse(text: str) -> list[dict[str, str]]:
    """One choice per line → [{"value": slug, "label": line}]; values stay stable when a label
    is reworded only if the manager keeps the slug (shown in the editor)."""
    seen: set[str] = set()
    choices: list[dict[str, str]] = []
    for line in (text or "").splitlines():
        label = line.strip()
        if not label:
            continue
        value = slugify(label)[:50] or f"choice-{len(choices) + 1}"
        if value in seen:
            continue
        seen.add(value)
        choices.append({"value": value, "label": label})
    return choices


def _validate(data: dict[str, Any], *, in_set: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    kind, criterion = data.get("kind"), data.get("criterion") or ""
    if kind in SURVEY_KINDS and not in_set:
        errors["kind"] = [_("This type of question is for surveys only.")]
    if in_set and (criterion or data.get("hard_rule") or data.get("is_sensitive")):
        errors["criterion"] = [_("A survey question is not used for matching.")]
    if kind in CHOICE_KINDS and len(data.get("choices") or []) < 2:
        errors["choices_text"] = [_("Give at least two choices, one per line.")]
    if criterion and (kind is None or criterion not in CRITERIA_BY_KIND.get(kind, set())):
        errors["criterion"] = [_("This criterion does not fit this type of question.")]
    if criterion == "distance" and not data.get("number_range"):
        errors["number_range"] = [_("Say how far apart two numbers are not close at all.")]
    if data.get("hard_rule") and not criterion:
        errors["hard_rule"] = [_("A hard rule needs a matching criterion.")]
    if criterion and data.get("audience") != Question.Audience.BOTH:
        errors["audience"] = [
            _("A question used for matching must be asked to mentees and mentors.")
        ]
    if data.get("is_reporting_dimension"):
        if kind not in REPORTING_KINDS:
            errors["is_reporting_dimension"] = [
                _("Only single choice and yes / no questions can break the figures down.")
            ]
        elif data.get("is_sensitive"):
            errors["is_reporting_dimension"] = [
                _("A sensitive answer is never displayed, not even as a group.")
            ]
    return errors


# What a manager edits on a question (in the form's order); the key never changes.
QUESTION_FIELDS = (
    "label",
    "mentor_label",
    "help_text",
    "kind",
    "choices",
    "audience",
    "is_required",
    "criterion",
    "weight",
    "hard_rule",
    "number_range",
    "is_sensitive",
    "show_on_profile",
    "is_reporting_dimension",
)


def _questionnaire_changed() -> None:
    """The cached questionnaire (programs.selectors.questionnaire_cached) is dropped now and
    again at commit, so that no request caches the old rows in between."""
    questionnaire_forget()
    transaction.on_commit(questionnaire_forget)


@transaction.atomic
@audited
def question_save(
    *, question: Question | None, data: dict[str, Any], question_set: QuestionSet | None = None
) -> Question:
    """Create or edit a question (of the registration questionnaire, or of `question_set` for
    a new survey question). The key (used in answers) never changes once created."""
    if question is not None:
        question_set = question.question_set
    errors = _validate(data, in_set=question_set is not None)
    if errors:
        raise ValidationFailed(_("Please correct the errors below."), fields=errors)
    if question is None:
        base = slugify(data["label"])[:40] or "question"
        key, index = base, 1
        while Question.all_forms.filter(key=key).exists():
            index += 1
            key = f"{base}-{index}"
        siblings = Question.all_forms.filter(question_set=question_set)
        position = (siblings.aggregate(top=Max("position"))["top"] or 0) + 1
        question = Question(key=key, position=position, question_set=question_set)
    is_new = question.pk is None
    changed: list[str] = []
    for field in QUESTION_FIELDS:
        if field in data:
            if getattr(question, field) != data[field]:
                changed.append(field)
            setattr(question, field, data[field])
    question.save()
    _questionnaire_changed()
    if is_new:
        audit_record(
            action="programs.question_created", target=question, details={"key": question.key}
        )
    elif changed:
        audit_record(
            action="programs.question_changed",
            target=question,
            details={"key": question.key, "fields": changed},
        )
    else:
        audit_unchanged()
    return question


@transaction.atomic
@audited
def question_move(*, question: Question, offset: int) -> None:
    """Move a question up (-1) or down (+1) among the questions in use of its set."""
    ordered = list(
        Question.all_forms.filter(
            question_set=question.question_set_id, is_archived=False
        ).select_for_update()
    )
    index = ordered.index(question)
    target = index + offset
    if not 0 <= target < len(ordered):
        audit_unchanged()
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    _questionnaire_changed()
    audit_record(
        action="programs.question_moved",
        target=question,
        details={"key": question.key, "offset": offset},
    )


@transaction.atomic
@audited
def question_archive(*, question: Question, is_archived: bool = True) -> Question:
    """Archived questions are no longer asked nor used; their answers are kept."""
    question.is_archived = is_archived
    question.save(update_fields=["is_archived"])
    _questionnaire_changed()
    audit_record(
        action="programs.question_archived" if is_archived else "programs.question_restored",
        target=question,
        details={"key": question.key},
    )
    return question
