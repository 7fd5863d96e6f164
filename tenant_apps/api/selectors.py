"""Reads of the REST API. Ids and codes, the participant's name and address through
`display_name` / `display_email` only; never a meeting's room."""

from datetime import datetime
from typing import Any

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce, Greatest

from tenant_apps.api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import Question
from tenant_apps.surveys.models import Survey
from tenant_apps.surveys.selectors import MIN_GROUP, QuestionResult, survey_results


def api_participants(
    *, status: str = "", role: str = "", updated_since: datetime | None = None
) -> QuerySet[Participant]:
    queryset = Participant.objects.select_related("user").annotate(
        updated_at=Greatest(
            F("created_at"),
            Coalesce(F("activated_at"), F("created_at")),
            Coalesce(F("deactivated_at"), F("created_at")),
        )
    )
    if status:
        queryset = queryset.filter(status=status)
    if role:
        queryset = queryset.filter(role=role)
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    return queryset


def api_participant_by_email(*, email: str) -> Participant | None:
    return api_participants().filter(user__email=email).first()


def api_pairs(*, status: str = "") -> QuerySet[Match]:
    queryset = Match.objects.exclude(status=Match.Status.PROPOSED)
    return queryset.filter(status=status) if status else queryset


def api_meetings(*, status: str = "") -> QuerySet[Meeting]:
    queryset = Meeting.objects.only(
        "id", "match_id", "status", "starts_at", "ends_at", "time_zone", "created_at", "updated_at"
    )
    return queryset.filter(status=status) if status else queryset


def _counts(queryset: QuerySet[Any], field: str) -> dict[str, int]:
    rows = queryset.order_by().values(field).annotate(n=Count("id"))
    return {row[field]: row["n"] for row in rows}


def api_statistics() -> dict[str, Any]:
    participants = Participant.objects.exclude(status=Participant.Status.ERASED)
    return {
        "participants": {
            "total": participants.count(),
            "by_role": _counts(participants, "role"),
            "by_status": _counts(Participant.objects.all(), "status"),
        },
        "pairs": {"by_status": _counts(Match.objects.all(), "status")},
        "meetings": {"by_status": _counts(Meeting.objects.all(), "status")},
    }


def api_surveys() -> QuerySet[Survey]:
    return Survey.objects.all()


NPS_GROUPS = ("detractors", "passives", "promoters")


def _distribution_values(question: Question, size: int) -> list[str]:
    """The codes of `QuestionResult.distribution`'s entries, in its order (its labels are
    translated words; a client keys on these)."""
    kind = question.kind
    if kind == Question.Kind.NPS:
        return list(NPS_GROUPS)
    if kind == Question.Kind.YES_NO:
        return ["yes", "no"]
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        return [str(choice["value"]) for choice in question.choices]
    return [str(score) for score in range(1, size + 1)]  # the 1–5 scale


def _question(result: QuestionResult) -> dict[str, Any]:
    """One question's aggregates. Free text is never given (each text is one person's
    answer); a group of fewer than MIN_GROUP answers has no figure at all."""
    question = result.question
    shown = not result.is_suppressed
    values = _distribution_values(question, len(result.distribution))
    return {
        "key": question.key,
        "label": question.label,
        "kind": question.kind,
        "suppressed": result.is_suppressed,
        "responses": result.count if shown else None,
        "mean": result.mean if shown else None,
        "nps": result.nps if shown else None,
        "distribution": [
            {"value": value, "label": str(label), "count": count}
            for value, (label, count) in zip(values, result.distribution, strict=True)
        ]
        if shown
        else [],
        "by_role": [
            {
                "role": role,
                "suppressed": hidden,
                "responses": None if hidden else count,
                "mean": None if hidden else mean,
            }
            for role, (_label, count, mean, hidden) in zip(
                # the figures per role exist for scores and numbers only (else empty)
                (Participant.Role.MENTEE, Participant.Role.MENTOR),
                result.by_role,
                strict=False,
            )
        ]
        if shown
        else [],
    }


def api_survey_results(*, survey: Survey) -> dict[str, Any]:
    """A survey's aggregated results for the API: counts, means, NPS, never an answer. The
    aggregated-only rules apply to every survey here, also to one that shows names to the
    managers: no figure computed from fewer than MIN_GROUP answers ("< 5", as on the
    dashboard), no free text, no name."""
    results = survey_results(survey=survey, aggregated_only=True)
    shown = not results.is_suppressed
    return {
        "id": survey.pk,
        "kind": survey.kind,
        "title": survey.title,
        "is_anonymous": survey.is_anonymous,
        "min_group": MIN_GROUP,
        "invited": results.invited,
        "answered": results.answered if results.answered >= MIN_GROUP else None,
        "responses": results.responses if shown else None,
        "suppressed": results.is_suppressed,
        "questions": [_question(result) for result in results.questions],
    }


def api_keys() -> QuerySet[ApiKey]:
    return ApiKey.objects.all()


def webhook_endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.all()


def webhook_deliveries(*, endpoint: WebhookEndpoint, limit: int = 20) -> list[WebhookDelivery]:
    return list(endpoint.deliveries.all()[:limit])
