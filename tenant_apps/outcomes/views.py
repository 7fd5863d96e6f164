"""The manager's dashboard (their landing page, /espace/) and the exports."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from saas.core.decorators import manager_required
from saas.core.errors import ValidationFailed
from shared_apps.accounts.http import AuthenticatedHttpRequest
from tenant_apps.outcomes import charts
from tenant_apps.outcomes.selectors import (
    MIN_GROUP,
    ROLES,
    pairs_at_risk,
    period_previous,
    program_kpis,
    program_totals,
    reporting_dimensions,
    satisfaction_by_group,
    stage_labels,
)
from tenant_apps.outcomes.services import FORMATS, outcomes_export, survey_answers_export
from tenant_apps.outcomes.sources import messages_per_week, satisfaction_kpis
from tenant_apps.participants.views import my_space as participant_space
from tenant_apps.surveys.models import Survey

PRESETS = (30, 90, 365)
MAX_DAYS = 3 * 366


@never_cache
def my_space(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone's landing page: a manager's is the dashboard, a participant's their space."""
    participant = getattr(request.user, "participant", None)
    if participant is not None and participant.is_manager:
        return dashboard(request)
    return participant_space(request)


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date, int | None]:
    """[start, end] as dates (end included) from ?start=&end= or ?days=; 30 days by default."""
    today = timezone.localdate()
    days = request.GET.get("days", "")
    if days.isdigit() and int(days) in PRESETS:
        return today - datetime.timedelta(days=int(days) - 1), today, int(days)
    try:
        start = datetime.date.fromisoformat(request.GET.get("start", ""))
        end = datetime.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        return today - datetime.timedelta(days=29), today, 30
    if end < start or (end - start).days > MAX_DAYS:
        return today - datetime.timedelta(days=29), today, 30
    return start, end, None


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@manager_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    first_day, last_day, preset = _period(request)
    start, end = _aware(first_day), _aware(last_day + datetime.timedelta(days=1))
    dimensions = reporting_dimensions()
    chosen = next((q for q in dimensions if q.key == request.GET.get("dimension")), None)
    kpis = program_kpis(start=start, end=end, dimension=chosen)
    previous_start, previous_end = period_previous(start, end)
    previous = program_totals(start=previous_start, end=previous_end)
    satisfaction = satisfaction_kpis(start=start, end=end, dimension=chosen)
    return render(
        request,
        "outcomes/dashboard.html",
        {
            "participant": request.user.participant,
            "kpis": kpis,
            "previous": previous,
            "comparison": _comparison(kpis["total"], previous),
            "first_day": first_day,
            "last_day": last_day,
            "previous_first_day": previous_start.date(),
            "previous_last_day": (previous_end - datetime.timedelta(days=1)).date(),
            "preset": preset,
            "presets": PRESETS,
            "dimensions": dimensions,
            "dimension": chosen,
            "stages": stage_labels(),
            "funnel_charts": _funnel_charts(kpis["total"]),
            "weekly": _weekly_chart(kpis["weekly"], start=start, end=end),
            "scores_chart": charts.vertical_bars(
                [band["band"] for band in kpis["scores"]],
                [[band["count"] for band in kpis["scores"]]],
            ),
            "satisfaction": satisfaction,
            "score_charts": _score_charts(satisfaction),
            "satisfaction_groups": _satisfaction_groups(satisfaction, chosen),
            "at_risk": pairs_at_risk(),
            "formats": FORMATS,
            "surveys": Survey.objects.only("pk", "title", "is_anonymous"),
            "total_as_list": [{**kpis["total"], "label": _("All")}],
        },
    )


def _comparison(now: dict[str, Any], before: dict[str, Any]) -> list[dict[str, Any]]:
    def stage(group: dict[str, Any], name: str) -> int:
        return sum(
            next(s["count"] for s in group["funnel"][role] if s["stage"] == name) for role in ROLES
        )

    rows = [
        (_("People who joined"), stage(now, "invited"), stage(before, "invited")),
        (_("Of them, registered"), stage(now, "registered"), stage(before, "registered")),
        (_("Pairs formed"), now["pairs"]["new"], before["pairs"]["new"]),
        (_("Active pairs at the end"), now["pairs"]["active"], before["pairs"]["active"]),
        (_("Meetings held"), now["pairs"]["meetings_held"], before["pairs"]["meetings_held"]),
        (_("Pairs ended"), now["pairs"]["ended"], before["pairs"]["ended"]),
    ]
    return [
        {"label": label, "now": a, "before": b, "change": a - b, "is_up": a > b}
        for label, a, b in rows
    ]


