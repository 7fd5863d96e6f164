"""Reads: what a person has to answer, the latest announcements, the results of a survey
(aggregates that respect anonymity: an aggregated-only survey shows no figure computed from
fewer than `MIN_GROUP` answers)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    FilteredRelation,
    Func,
    JSONField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from saas.core.prepared import PreparedQuery
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import Question, QuestionSet
from tenant_apps.surveys.models import (
    Announcement,
    Audience,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
)

# Below this many answers, an aggregated-only survey shows no figure (a group that small could
# point at a person).
MIN_GROUP = 5


def survey_settings() -> SurveySettings:
    settings, _created = SurveySettings.objects.get_or_create(pk=1)
    return settings


# Whether the survey `s` is for the person `x` and they were not asked on {occasion}: the
# conditions of tenant_apps.surveys.services._invite.
_NOT_ASKED = """
    (s.audience = %s AND x.role IN (%s, %s) OR s.audience = x.role) AND x.status = %s
    AND NOT EXISTS (SELECT 1 FROM {invitation} i WHERE i.survey_id = s.id
                     AND i.participant_id = x.id AND i.occasion = {occasion})
"""
SURVEYS_DUE_SQL = """
    (SELECT 1 FROM {meeting} m JOIN {match} p ON p.id = m.match_id
       JOIN {person} x ON x.id IN (p.mentee_id, p.mentor_id)
       JOIN {survey} s ON s.kind = %s AND s.is_active
      WHERE m.status = %s AND m.ends_at >= %s::timestamptz AND {meeting_not_asked})
    UNION ALL
    (SELECT 1 FROM {match} p LEFT JOIN {settings} c ON c.id = 1
       JOIN {person} x ON x.id IN (p.mentee_id, p.mentor_id)
       JOIN {survey} s ON s.kind = %s AND s.is_active
      WHERE p.status = %s AND p.activated_at <= %s::timestamptz - make_interval(days => {first})
        AND {checkin_not_asked})
    UNION ALL
    (SELECT 1 FROM {survey} s
      WHERE s.kind = %s AND s.is_active AND s.sent_at IS NULL
        AND s.scheduled_for <= %s::timestamptz)
    UNION ALL
    (SELECT 1 FROM {invitation} i JOIN {survey} s ON s.id = i.survey_id
       JOIN {person} x ON x.id = i.participant_id LEFT JOIN {settings} c ON c.id = 1
      WHERE i.answered_at IS NULL AND i.reminders_sent < %s AND s.is_active
        AND x.status = %s
        AND i.last_sent_at <= %s::timestamptz - make_interval(days => {reminder_after}))
"""


def surveys_due_sql(
    *, now: datetime, meeting_lookback: timedelta, max_reminders: int
) -> tuple[str, list[Any]]:
    """SQL (tables quoted, unqualified) that finds a row exactly when
    `tenant_apps.surveys.services.surveys_due_process(now=now)` would invite or remind someone:
    a held meeting of the last `meeting_lookback` one of whose two people was not asked about
    it, a pair whose check-in of the current round was not sent to one of them, an
    end-of-programme survey whose date has come, an invitation due for a reminder. Each part
    repeats the service's own conditions (active survey, active person, the survey's
    audience, occasions spelled as the service spells them, `checkin_round`). For the beat job
    (tenants.fanout.programmes_where): one EXISTS per programme instead of a task each."""
    from saas.core.tenancy import quoted_tables

    tables = quoted_tables(
        meeting=Meeting,
        match=Match,
        person=Participant,
        survey=Survey,
        invitation=SurveyInvitation,
        settings=SurveySettings,
    )
    fields = {f.name: f for f in SurveySettings._meta.concrete_fields}
    default = {
        name: int(fields[name].get_default())
        for name in ("checkin_first_days", "checkin_every_days", "reminder_after_days")
    }
    first = f"coalesce(c.checkin_first_days, {default['checkin_first_days']})"
    every = f"coalesce(c.checkin_every_days, {default['checkin_every_days']})"
    days = "floor(extract(epoch FROM (%s::timestamptz - p.activated_at)) / 86400)::int"
    round_ = f"(({days} - {first}) / {every} + 1)"
    fragments = {
        "meeting_not_asked": _NOT_ASKED.format(occasion="'meeting:' || m.id", **tables),
        "checkin_not_asked": _NOT_ASKED.format(
            occasion=f"'checkin:' || p.id || ':' || {round_}", **tables
        ),
        "first": first,
        "reminder_after": f"coalesce(c.reminder_after_days, {default['reminder_after_days']})",
    }
    sql = SURVEYS_DUE_SQL.format(**fragments, **tables)
    not_asked = [
        Audience.EVERYONE,
        Participant.Role.MENTEE,
        Participant.Role.MENTOR,
        Participant.Status.ACTIVE,
    ]
    params = [
        *[Survey.Kind.MEETING, "held", now - meeting_lookback, *not_asked],
        *[Survey.Kind.CHECKIN, Match.Status.ACTIVE, now, *not_asked, now],
        *[Survey.Kind.PROGRAMME_END, now],
        *[max_reminders, Participant.Status.ACTIVE, now],
    ]
    return sql, params


def question_set_owner(question_set: QuestionSet) -> tuple[str, str] | None:
    """For the questionnaire editor: the survey's title and page (registered in ready())."""
    survey = Survey.objects.filter(question_set=question_set).only("pk", "title").first()
    if survey is None:
        return None
    return survey.title, reverse("manage-survey", args=[survey.pk])


