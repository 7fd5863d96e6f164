"""The programme's outcomes (issue 14): every figure of the manager's dashboard, computed in SQL
with a fixed number of queries whatever the size of the programme.

`program_kpis(start=, end=, dimension=)` is pure (reads only, in the current schema): the
dashboard, the exports' summary, the monthly email and the client's snapshot job call it.

Definitions (also in docs/architecture.md "Programme outcomes"):
- The funnel is a cohort: the mentors and mentees who joined the programme (invited, registered
  or imported: `created_at`) in [start, end), and the furthest stage each reached before `end`:
  registered (account activated), questionnaire complete (every required question of their role
  answered), matched (a pair activated), first meeting held, 3+ meetings held.
- Activity is by event time in [start, end): pairs activated (time to match = the pair's
  activation − the mentee's registration, median), meetings held (by their start), pairs ended
  (by reason), registrations.
- Active pairs: activated before `end` and not ended before `end`.
- A breakdown by a reporting dimension groups people by their answer to that question (pairs by
  the mentee's answer, or the mentor's for a mentors-only question). A group of fewer than
  `MIN_GROUP` people shows "< 5" for every figure, never a number; when that hides exactly
  one group, the smallest other group is hidden too (secondary suppression: the total minus
  the groups shown must not give the hidden group's figures).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Floor, Least, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from saas.core.tenancy import connection
from tenant_apps.matching.models import Match, MatchRequest
from tenant_apps.meetings.models import Meeting
from tenant_apps.outcomes.sources import LOW_CHECKIN_SCORE, UNATTRIBUTED, low_checkins
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.programs.models import Question
from tenant_apps.programs.selectors import questionnaire_cached

MIN_GROUP = 5
SUPPRESSED = "< 5"
TOTAL = "__all__"
ROLES = (Participant.Role.MENTEE, Participant.Role.MENTOR)
STAGES = ("invited", "registered", "complete", "matched", "first_meeting", "three_meetings")
AT_RISK_DAYS = 30
REQUEST_UNANSWERED_DAYS = 2
PROPOSAL_UNANSWERED_DAYS = 3
AT_RISK_LIMIT = 50
REPORTING_KINDS = (Question.Kind.SINGLE, Question.Kind.YES_NO)


def stage_labels() -> dict[str, str]:
    return {
        "invited": _("Invited or signed up"),
        "registered": _("Registered"),
        "complete": _("Questionnaire complete"),
        "matched": _("Matched"),
        "first_meeting": _("First meeting held"),
        "three_meetings": _("3+ meetings held"),
    }


@dataclass
class Dimension:
    question: Question
    groups: list[tuple[str, str]]  # (stored value as text, label)

    @property
    def key(self) -> str:
        return self.question.key


def reporting_dimensions() -> list[Question]:
    """The questions a manager may break figures down by (from the cached questionnaire)."""
    return [
        q
        for q in questionnaire_cached()
        if q.is_reporting_dimension and not q.is_sensitive and q.kind in REPORTING_KINDS
    ]


def dimension_of(question: Question | None) -> Dimension | None:
    if question is None:
        return None
    if question.kind == Question.Kind.YES_NO:
        groups = [("true", _("Yes")), ("false", _("No"))]
    else:
        groups = [(choice["value"], choice["label"]) for choice in question.choices]
    return Dimension(question=question, groups=groups)


def _answer_text(question: Question | None, participant_ref: str) -> Any:
    """The participant's answer to the dimension question, as text ('' when none)."""
    if question is None:
        return Value(TOTAL)
    answer = Answer.objects.filter(participant=OuterRef(participant_ref), question=question)
    # A single choice is a JSON string, yes / no a JSON boolean: `#>> '{}'` unwraps both.
    return Coalesce(
        Subquery(answer.annotate(text=_JsonText("value")).values("text")[:1]),
        Value(""),
        output_field=TextField(),
    )


