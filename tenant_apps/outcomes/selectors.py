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
  `MIN_GROUP` people shows "< 5" for every figure, never a number.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Floor, Least, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.matching.models import Match, MatchRequest
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.programs.models import Question

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


class Median(Aggregate):
    """PostgreSQL's ordered-set median (PERCENTILE_CONT); accepts `filter=`."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


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
    return list(
        Question.objects.filter(
            is_reporting_dimension=True, is_archived=False, is_sensitive=False,
            kind__in=REPORTING_KINDS,
        )
    )  # fmt: skip


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


def _funnel_rows(*, start: datetime.datetime, end: datetime.datetime, question: Question | None):
    """One query: per (role, group), how many people of the cohort reached each stage."""
    required = Question.objects.filter(is_required=True, is_archived=False)
    required_count = {
        role: sum(1 for q in required if q.is_for(role)) for role in ROLES
    }  # one query, a handful of rows
    answered_required = (
        Answer.objects.filter(
            participant=OuterRef("pk"),
            question__is_required=True,
            question__is_archived=False,
            value__isnull=False,
        )
        .filter(
            Q(question__audience=Question.Audience.BOTH) | Q(question__audience=OuterRef("role"))
        )
        .exclude(value=[])
        .exclude(value="")
        .order_by()
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    matched = Match.objects.filter(
        Q(mentee=OuterRef("pk")) | Q(mentor=OuterRef("pk")),
        activated_at__isnull=False,
        activated_at__lt=end,
    )
    held = (
        Meeting.objects.filter(
            Q(match__mentee=OuterRef("pk")) | Q(match__mentor=OuterRef("pk")),
            status=Meeting.Status.HELD,
            starts_at__lt=end,
        )
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values("n")
    )
    people = (
        Participant.objects.filter(role__in=ROLES, created_at__gte=start, created_at__lt=end)
        .exclude(status=Participant.Status.ERASED)
        .annotate(
            group=_answer_text(question, "pk"),
            answered=Coalesce(Subquery(answered_required, output_field=IntegerField()), 0),
            is_matched=Exists(matched),
            held=Coalesce(Subquery(held, output_field=IntegerField()), 0),
            needed=_needed(required_count),
        )
    )
    registered = Q(activated_at__isnull=False, activated_at__lt=end)
    return list(
        people.order_by()
        .values("role", "group")
        .annotate(
            invited=Count("pk"),
            registered=Count("pk", filter=registered),
            complete=Count("pk", filter=registered & Q(answered__gte=F("needed"))),
            matched=Count("pk", filter=Q(is_matched=True)),
            first_meeting=Count("pk", filter=Q(held__gte=1)),
            three_meetings=Count("pk", filter=Q(held__gte=3)),
        )
    )


def _needed(required_count: dict[str, int]) -> Any:
    return Case(
        When(role=Participant.Role.MENTEE, then=Value(required_count[Participant.Role.MENTEE])),
        default=Value(required_count[Participant.Role.MENTOR]),
        output_field=IntegerField(),
    )


def _pair_rows(*, start: datetime.datetime, end: datetime.datetime, question: Question | None):
    """One query: per group, active pairs at `end`, pairs activated in the period and the
    median time to match, meetings held in the period."""
    held_in_period = (
        Meeting.objects.filter(
            match=OuterRef("pk"),
            status=Meeting.Status.HELD,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .order_by()
        .values("match")
        .annotate(n=Count("pk"))
        .values("n")
    )
    active = Q(activated_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gte=end))
    new = Q(activated_at__gte=start, activated_at__lt=end)
    wait = ExpressionWrapper(
        F("activated_at") - Coalesce(F("mentee__activated_at"), F("mentee__created_at")),
        output_field=DurationField(),
    )
    pairs = (
        Match.objects.filter(activated_at__isnull=False, activated_at__lt=end)
        .annotate(
            group=_answer_text(question, _pair_dimension_ref(question)),
            held=Coalesce(Subquery(held_in_period, output_field=IntegerField()), 0),
            wait_days=_Days(wait),
        )
        .order_by()
        .values("group")
        .annotate(
            active=Count("pk", filter=active),
            new=Count("pk", filter=new),
            median_days=Median("wait_days", filter=new),
            held=Coalesce(_Sum("held"), 0),
            ended=Count("pk", filter=Q(ended_at__gte=start, ended_at__lt=end)),
        )
    )
    return list(pairs)


class _Sum(Aggregate):
    function = "SUM"
    name = "Sum"
    output_field = IntegerField()


class _Days(ExpressionWrapper):
    """A duration in days (float): EXTRACT(EPOCH FROM …) / 86400."""

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, output_field=FloatField())

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        sql, params = compiler.compile(self.expression)
        return f"(EXTRACT(EPOCH FROM {sql}) / 86400.0)", params


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
    meetings = dict(
        Meeting.objects.filter(status=Meeting.Status.HELD, starts_at__gte=start, starts_at__lt=end)
        .annotate(week=TruncWeek("starts_at"))
        .order_by()
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    registrations = dict(
        Participant.objects.filter(role__in=ROLES, activated_at__gte=start, activated_at__lt=end)
        .annotate(week=TruncWeek("activated_at"))
        .order_by()
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    weeks = []
    current = _week_start(start)
    while current < end and len(weeks) < 106:
        weeks.append(
            {
                "week": current.date(),
                "meetings": _at(meetings, current),
                "registrations": _at(registrations, current),
            }
        )
        current += datetime.timedelta(days=7)
    return weeks


def _week_start(moment: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(moment)
    monday = (local - datetime.timedelta(days=local.weekday())).date()
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))


def _at(counts: dict[datetime.datetime, int], week: datetime.datetime) -> int:
    for moment, n in counts.items():
        if timezone.localtime(moment).date() == week.date():
            return n
    return 0


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
    ago), mentors' requests left unanswered for 2 days, meeting proposals for 3 (3 queries)."""
    now = now or timezone.now()
    last_held = (
        Meeting.objects.filter(match=OuterRef("pk"), status=Meeting.Status.HELD)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    quiet = (
        Match.objects.filter(status=Match.Status.ACTIVE, activated_at__lt=now - _days(AT_RISK_DAYS))
        .annotate(last_held=Subquery(last_held))
        .filter(Q(last_held__isnull=True) | Q(last_held__lt=now - _days(AT_RISK_DAYS)))
        .select_related("mentee__user", "mentor__user")
        .order_by("last_held", "activated_at")
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
    return {
        "quiet": list(quiet[:AT_RISK_LIMIT]),
        "requests": list(requests[:AT_RISK_LIMIT]),
        "proposals": list(proposals[:AT_RISK_LIMIT]),
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

    @property
    def is_suppressed(self) -> bool:
        return self.key != TOTAL and self.size < MIN_GROUP


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
            held += row["held"] or 0
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
    for role, counts in group.funnel.items():
        invited = counts["invited"]
        funnel[role] = [
            {"stage": stage, "count": counts[stage], "rate": _rate(counts[stage], invited)}
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