def survey_questions(*, survey: Survey, role: str | None = None) -> list[Question]:
    """The survey's questions in use (for `role` only when given)."""
    questions = Question.all_forms.filter(question_set_id=survey.question_set_id, is_archived=False)
    return [q for q in questions if role is None or q.is_for(role)]


def pending_invitations(*, participant: Participant) -> QuerySet[SurveyInvitation]:
    """What the person still has to answer, newest first (one query with the surveys)."""
    return SurveyInvitation.objects.filter(
        participant=participant, answered_at__isnull=True, survey__is_active=True
    ).select_related("survey")


MAX_PENDING_SHOWN = 3  # on the home page


def _pending_newest(participant_id: int) -> QuerySet[SurveyInvitation]:
    return pending_invitations(participant=Participant(pk=participant_id))[:MAX_PENDING_SHOWN]


# The home page (every /espace/) shows the newest three: compiled once per process.
_pending_newest_prepared = PreparedQuery(_pending_newest, participant_id=-2_000_000_113)


def pending_newest(*, participant: Participant) -> list[SurveyInvitation]:
    """The newest `MAX_PENDING_SHOWN` invitations the person still has to answer."""
    return _pending_newest_prepared.all(participant_id=participant.pk)


def announcements_for(*, participant: Participant, limit: int = 5) -> list[Announcement]:
    """The latest announcements the person received (a manager sees every one)."""
    rows = Announcement.objects.all()
    if not participant.is_manager:
        rows = rows.filter(audience__in=[Audience.EVERYONE, participant.role])
    return list(rows[:limit])


# --- Results ------------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    count: int = 0
    is_suppressed: bool = False
    mean: float | None = None
    distribution: list[tuple[str, int]] = field(default_factory=list)
    nps: int | None = None
    comments: list[str] = field(default_factory=list)
    by_role: list[tuple[str, int, float | None, bool]] = field(default_factory=list)


@dataclass
class SurveyResults:
    survey: Survey
    invited: int
    answered: int
    responses: int
    is_suppressed: bool
    questions: list[QuestionResult]
    named: list[dict[str, Any]] = field(default_factory=list)


def nps_score(values: list[int]) -> int | None:
    """% of promoters (9–10) minus % of detractors (0–6), rounded."""
    if not values:
        return None
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    return round(100 * (promoters - detractors) / len(values))


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _numbers(rows: list[dict[str, Any]], key: str) -> list[float]:
    out = []
    for row in rows:
        value = row["answers"].get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(value)
    return out