class _JsonText(Cast):
    """jsonb → its text without JSON quotes (`value #>> '{}'`)."""

    template = "(%(expressions)s #>> '{}')"

    def __init__(self, expression: str) -> None:
        super().__init__(expression, output_field=TextField())

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template=self.template, **extra)


def _pair_dimension_ref(question: Question | None) -> str:
    if question is not None and question.audience == Question.Audience.MENTORS:
        return "mentor_id"
    return "mentee_id"


# --- The queries -----------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    return {
        "participant": Participant._meta.db_table,
        "answer": Answer._meta.db_table,
        "question": Question._meta.db_table,
        "match": Match._meta.db_table,
        "meeting": Meeting._meta.db_table,
    }


def _group_sql(question: Question | None, ref: str) -> tuple[str, str]:
    """(select expression, join) giving each row's answer to the dimension question as text
    (a single choice is a JSON string, yes / no a JSON boolean: `#>> '{}'` unwraps both)."""
    if question is None:
        return "%(total)s", ""
    answer = Answer._meta.db_table
    join = f"LEFT JOIN {answer} dim ON dim.participant_id = {ref}"
    join += " AND dim.question_id = %(question)s"
    return "COALESCE(dim.value #>> '{}', '')", join


def _fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _funnel_rows(*, start: datetime.datetime, end: datetime.datetime, question: Question | None):
    """One query: per (role, group), how many people of the cohort reached each stage. Plain
    SQL with CTEs (the ORM's correlated subqueries were evaluated per row and per FILTER: 1.7 s
    at 5,000 people, this is a few hash joins); tables come from the models' metadata and the
    schema from the search path, never named."""
    required = [q for q in questionnaire_cached() if q.is_required]
    group, join = _group_sql(question, "p.id")
    sql = """
        WITH people AS (
            SELECT p.id, p.role, p.activated_at, {group} AS grp
            FROM {participant} p {join}
            WHERE p.role IN ('mentee', 'mentor') AND p.status <> 'erased'
              AND p.created_at >= %(start)s AND p.created_at < %(end)s
        ),
        answered AS (
            SELECT a.participant_id, COUNT(*) AS n
            FROM {answer} a
            JOIN {question} q ON q.id = a.question_id
            JOIN people ON people.id = a.participant_id
            WHERE q.is_required AND NOT q.is_archived AND a.value IS NOT NULL
              AND a.value <> 'null'::jsonb AND a.value <> '[]'::jsonb AND a.value <> '""'::jsonb
              AND (q.audience = 'both' OR q.audience = people.role)
            GROUP BY a.participant_id
        ),
        sides AS (
            SELECT id, mentee_id AS pid, activated_at FROM {match}
            UNION ALL
            SELECT id, mentor_id AS pid, activated_at FROM {match}
        ),
        matched AS (
            SELECT DISTINCT pid FROM sides
            WHERE activated_at IS NOT NULL AND activated_at < %(end)s
        ),
        held AS (
            SELECT sides.pid, COUNT(*) AS n
            FROM sides JOIN {meeting} m ON m.match_id = sides.id
            WHERE m.status = 'held' AND m.starts_at < %(end)s
            GROUP BY sides.pid
        )
        SELECT people.role, people.grp AS "group",
            COUNT(*) AS invited,
            COUNT(*) FILTER (WHERE people.activated_at < %(end)s) AS registered,
            COUNT(*) FILTER (
                WHERE people.activated_at < %(end)s AND COALESCE(answered.n, 0) >=
                    CASE people.role WHEN 'mentee' THEN %(need_mentee)s ELSE %(need_mentor)s END
            ) AS complete,
            COUNT(matched.pid) AS matched,
            COUNT(*) FILTER (WHERE held.n >= 1) AS first_meeting,
            COUNT(*) FILTER (WHERE held.n >= 3) AS three_meetings
        FROM people
        LEFT JOIN answered ON answered.participant_id = people.id
        LEFT JOIN matched ON matched.pid = people.id
        LEFT JOIN held ON held.pid = people.id
        GROUP BY people.role, people.grp
        """.format(group=group, join=join, **_tables())  # noqa: S608 (fixed fragments only)
    return _fetch(
        sql,
        {
            "start": start,
            "end": end,
            "total": TOTAL,
            "question": question.pk if question else None,
            "need_mentee": sum(1 for q in required if q.is_for(Participant.Role.MENTEE)),
            "need_mentor": sum(1 for q in required if q.is_for(Participant.Role.MENTOR)),
        },
    )


