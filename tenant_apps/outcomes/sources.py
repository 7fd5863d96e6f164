"""Figures that come from apps other helpers are adding (issue 14: satisfaction from
`tenant_apps.surveys`, messages from `tenant_apps.mentoring`). Until those apps are installed
the dashboard says "no survey data yet" / leaves messages out.

Wiring, for the integrator — each app provides one selector with this signature, and the
import-linter contract places it under `outcomes`:

    tenant_apps.surveys.selectors.satisfaction_kpis(*, start, end) -> dict
        {"usefulness": {"count": int, "mean": float | None, "distribution": {1: n, ..., 5: n}},
         "check_in": {"count": int, "mean": float | None, "distribution": {1: n, ..., 5: n}},
         "nps": {"count": int, "score": float | None, "promoters": n, "passives": n,
                 "detractors": n}}
    tenant_apps.mentoring.selectors.messages_per_week(*, start, end) -> dict[date, int]
        (keys: the Monday of each week, local time)

Both must run a fixed number of queries. Anonymous surveys: counts and scores only.
"""

import datetime
from typing import Any

from tenant_apps.mentoring.selectors import messages_per_week as mentoring_messages_per_week
from tenant_apps.surveys.selectors import satisfaction_kpis as surveys_satisfaction_kpis


def satisfaction_kpis(*, start: datetime.datetime, end: datetime.datetime) -> dict[str, Any] | None:
    """Meeting usefulness, check-in scores and NPS from the surveys app's answers."""
    return surveys_satisfaction_kpis(start=start, end=end)


def messages_per_week(
    *, start: datetime.datetime, end: datetime.datetime
) -> dict[datetime.date, int] | None:
    """Messages written per week, from the mentoring app (counts only)."""
    return mentoring_messages_per_week(start=start, end=end)