def _question_result(
    question: Question, rows: list[dict[str, Any]], *, anonymous: bool
) -> QuestionResult:
    answered = [r for r in rows if r["answers"].get(question.key) not in (None, "", [])]
    result = QuestionResult(question=question, count=len(answered))
    if anonymous and len(answered) < MIN_GROUP:
        result.is_suppressed = True
        return result
    kind = question.kind
    if kind in (Question.Kind.SCALE, Question.Kind.NPS, Question.Kind.NUMBER):
        values = _numbers(answered, question.key)
        result.mean = _mean(values)
        if kind == Question.Kind.SCALE:
            counts = Counter(int(v) for v in values)
            result.distribution = [(str(score), counts.get(score, 0)) for score in range(1, 6)]
        if kind == Question.Kind.NPS:
            result.nps = nps_score([int(v) for v in values])
            counts = Counter(int(v) for v in values)
            result.distribution = [
                (_("Detractors (0–6)"), sum(c for s, c in counts.items() if s <= 6)),
                (_("Passives (7–8)"), sum(c for s, c in counts.items() if 7 <= s <= 8)),
                (_("Promoters (9–10)"), sum(c for s, c in counts.items() if s >= 9)),
            ]
        for role, label in (
            (Participant.Role.MENTEE, _("Mentees")),
            (Participant.Role.MENTOR, _("Mentors")),
        ):
            role_values = _numbers([r for r in answered if r["role"] == role], question.key)
            hidden = anonymous and len(role_values) < MIN_GROUP
            result.by_role.append(
                (label, len(role_values), None if hidden else _mean(role_values), hidden)
            )
    elif kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.YES_NO):
        picked: Counter[str] = Counter()
        for row in answered:
            value = row["answers"][question.key]
            for item in value if isinstance(value, list) else [value]:
                picked[str(item)] += 1
        if kind == Question.Kind.YES_NO:
            labels = [("True", _("Yes")), ("False", _("No"))]
        else:
            labels = [(c["value"], c["label"]) for c in question.choices]
        result.distribution = [(label, picked.get(value, 0)) for value, label in labels]
    else:  # free text: for an aggregated-only survey, the comments without any order of time
        texts = [str(r["answers"][question.key]) for r in answered]
        result.comments = sorted(texts) if anonymous else texts
    return result


def survey_results(*, survey: Survey, aggregated_only: bool = False) -> SurveyResults:
    """Aggregates of a survey in three queries, whatever the number of answers.
    `aggregated_only` applies the aggregated-only rules (MIN_GROUP, no names) to any survey:
    the REST API (tenant_apps.api) never shows an answer, even of a survey with names."""
    questions = survey_questions(survey=survey)
    anonymous = survey.is_anonymous or aggregated_only
    rows = list(
        SurveyResponse.objects.filter(survey=survey).values(
            "pk", "role", "answers", "participant_id", "submitted_on"
        )
    )
    invitations = SurveyInvitation.objects.filter(survey=survey)
    invited = invitations.count()
    answered = invitations.filter(answered_at__isnull=False).count()
    # Answers given while the survey showed names keep their name; those given while it was
    # aggregated-only have none. The figures mix both; the list shows only the named ones.
    results = SurveyResults(
        survey=survey,
        invited=invited,
        answered=answered,
        responses=len(rows),
        is_suppressed=anonymous and len(rows) < MIN_GROUP,
        questions=[
            _question_result(q, list(map(dict, rows)), anonymous=anonymous) for q in questions
        ],
    )
    if not anonymous:
        named = [r for r in rows if r["participant_id"]]
        people = {
            p.pk: p
            for p in Participant.objects.filter(
                pk__in={r["participant_id"] for r in named}
            ).select_related("user")
        }
        results.named = [
            {
                "participant": people.get(r["participant_id"]),
                "submitted_on": r["submitted_on"],
                "answers": [(q, r["answers"].get(q.key)) for q in questions],
            }
            for r in named
        ]
    return results


def headline_figures() -> dict[str, Any]:
    """The programme's feedback at a glance (the surveys page): mean usefulness of meetings,
    distribution of check-in scores, NPS at the end of pairs and of the programme — each
    suppressed below MIN_GROUP answers when its survey is aggregated-only."""
    surveys = {s.kind: s for s in Survey.objects.all()}
    figures: dict[str, Any] = {}
    for kind, survey in surveys.items():
        results = survey_results(survey=survey)
        figures[kind] = results
    return figures


