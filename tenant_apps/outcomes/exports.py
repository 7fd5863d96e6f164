"""The rows of the manager's exports: participants (status and dates, no secret), pairs and
meetings (never a room URL, never a note), and the answers to a survey. Written through
saas.core.exports (formula cells neutralised)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant
from tenant_apps.programs.models import Question
from tenant_apps.surveys.models import Survey, SurveyResponse
from tenant_apps.surveys.selectors import MIN_GROUP, survey_questions

KINDS = ("participants", "pairs", "meetings")


def _when(moment: Any) -> str:
    return moment.isoformat() if moment else ""


def participants_table() -> tuple[list[str], Iterator[list[Any]]]:
    header = [_("Number"), _("Name"), _("Email address"), _("Role"), _("Status"),
              _("Joined via"), _("Joined on"), _("Registered on"), _("Deactivated on"),
              _("Last active on")]  # fmt: skip
    people = (
        Participant.objects.select_related("user")
        .order_by("pk")
        .only("pk", "role", "status", "joined_via", "created_at", "activated_at",
              "deactivated_at", "last_active_at", "user__email", "user__first_name",
              "user__last_name")
    )  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for person in people.iterator(chunk_size=2000):
            yield [person.pk, person.display_name, person.display_email,
                   person.get_role_display(), person.get_status_display(),
                   person.get_joined_via_display(), _when(person.created_at),
                   _when(person.activated_at), _when(person.deactivated_at),
                   _when(person.last_active_at)]  # fmt: skip

    return header, rows()


def pairs_table() -> tuple[list[str], Iterator[list[Any]]]:
    header = [_("Pair"), _("Mentee"), _("Mentor"), _("Status"), _("Paired by"), _("Score"),
              _("Proposed on"), _("Active since"), _("Ended on"), _("Reason for ending"),
              _("Meetings held")]  # fmt: skip
    pairs = (
        Match.objects.select_related("mentee__user", "mentor__user")
        .annotate(held=Count("meetings", filter=Q(meetings__status=Meeting.Status.HELD)))
        .order_by("pk")
    )

    def rows() -> Iterator[list[Any]]:
        for pair in pairs.iterator(chunk_size=2000):
            yield [pair.pk, pair.mentee.display_name, pair.mentor.display_name,
                   pair.get_status_display(), pair.get_source_display(), pair.score,
                   _when(pair.created_at), _when(pair.activated_at), _when(pair.ended_at),
                   pair.end_reason_display, pair.held]  # fmt: skip

    return header, rows()


def meetings_table() -> tuple[list[str], Iterator[list[Any]]]:
    header = [_("Meeting"), _("Pair"), _("Status"), _("Starts at"), _("Ends at"),
              _("Time zone"), _("Confirmed on"), _("Cancelled on"), _("Outcome recorded by"),
              _("Outcome recorded on")]  # fmt: skip
    # Never the room's URLs, nor notes or next steps: only what a report needs.
    meetings = Meeting.objects.order_by("pk").only(
        "pk", "match_id", "status", "starts_at", "ends_at", "time_zone", "confirmed_at",
        "cancelled_at", "outcome_source", "outcome_at",
    )  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for meeting in meetings.iterator(chunk_size=2000):
            yield [meeting.pk, meeting.match_id, meeting.get_status_display(),
                   _when(meeting.starts_at), _when(meeting.ends_at), meeting.time_zone,
                   _when(meeting.confirmed_at), _when(meeting.cancelled_at),
                   meeting.get_outcome_source_display(), _when(meeting.outcome_at)]  # fmt: skip

    return header, rows()


def _answer_cell(question: Question, value: Any) -> Any:
    """An answer as the spreadsheet shows it: a choice's label, yes / no in words, numbers as
    numbers, several choices joined."""
    if value is None or value == "" or value == []:
        return ""
    if question.kind == Question.Kind.YES_NO:
        return _("Yes") if value is True else _("No") if value is False else str(value)
    labels = {str(choice["value"]): choice["label"] for choice in question.choices}
    if isinstance(value, list):
        return ", ".join(labels.get(str(item), str(item)) for item in value)
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        return labels.get(str(value), str(value))
    return value


def _unnamed_order(row: list[Any]) -> tuple[tuple[int, float, str], ...]:
    """Rows without a name are sorted by their answers (numbers as numbers, then text), never
    by time or by id: an order of arrival could be matched against who was asked when."""
    return tuple(
        (0, float(cell), "")
        if isinstance(cell, int | float) and not isinstance(cell, bool)
        else (1, 0.0, str(cell))
        for cell in row
    )


def survey_answers_table(*, survey: Survey) -> tuple[list[str], Iterator[list[Any]]]:
    """One row per response, one column per question (every question the survey has had that
    is still in use). A survey whose answers are shown aggregated only: the answers alone — no
    name, number, role, pair or date — sorted by the answers themselves, nothing when fewer
    than 5 people answered, and a question answered by fewer than 5 left empty (as on the
    results page). A survey with names: who answered (number, name, role), the pair, the
    meeting and the time first; answers given while it was aggregated-only follow, unnamed and
    sorted by their answers."""
    questions = survey_questions(survey=survey)
    responses = list(
        SurveyResponse.objects.filter(survey=survey)
        .select_related("participant__user")
        .order_by("submitted_on", "submitted_at", "pk")
    )
    labels = [question.label for question in questions]

    def answers(response: SurveyResponse, hidden: set[str]) -> list[Any]:
        return [
            "" if q.key in hidden else _answer_cell(q, response.answers.get(q.key))
            for q in questions
        ]

    if survey.is_anonymous:
        if len(responses) < MIN_GROUP:
            return labels, iter([])
        hidden = {
            q.key
            for q in questions
            if sum(1 for r in responses if r.answers.get(q.key) not in (None, "", [])) < MIN_GROUP
        }
        rows = sorted((answers(r, hidden) for r in responses), key=_unnamed_order)
        return labels, iter(rows)
    header = [_("Participant number"), _("Name"), _("Role"), _("Pair"), _("Meeting"),
              _("Answered at"), *labels]  # fmt: skip
    named, unnamed = [], []
    for response in responses:
        person = response.participant
        if person is None:
            unnamed.append(["", "", "", "", "", "", *answers(response, set())])
            continue
        named.append([person.pk, person.display_name, person.get_role_display(),
                      response.match_id or "", response.meeting_id or "",
                      _when(response.submitted_at) or response.submitted_on.isoformat(),
                      *answers(response, set())])  # fmt: skip
    return header, iter(named + sorted(unnamed, key=_unnamed_order))


TABLES = {"participants": participants_table, "pairs": pairs_table, "meetings": meetings_table}