def _pair_rows(*, start: datetime.datetime, end: datetime.datetime, question: Question | None):
    """One query: per group, active pairs at `end`, pairs activated in the period and the
    median time to match (days), meetings held in the period, pairs ended in the period."""
    ref = "m.mentor_id" if _pair_dimension_ref(question) == "mentor_id" else "m.mentee_id"
    group, join = _group_sql(question, ref)
    sql = """
        WITH held AS (
            SELECT match_id, COUNT(*) AS n FROM {meeting}
            WHERE status = 'held' AND starts_at >= %(start)s AND starts_at < %(end)s
            GROUP BY match_id
        )
        SELECT {group} AS "group",
            COUNT(*) FILTER (WHERE m.ended_at IS NULL OR m.ended_at >= %(end)s) AS active,
            COUNT(*) FILTER (WHERE m.activated_at >= %(start)s) AS new,
            PERCENTILE_CONT(0.5) WITHIN GROUP (
                ORDER BY EXTRACT(EPOCH FROM m.activated_at
                    - COALESCE(mentee.activated_at, mentee.created_at)) / 86400.0
            ) FILTER (WHERE m.activated_at >= %(start)s) AS median_days,
            COALESCE(SUM(held.n), 0) AS held,
            COUNT(*) FILTER (WHERE m.ended_at >= %(start)s AND m.ended_at < %(end)s) AS ended
        FROM {match} m
        JOIN {participant} mentee ON mentee.id = m.mentee_id
        LEFT JOIN held ON held.match_id = m.id
        {join}
        WHERE m.activated_at IS NOT NULL AND m.activated_at < %(end)s
        GROUP BY 1
        """.format(group=group, join=join, **_tables())  # noqa: S608 (fixed fragments only)
    return _fetch(
        sql,
        {"start": start, "end": end, "total": TOTAL, "question": question.pk if question else None},
    )


def _ended_rows(*, start: datetime.datetime, end: datetime.datetime, question: Question | None):
    return list(
        Match.objects.filter(ended_at__gte=start, ended_at__lt=end)
        .annotate(group=_answer_text(question, _pair_dimension_ref(question)))
        .order_by()
        .values("group", "end_reason")
        .annotate(n=Count("pk"))
    )