# --- The manager's dashboard (tenant_apps.outcomes) ----------------------------------------------

# The score questions the dashboard reads: the first question of that kind in each survey.
SCORE_QUESTIONS = {
    "usefulness": (Survey.Kind.MEETING, Question.Kind.SCALE, range(1, 6)),
    "check_in": (Survey.Kind.CHECKIN, Question.Kind.SCALE, range(1, 6)),
    "nps": (Survey.Kind.PAIR_END, Question.Kind.NPS, range(0, 11)),
}
# Pairs at risk: a latest check-in score at or below this (of 5), from either person.
LOW_CHECKIN_SCORE = 2
# The group of answers given without a name (aggregated-only): never broken down.
UNATTRIBUTED = "__unattributed__"


class _JsonText(Func):
    """A JSON string or boolean as text without its quotes (`value #>> '{}'`)."""

    template = "(%(expressions)s #>> '{}')"
    output_field = TextField()


def _survey_of(question: Question) -> Survey:
    """The survey of a question read with `select_related("question_set__survey")`."""
    assert question.question_set is not None  # a survey's question
    return question.question_set.survey


def _score_questions() -> dict[str, Question]:
    """{figure: its question} (one query for the three surveys)."""
    questions = (
        Question.all_forms.filter(
            question_set__survey__kind__in=[kind for kind, _q, _r in SCORE_QUESTIONS.values()],
            kind__in=[Question.Kind.SCALE, Question.Kind.NPS],
            is_archived=False,
        )
        .select_related("question_set__survey")
        .order_by("position", "pk")
    )
    found: dict[str, Question] = {}
    for question in questions:
        for name, (kind, question_kind, _range) in SCORE_QUESTIONS.items():
            survey = _survey_of(question)
            if survey.kind == kind and question.kind == question_kind and name not in found:
                found[name] = question
    return found


def _score_counts(
    questions: dict[str, Question], start: datetime, end: datetime, dimension: Question | None
) -> dict[str, list[tuple[str, int, int]]]:
    """{figure: [(group, score, answers)]} of the score questions answered in [start, end) (by
    the day of the answer: the month for aggregated-only answers), counted in SQL — one query
    for the three surveys. The group is the respondent's answer to `dimension`: only a named
    answer has one; an aggregated-only answer is in UNATTRIBUTED (nothing ties it to a person,
    so nothing to a group). A score out of its question's range, or not a whole number, is
    left out."""
    by_survey = {_survey_of(question).pk: name for name, question in questions.items()}
    if not by_survey:
        return {}
    score = Case(
        *[
            When(survey_id=_survey_of(question).pk, then=KeyTransform(question.key, "answers"))
            for question in questions.values()
        ],
        output_field=JSONField(),
    )
    rows = SurveyResponse.objects.filter(
        survey_id__in=list(by_survey), submitted_on__gte=start.date(), submitted_on__lt=end.date()
    ).annotate(score=score)
    if dimension is None:
        group: Any = Value("")
    else:
        # A join on the answer to the dimension (one per person: a unique constraint), not a
        # subquery per answer: the planner's estimate for that one switched on the JIT (30 ms).
        rows = rows.annotate(
            dimension_answer=FilteredRelation(
                "participant__answers", condition=Q(participant__answers__question=dimension)
            )
        )
        group = Case(
            When(participant__isnull=True, then=Value(UNATTRIBUTED)),
            default=Coalesce(_JsonText("dimension_answer__value"), Value("")),
            output_field=TextField(),
        )
    counted = (
        rows.annotate(group=group)
        .order_by()
        .values("survey_id", "group", "score")
        .annotate(n=Count("pk"))
    )
    out: dict[str, list[tuple[str, int, int]]] = {name: [] for name in questions}
    for row in counted:
        name, value = by_survey[row["survey_id"]], row["score"]
        scores = SCORE_QUESTIONS[name][2]
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and value == int(value) and int(value) in scores:
            out[name].append((row["group"], int(value), row["n"]))
    return out