def _funnel_charts(total: dict[str, Any]) -> list[dict[str, Any]]:
    labels = stage_labels()
    out = []
    for role in ROLES:
        items = [(labels[s["stage"]], s["count"]) for s in total["funnel"][role]]
        out.append({"role": role, "chart": charts.horizontal_bars(items)})
    return out


def _weekly_chart(
    weeks: list[dict[str, Any]], *, start: datetime.datetime, end: datetime.datetime
) -> dict[str, Any]:
    messages = messages_per_week(start=start, end=end)
    series = [[w["meetings"] for w in weeks], [w["registrations"] for w in weeks]]
    rows = [dict(w) for w in weeks]
    if messages is not None:
        for row in rows:
            row["messages"] = messages.get(datetime.date.fromisoformat(row["week"]), 0)
        series.append([row["messages"] for row in rows])
    labels = [datetime.date.fromisoformat(w["week"]).strftime("%d/%m") for w in weeks]
    return {
        "chart": charts.vertical_bars(labels, series),
        "rows": rows,
        "has_messages": messages is not None,
    }


def _score_titles() -> dict[str, tuple[str, str]]:
    return {
        "usefulness": (_("Meeting usefulness (1–5)"), _("Usefulness of the meetings held")),
        "check_in": (_("Check-in (1–5)"), _("Check-in scores of the pairs")),
        "nps": (_("Recommendation (0–10)"), _("Would recommend the programme (end of a pair)")),
    }


def _score_charts(satisfaction: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One column chart per score (its distribution), with its text alternative and rows for
    the data table. Fewer than 5 answers: no distribution at all (only "< 5")."""
    if satisfaction is None:
        return []
    out = []
    for name, (label, title) in _score_titles().items():
        block = satisfaction[name]
        rows = [(str(score), n) for score, n in block["distribution"].items()]
        hidden = block["count"] < MIN_GROUP
        description = _("Answers per score: %(values)s. Mean: %(mean)s.") % {
            "values": "; ".join(f"{score}: {n}" for score, n in rows),
            "mean": block["mean"] if block["mean"] is not None else "—",
        }
        out.append(
            {
                "name": name,
                "label": label,
                "title": title,
                "count": block["count"],
                "mean": None if hidden else block["mean"],
                "nps": None if hidden else block.get("score"),
                "is_suppressed": hidden,
                "rows": [] if hidden else rows,
                "description": description,
                "chart": None if hidden else charts.vertical_bars(
                    [score for score, _n in rows], [[n for _score, n in rows]]
                ),
            }
        )  # fmt: skip
    return out


def _satisfaction_groups(satisfaction: dict[str, Any] | None, chosen: Any) -> list[dict[str, Any]]:
    if satisfaction is None or chosen is None:
        return []
    by_group = satisfaction_by_group(satisfaction, chosen)
    titles = _score_titles()
    return [
        {
            "name": name,
            "label": titles[name][0],
            "scores": [str(score) for score in satisfaction[name]["distribution"]],
            "groups": [{**row, "cells": row["distribution"]} for row in rows],
        }
        for name, rows in by_group.items()
    ]


@manager_required
def export(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    try:
        content, content_type = outcomes_export(kind=kind, file_format=file_format)
    except ValidationFailed:
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{file_format}"'
    return response


@manager_required
def survey_export(request: HttpRequest, survey_id: int, file_format: str) -> HttpResponse:
    """A survey's answers (without names when the survey is aggregated-only)."""
    try:
        content, content_type, survey = survey_answers_export(
            survey_id=survey_id, file_format=file_format
        )
    except ValidationFailed:
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    name = f"answers-{survey.kind}-{stamp}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
