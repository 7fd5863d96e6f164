"""Figures that come from apps other helpers are adding (issue 14: satisfaction from
`tenant_apps.surveys`, messages from `tenant_apps.mentoring`). Until those apps are installed
the dashboard says "no survey data yet" / leaves messages out.

Wiring, for the integrator — each app provides one selector with this signature, and the
import-linter contract places it under `outcomes`:

    tenant_apps.surveys.selectors.satisfaction_kpis(*, start, end, dimension=None) -> dict
        {"usefulness": {"count": int, "mean": float | None, "distribution": {1: n, ..., 5: n}},
         "check_in": {"count": int, "mean": float | None, "distribution": {1: n, ..., 5: n}},
         "nps": {"count": int, "mean": ..., "distribution": {0: n, ..., 10: n},
                 "score": float | None, "promoters": n, "passives": n, "detractors": n},
         "groups": {figure: {group value: block}}}  (with a dimension)
    tenant_apps.surveys.selectors.low_checkins(*, limit) -> {"is_named", "pairs", "survey"}
    tenant_apps.mentoring.selectors.messages_per_week(*, start, end) -> dict[date, int]
        (keys: the Monday of each week, local time)

Both must run a fixed number of queries. Anonymous surveys: counts and scores only.
"""

import datetime
from typing import Any

from tenant_apps.mentoring.selectors import messages_per_week as mentoring_messages_per_week
from tenant_apps.programs.models import Question
from tenant_apps.surveys.selectors import LOW_CHECKIN_SCORE, UNATTRIBUTED, low_checkins
from tenant_apps.surveys.selectors import satisfaction_kpis as surveys_satisfaction_kpis

__all__ = ["LOW_CHECKIN_SCORE", "UNATTRIBUTED", "low_checkins", "messages_per_week",
           "satisfaction_kpis"]  # fmt: skip


def satisfaction_kpis(
    *, start: datetime.datetime, end: datetime.datetime, dimension: Question | None = None
) -> dict[str, Any] | None:
    """Meeting usefulness, check-in scores and NPS from the surveys app's answers, with their
    distributions (and by the dimension's groups when one is given)."""
    return surveys_satisfaction_kpis(start=start, end=end, dimension=dimension)


def messages_per_week(
    *, start: datetime.datetime, end: datetime.datetime
) -> dict[datetime.date, int] | None:
    """Messages written per week, from the mentoring app (counts only)."""
    return mentoring_messages_per_week(start=start, end=end)