def _weekly(*, start: datetime.datetime, end: datetime.datetime) -> list[dict[str, Any]]:
    """Meetings held and registrations per week (two queries)."""
    meetings = _by_local_date(
        Meeting.objects.filter(status=Meeting.Status.HELD, starts_at__gte=start, starts_at__lt=end)
        .annotate(week=TruncWeek("starts_at"))
        .order_by()
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    registrations = _by_local_date(
        Participant.objects.filter(role__in=ROLES, activated_at__gte=start, activated_at__lt=end)
        .annotate(week=TruncWeek("activated_at"))
        .order_by()
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    weeks: list[dict[str, Any]] = []
    current = _week_start(start)
    while current < end and len(weeks) < 106:
        weeks.append(
            {
                "week": current.date(),
                "meetings": meetings.get(current.date(), 0),
                "registrations": registrations.get(current.date(), 0),
            }
        )
        current += datetime.timedelta(days=7)
    return weeks


def _week_start(moment: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(moment)
    monday = (local - datetime.timedelta(days=local.weekday())).date()
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))


def _by_local_date(rows: Any) -> dict[datetime.date, int]:
    """{week start (local date): count} from (aware week start, count) rows."""
    return {timezone.localtime(moment).date(): n for moment, n in rows}


def _score_distribution(*, end: datetime.datetime) -> list[dict[str, Any]]:
    """Matching scores (0–100) of the pairs active at `end`, in ten bands (one query)."""
    rows = dict(
        Match.objects.filter(score__isnull=False, activated_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
        .annotate(band=Least(Floor(F("score") / 10), Value(9.0)))
        .order_by()
        .values("band")
        .annotate(n=Count("pk"))
        .values_list("band", "n")
    )
    return [
        {"band": f"{band * 10}–{band * 10 + 10}", "count": rows.get(float(band), 0)}
        for band in range(10)
    ]


def pairs_at_risk(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Active pairs with no meeting held for 30 days (or none since they were paired 30 days
    ago), mentees' requests left unanswered for 2 days, meeting proposals for 3, and pairs
    whose latest check-in from either person scored 2 or less of 5 (named check-ins only: an
    aggregated-only answer points at no pair). Five queries at most."""
    now = now or timezone.now()
    # The 50 quietest pairs, grouped on the pair's id alone (cheap), then their people.
    quiet_ids = (
        Match.objects.filter(status=Match.Status.ACTIVE, activated_at__lt=now - _days(AT_RISK_DAYS))
        .annotate(
            last_held=Max("meetings__starts_at", filter=Q(meetings__status=Meeting.Status.HELD))
        )
        .filter(Q(last_held__isnull=True) | Q(last_held__lt=now - _days(AT_RISK_DAYS)))
        .order_by("last_held", "activated_at", "pk")
        .values("pk")[:AT_RISK_LIMIT]
    )
    last_held = (
        Meeting.objects.filter(match=OuterRef("pk"), status=Meeting.Status.HELD)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    quiet = (
        Match.objects.filter(pk__in=quiet_ids)
        .annotate(last_held=Subquery(last_held))
        .select_related("mentee__user", "mentor__user")
        .order_by("last_held", "activated_at", "pk")
    )
    requests = (
        MatchRequest.objects.filter(
            status=MatchRequest.Status.PENDING,
            created_at__lt=now - _days(REQUEST_UNANSWERED_DAYS),
        )
        .select_related("mentee__user", "mentor__user")
        .order_by("created_at")
    )
    proposals = (
        Meeting.objects.filter(
            status__in=[Meeting.Status.PROPOSED, Meeting.Status.MOVE_PROPOSED],
            updated_at__lt=now - _days(PROPOSAL_UNANSWERED_DAYS),
        )
        .select_related("match__mentee__user", "match__mentor__user")
        .order_by("updated_at")
    )
    checkins = low_checkins(limit=AT_RISK_LIMIT)
    return {
        "quiet": list(quiet[:AT_RISK_LIMIT]),
        "requests": list(requests[:AT_RISK_LIMIT]),
        "proposals": list(proposals[:AT_RISK_LIMIT]),
        "low_checkins": checkins["pairs"],
        "checkins_named": checkins["is_named"],
        "checkin_survey": checkins["survey"],
        "low_checkin_score": LOW_CHECKIN_SCORE,
        "limit": AT_RISK_LIMIT,
    }


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# --- Assembling ------------------------------------------------------------------------------


@dataclass
class Group:
    key: str
    label: str
    size: int = 0
    funnel: dict[str, dict[str, Any]] = field(default_factory=dict)  # role → stage → n
    pairs: dict[str, Any] = field(default_factory=dict)
    ended: dict[str, int] = field(default_factory=dict)

    hidden: bool = False

    @property
    def is_suppressed(self) -> bool:
        return self.key != TOTAL and self.hidden


def suppression(sizes: list[int]) -> list[bool]:
    """Which groups of a breakdown show "< 5" instead of their figures. Primary: every group
    of fewer than MIN_GROUP people. Secondary: when that hides exactly one group with anyone
    in it, the total minus the groups shown would give its figures, so the smallest group
    shown is hidden too (the two hidden groups are then only known together)."""
    hidden = [size < MIN_GROUP for size in sizes]
    hidden_people = [index for index, size in enumerate(sizes) if hidden[index] and size > 0]
    shown = [index for index in range(len(sizes)) if not hidden[index]]
    if len(hidden_people) == 1 and shown:
        hidden[min(shown, key=lambda index: (sizes[index], index))] = True
    return hidden


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def program_kpis(
    *, start: datetime.datetime, end: datetime.datetime, dimension: Question | None = None
) -> dict[str, Any]:
    """Every figure of [start, end), in total and (with `dimension`) per group of that
    question's answers, groups of fewer than 5 people suppressed. A plain dict of numbers and
    strings (the snapshot job stores it as JSON): see `groups`, `total`, `weekly`, `scores`."""
    dim = dimension_of(dimension)
    funnel = _funnel_rows(start=start, end=end, question=dimension)
    pairs = _pair_rows(start=start, end=end, question=dimension)
    ended = _ended_rows(start=start, end=end, question=dimension)
    total = _group_build(TOTAL, _("All"), funnel, pairs, ended, match_all=True)
    groups = []
    if dim is not None:
        known = {value for value, _label in dim.groups}
        for value, label in dim.groups:
            groups.append(_group_build(value, label, funnel, pairs, ended, keys={value}))
        other = _group_build("", _("No answer"), funnel, pairs, ended, exclude=known)
        groups.append(other)
        for group, hidden in zip(groups, suppression([g.size for g in groups]), strict=True):
            group.hidden = hidden
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "dimension": dim.key if dim else "",
        "total": _group_dict(total),
        "groups": [_group_dict(group) for group in groups],
        "weekly": [
            {**week, "week": week["week"].isoformat()} for week in _weekly(start=start, end=end)
        ],
        "scores": _score_distribution(end=end),
    }


def _group_build(
    key: str,
    label: str,
    funnel: list[dict[str, Any]],
    pairs: list[dict[str, Any]],
    ended: list[dict[str, Any]],
    *,
    keys: set[str] | None = None,
    exclude: set[str] | None = None,
    match_all: bool = False,
) -> Group:
    def belongs(row: dict[str, Any]) -> bool:
        if match_all:
            return True
        if keys is not None:
            return row["group"] in keys
        return row["group"] not in (exclude or set())

    group = Group(key=key, label=label)
    for role in ROLES:
        counts = dict.fromkeys(STAGES, 0)
        for row in funnel:
            if row["role"] == role and belongs(row):
                for stage in STAGES:
                    counts[stage] += row[stage]
        group.funnel[role] = counts
    group.size = sum(group.funnel[role]["invited"] for role in ROLES)
    active = new = held = ended_n = 0
    medians = []
    for row in pairs:
        if belongs(row):
            active += row["active"]
            new += row["new"]
            held += int(row["held"] or 0)
            ended_n += row["ended"]
            if row["median_days"] is not None:
                medians.append((row["median_days"], row["new"]))
    group.pairs = {
        "active": active,
        "new": new,
        "ended": ended_n,
        "meetings_held": held,
        "meetings_per_active_pair": round(held / active, 2) if active else None,
        # exact per SQL group; across merged groups ("No answer") the weighted mean of medians
        "median_days_to_match": _merge_medians(medians),
    }
    reasons: dict[str, int] = {}
    for row in ended:
        if belongs(row):
            reason = row["end_reason"] or ""
            reasons[reason] = reasons.get(reason, 0) + row["n"]
    group.ended = reasons
    # The pairs count as people for suppression too (a group with 30 registered people and
    # 2 ended pairs still shows them: the group, not the figure, is the unit).
    group.size = max(group.size, active + ended_n) if key != TOTAL else group.size
    return group


def _merge_medians(medians: list[tuple[float, int]]) -> float | None:
    weight = sum(n for _m, n in medians)
    if not weight:
        return None
    return round(sum(m * n for m, n in medians) / weight, 1)


def _group_dict(group: Group) -> dict[str, Any]:
    if group.is_suppressed:
        return {"key": group.key, "label": group.label, "suppressed": True}
    funnel = {}
    labels = stage_labels()
    for role, counts in group.funnel.items():
        invited = counts["invited"]
        funnel[role] = [
            {
                "stage": stage,
                "label": labels[stage],
                "count": counts[stage],
                "rate": _rate(counts[stage], invited),
            }
            for stage in STAGES
        ]
    return {
        "key": group.key,
        "label": group.label,
        "suppressed": False,
        "people": group.size,
        "funnel": funnel,
        "pairs": group.pairs,
        "ended_by_reason": ended_reasons(group.ended),
    }


def program_totals(*, start: datetime.datetime, end: datetime.datetime) -> dict[str, Any]:
    """The funnel and pair figures of [start, end) in total (2 queries, for comparisons)."""
    funnel = _funnel_rows(start=start, end=end, question=None)
    pairs = _pair_rows(start=start, end=end, question=None)
    return _group_dict(_group_build(TOTAL, _("All"), funnel, pairs, [], match_all=True))


def ended_reasons(reasons: dict[str, int]) -> list[dict[str, Any]]:
    """Reasons a manager typed, grouped; a reason given for fewer than 5 pairs is counted
    under "Other reasons" (its wording could single out a pair)."""
    out: list[dict[str, Any]] = []
    other = 0
    for reason, n in sorted(reasons.items(), key=lambda item: -item[1]):
        if reason == Match.ERASURE:
            out.append({"reason": _("One of the two people's data was erased."), "count": n})
        elif reason == "":
            out.append({"reason": _("No reason given"), "count": n})
        elif n >= MIN_GROUP:
            out.append({"reason": reason, "count": n})
        else:
            other += n
    if other:
        out.append({"reason": _("Other reasons"), "count": other})
    return out


def period_previous(
    start: datetime.datetime, end: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    return start - (end - start), start


def satisfaction_by_group(
    satisfaction: dict[str, Any], dimension: Question | None
) -> dict[str, list[dict[str, Any]]]:
    """{figure: [{key, label, suppressed, count, mean, distribution}]} per group of the
    dimension — named answers grouped by the respondent's answer, aggregated-only answers in a
    group of their own — with the breakdowns' "< 5" rule (primary and secondary) on the number
    of answers in each group."""
    dim = dimension_of(dimension)
    if dim is None:
        return {}
    labels = [*dim.groups, ("", _("No answer")), (UNATTRIBUTED, _("Answers given without a name"))]
    known = {value for value, _label in dim.groups} | {UNATTRIBUTED}
    out: dict[str, list[dict[str, Any]]] = {}
    for name, by_group in satisfaction.get("groups", {}).items():
        rows: list[dict[str, Any]] = []
        for key, label in labels:
            if key == "":  # everything that is not a known choice: no answer, an old choice
                blocks = [b for k, b in by_group.items() if k not in known]
            else:
                blocks = [by_group[key]] if key in by_group else []
            distribution: dict[int, int] = {}
            for block in blocks:
                for score, n in block["distribution"].items():
                    distribution[score] = distribution.get(score, 0) + n
            count = sum(distribution.values())
            total = sum(score * n for score, n in distribution.items())
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "count": count,
                    "mean": round(total / count, 1) if count else None,
                    "distribution": sorted(distribution.items()),
                }
            )
        for row, hidden in zip(rows, suppression([r["count"] for r in rows]), strict=True):
            row["suppressed"] = hidden
            if hidden:
                row.update(count=None, mean=None, distribution=[])
        out[name] = rows
    return out