def _score_block(counts: dict[int, int], scores: range) -> dict[str, Any]:
    count = sum(counts.values())
    total = sum(score * n for score, n in counts.items())
    return {
        "count": count,
        "mean": round(total / count, 1) if count else None,
        "distribution": {score: counts.get(score, 0) for score in scores},
    }


def _nps_block(counts: dict[int, int]) -> dict[str, Any]:
    count = sum(counts.values())
    promoters = sum(n for score, n in counts.items() if score >= 9)
    detractors = sum(n for score, n in counts.items() if score <= 6)
    return {
        **_score_block(counts, range(0, 11)),
        "score": round(100 * (promoters - detractors) / count) if count else None,
        "promoters": promoters,
        "passives": count - promoters - detractors,
        "detractors": detractors,
    }


def satisfaction_kpis(
    *, start: datetime, end: datetime, dimension: Question | None = None
) -> dict[str, Any]:
    """The manager's dashboard's satisfaction figures for [start, end): meeting usefulness and
    check-in scores (1–5), the recommendation at the end of pairs (NPS, 0–10), each with its
    distribution. Counts and scores only, never who; two queries whatever the number of
    answers. With `dimension`, also `groups`: {figure: {group: block}} by the respondent's
    answer to that question (named answers only; aggregated-only ones under UNATTRIBUTED). The
    dashboard applies its "< 5" rule."""
    counts = _score_counts(_score_questions(), start, end, dimension)
    out: dict[str, Any] = {"groups": {}}
    for name, (_kind, _question_kind, scores) in SCORE_QUESTIONS.items():
        rows = counts.get(name, [])
        by_group: dict[str, dict[int, int]] = {}
        overall: Counter[int] = Counter()
        for group, score, n in rows:
            by_group.setdefault(group, Counter())[score] += n
            overall[score] += n
        block = _nps_block if name == "nps" else (lambda c, r=scores: _score_block(c, r))
        out[name] = block(overall)
        if dimension is not None:
            out["groups"][name] = {group: block(counts) for group, counts in by_group.items()}
    return out


def low_checkins(*, limit: int, threshold: int = LOW_CHECKIN_SCORE) -> dict[str, Any]:
    """Active pairs whose latest check-in, from the mentee or from the mentor, scored
    `threshold` or less (of 5), the lowest first: {"is_named", "pairs": [{"match", "scores":
    [(role, score, day)]}], "survey"}. Only named answers point at a pair: while the check-in
    is aggregated-only, `is_named` is False and no pair is listed (two queries at most)."""
    question = (
        Question.all_forms.filter(
            question_set__survey__kind=Survey.Kind.CHECKIN,
            kind=Question.Kind.SCALE,
            is_archived=False,
        )
        .select_related("question_set__survey")
        .order_by("position", "pk")
        .first()
    )
    if question is None:
        return {"is_named": False, "pairs": [], "survey": None}
    survey = _survey_of(question)
    if survey.is_anonymous:
        return {"is_named": False, "pairs": [], "survey": survey}
    latest = (
        SurveyResponse.objects.filter(
            survey=survey, participant__isnull=False, match__status=Match.Status.ACTIVE
        )
        .order_by("match_id", "participant_id", "-submitted_at", "-pk")
        .distinct("match_id", "participant_id")
        .values("pk")
    )
    low = (
        SurveyResponse.objects.filter(survey=survey, pk__in=latest)
        .annotate(score=KeyTransform(question.key, "answers"))
        .filter(score__gte=1, score__lte=threshold)
        .select_related("match__mentee__user", "match__mentor__user")
        .order_by("score", "submitted_at", "pk")[: 2 * limit]
    )
    pairs: dict[int, dict[str, Any]] = {}
    for response in low:
        assert response.match_id is not None  # filtered on the pair's status
        item = pairs.setdefault(response.match_id, {"match": response.match, "scores": []})
        item["scores"].append((response.role, response.score, response.submitted_on))
    return {"is_named": True, "pairs": list(pairs.values())[:limit], "survey": survey}
