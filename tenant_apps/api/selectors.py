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


def api_keys() -> QuerySet[ApiKey]:
    return ApiKey.objects.all()


def webhook_endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.all()


def webhook_deliveries(*, endpoint: WebhookEndpoint, limit: int = 20) -> list[WebhookDelivery]:
    return list(endpoint.deliveries.all()[:limit])
