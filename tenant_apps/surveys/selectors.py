"""Reads: what a person has to answer, the latest announcements, the results of a survey
(aggregates that respect anonymity: an aggregated-only survey shows no figure computed from
fewer than `MIN_GROUP` answers)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

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
    from saas.core.tenancy import connection

    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in [
            ("meeting", Meeting),
            ("match", Match),
            ("person", Participant),
            ("survey", Survey),
            ("invitation", SurveyInvitation),
            ("settings", SurveySettings),
        ]
    }
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


def survey_results(*, survey: Survey) -> SurveyResults:
    """Aggregates of a survey in three queries, whatever the number of answers."""
    questions = survey_questions(survey=survey)
    anonymous = survey.is_anonymous
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


def _scores_of(kind: str, question_kind: str, start: datetime, end: datetime) -> list[int]:
    """The scores given to the first `question_kind` question of the `kind` survey, answered
    in [start, end) (by the day of the answer: the month for aggregated-only answers)."""
    question = (
        Question.all_forms.filter(question_set__survey__kind=kind, kind=question_kind)
        .order_by("position", "pk")
        .first()
    )
    if question is None:
        return []
    rows = SurveyResponse.objects.filter(
        survey__kind=kind, submitted_on__gte=start.date(), submitted_on__lt=end.date()
    ).values("answers")
    return [int(v) for v in _numbers([dict(row) for row in rows], question.key)]


def _score_block(values: list[int], scores: range) -> dict[str, Any]:
    counts = Counter(values)
    return {
        "count": len(values),
        "mean": _mean([float(v) for v in values]),
        "distribution": {score: counts.get(score, 0) for score in scores},
    }


def satisfaction_kpis(*, start: datetime, end: datetime) -> dict[str, Any]:
    """The manager's dashboard's satisfaction figures for [start, end): meeting usefulness and
    check-in scores (1–5), NPS at the end of pairs. Counts and scores only, never who; a fixed
    number of queries (two per survey kind). The dashboard applies its "< 5" rule."""
    usefulness = _scores_of(Survey.Kind.MEETING, Question.Kind.SCALE, start, end)
    check_in = _scores_of(Survey.Kind.CHECKIN, Question.Kind.SCALE, start, end)
    nps_values = _scores_of(Survey.Kind.PAIR_END, Question.Kind.NPS, start, end)
    return {
        "usefulness": _score_block(usefulness, range(1, 6)),
        "check_in": _score_block(check_in, range(1, 6)),
        "nps": {
            "count": len(nps_values),
            "score": nps_score(nps_values),
            "promoters": sum(1 for v in nps_values if v >= 9),
            "passives": sum(1 for v in nps_values if 7 <= v <= 8),
            "detractors": sum(1 for v in nps_values if v <= 6),
        },
    }
