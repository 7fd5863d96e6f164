"""Reads of the relationship: profile cards, pairs, threads, goals, quiet pairs.

Every function reads a fixed number of queries whatever the number of messages, goals or
meetings (the pages' tests count them)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest, TruncWeek
from django.urls import reverse

from saas.core.prepared import PreparedQuery
from tenant_apps.matching.models import Match, MatchRequest
from tenant_apps.matching.selectors import in_pair
from tenant_apps.meetings.models import Meeting
from tenant_apps.mentoring.models import (
    LANGUAGE_CHOICES,
    Goal,
    GoalTemplate,
    MentoringSettings,
    Message,
    Nudge,
    Profile,
    ThreadState,
)
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.programs.models import ProgramSettings, Question
from tenant_apps.programs.selectors import program_settings_cached

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _Engagement(TypedDict):
    """What `_engagement()` annotates on each pair."""

    quiet_since: datetime
    has_coming: bool
    message_count: int
    goal_count: int
    goal_achieved_count: int


LANGUAGE_LABELS = dict(LANGUAGE_CHOICES)
THREAD_SHOWN = 200  # the latest messages shown on the thread page
HISTORY_SHOWN = 50  # the latest meetings shown on the pair page
# A meeting that took place, or holds a time: what "the pair met" means for nudges.
MET = (Meeting.Status.HELD, Meeting.Status.CONFIRMED, Meeting.Status.MOVE_PROPOSED)
ANSWERABLE = (Meeting.Status.PROPOSED, Meeting.Status.MOVE_PROPOSED)


def mentoring_settings() -> MentoringSettings:
    settings, _created = MentoringSettings.objects.get_or_create(id=1)
    return settings


# --- profiles ------------------------------------------------------------------------------------


@dataclass
class ProfileCard:
    participant: Participant
    profile: Profile
    answers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def languages(self) -> list[str]:
        return [str(LANGUAGE_LABELS.get(code, code)) for code in self.profile.languages]

    @property
    def photo_url(self) -> str:
        if not self.profile.has_photo:
            return ""
        stamp = int(self.profile.photo_updated_at.timestamp())  # type: ignore[union-attr]
        return reverse("profile-photo", args=[self.participant.pk]) + f"?v={stamp}"

    @property
    def has_content(self) -> bool:
        p = self.profile
        return bool(p.bio or p.job_title or p.entity or p.languages or self.answers)


def answer_text(question: Question, value: Any) -> str:
    """An answer in words: the choices' labels, yes / no, the number or the text."""
    from django.utils.translation import gettext as _

    labels = {choice["value"]: choice["label"] for choice in question.choices}
    if value in (None, "", []):
        return ""
    if question.kind == Question.Kind.MULTIPLE and isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) for v in value)
    if question.kind == Question.Kind.SINGLE:
        return str(labels.get(value, value))
    if question.kind == Question.Kind.YES_NO:
        return _("Yes") if value else _("No")
    if question.kind == Question.Kind.NUMBER and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def shown_answers(*, participant_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """The answers each person shows on their profile: questions the manager marked as shown,
    never a "never displayed" one (even if marked), never an archived one. One query."""
    rows = (
        Answer.objects.filter(
            participant_id__in=list(participant_ids),
            question__show_on_profile=True,
            question__is_sensitive=False,
            question__is_archived=False,
        )
        .select_related("question", "participant")
        .order_by("question__position", "question__pk")
    )
    shown: dict[int, list[tuple[str, str]]] = {}
    for answer in rows:
        question = answer.question
        if not question.is_shown_on_profile:  # belt and braces: the model's own rule
            continue
        text = answer_text(question, answer.value)
        if text:
            label = question.label_for(answer.participant.role)
            shown.setdefault(answer.participant_id, []).append((label, text))
    return shown


def profile_cards(*, participants: Iterable[Participant]) -> dict[int, ProfileCard]:
    """A card per person (their profile, or an empty one): two queries for any number."""
    people = {p.pk: p for p in participants}
    profiles = {
        profile.participant_id: profile
        for profile in Profile.objects.filter(participant_id__in=list(people))
    }
    answers = shown_answers(participant_ids=people)
    return {
        pk: ProfileCard(
            participant=person,
            profile=profiles.get(pk) or Profile(participant=person),
            answers=answers.get(pk, []),
        )
        for pk, person in people.items()
    }


def _profile(participant_id: int) -> QuerySet[Profile]:
    return Profile.objects.filter(participant_id=participant_id).order_by("pk")[:1]


# The guide (every /espace/) and the profile pages read it: compiled once per process.
_profile_prepared = PreparedQuery(_profile, participant_id=-2_000_000_109)


def profile_of(*, participant: Participant) -> Profile:
    profile = _profile_prepared.first(participant_id=participant.pk)
    return profile or Profile(participant=participant)


def can_see_profile(*, viewer: Participant, owner: Participant) -> bool:
    """The person, the programme's managers, the people they are or were paired with, the
    two people of a request, and — when mentees choose — any mentee looking at a mentor."""
    if viewer.pk == owner.pk or viewer.is_manager:
        return True
    if owner.is_erased:
        return False
    pair = Q(mentee=viewer, mentor=owner) | Q(mentee=owner, mentor=viewer)
    if Match.objects.filter(pair, status__in=[Match.Status.ACTIVE, Match.Status.ENDED]).exists():
        return True
    if MatchRequest.objects.filter(pair).exists():
        return True
    return (
        owner.role == Participant.Role.MENTOR
        and viewer.role == Participant.Role.MENTEE
        and program_settings_cached().matching_mode == ProgramSettings.MatchingMode.CHOICE
    )


# --- pairs ---------------------------------------------------------------------------------------


def _pairs_of(participant: Participant) -> QuerySet[Match]:
    return Match.objects.filter(in_pair(participant)).select_related("mentee__user", "mentor__user")


def _pair_of(participant: Participant, match_id: int) -> QuerySet[Match]:
    """The pair, if `participant` is one of its two people and it is (or was) active."""
    return _pairs_of(participant).filter(
        pk=match_id, status__in=[Match.Status.ACTIVE, Match.Status.ENDED]
    )


def pair_for(*, participant: Participant, match_id: int) -> Match | None:
    """The pair if `participant` is one of its two people and it is (or was) active."""
    return _pair_of(participant, match_id).first()


def _pair_with_unread(participant_id: int, match_id: int) -> QuerySet[Match]:
    participant = Participant(pk=participant_id)
    return (
        _pair_of(participant, match_id)
        .annotate(unread_count=Coalesce(Subquery(_unread_per_pair(participant)), 0))
        .order_by("pk")[:1]
    )


# The pair pages run this on every view, and building and compiling it took the ORM 2.6 ms of
# CPU (PostgreSQL answers in 0.3 ms): compiled once per process instead (saas/core/prepared.py),
# proven equal to the ORM's in tests/test_prepared_queries.py.
_pair_with_unread_prepared = PreparedQuery(
    _pair_with_unread, participant_id=-2_000_000_101, match_id=-2_000_000_103
)


def pair_with_unread_for(*, participant: Participant, match_id: int) -> Match | None:
    """pair_for, with `unread_count`: the messages of the other person `participant` has not
    read yet (the pair page: one query for both)."""
    return _pair_with_unread_prepared.first(participant_id=participant.pk, match_id=match_id)


def active_pairs(*, participant: Participant) -> list[Match]:
    return list(_pairs_of(participant).filter(status=Match.Status.ACTIVE).order_by("pk"))


def other_in(match: Match, participant: Participant) -> Participant:
    return match.mentor if participant.pk == match.mentee_id else match.mentee


def shared_in_words(explanation: Any) -> list[str]:
    """What the two people share, as sentences, from the explanation stored with the pair
    (or an engine explanation): the reasons of its summary, without the score."""
    summary = (
        explanation.get("summary", "")
        if isinstance(explanation, dict)
        else getattr(explanation, "summary", "")
    )
    if not summary or ": " not in summary or not _has_points(explanation):
        return []
    reasons = summary.split(": ", 1)[1].rstrip(".")
    found = []
    for reason in reasons.split("; "):
        reason = reason.strip()
        if not reason:
            continue
        found.append(reason[:1].upper() + reason[1:])
    return found


def _has_points(explanation: Any) -> bool:
    if isinstance(explanation, dict):
        contributions = explanation.get("contributions") or []
        return any(float(c.get("points") or 0) >= 0.5 for c in contributions)
    return any(c.points >= 0.5 for c in getattr(explanation, "contributions", ()))


def pair_meetings(*, match: Match) -> list[Meeting]:
    """The pair's meetings, latest first (one query)."""
    return list(match.meetings.order_by("-starts_at", "-pk")[:HISTORY_SHOWN])


def goals_of(*, match: Match) -> list[Goal]:
    return list(Goal.objects.filter(match=match))


def goal_for(*, participant: Participant, goal_id: int) -> Goal | None:
    return (
        Goal.objects.filter(in_pair(participant, "match__"))
        .filter(pk=goal_id, match__status=Match.Status.ACTIVE)
        .select_related("match")
        .first()
    )


def goal_templates(*, include_archived: bool = False) -> QuerySet[GoalTemplate]:
    templates = GoalTemplate.objects.all()
    return templates if include_archived else templates.filter(is_archived=False)


# --- messages ------------------------------------------------------------------------------------


def thread(*, match: Match) -> list[Message]:
    """The latest messages of the pair, oldest first (one query)."""
    latest = list(Message.objects.filter(match=match).order_by("-created_at", "-pk")[:THREAD_SHOWN])
    latest.reverse()
    return latest


def thread_before(*, match: Match, before: int | None) -> tuple[list[Message], bool]:
    """The `THREAD_SHOWN` messages of the pair written before message `before` (the latest ones
    when None), oldest first, and whether older ones exist: a keyset page of the thread, one
    query (two with `before`)."""
    rows = Message.objects.filter(match=match).order_by("-created_at", "-pk")
    if before is not None:
        anchor = Message.objects.filter(match=match, pk=before).values("created_at").first()
        if anchor is not None:
            rows = rows.filter(
                Q(created_at__lt=anchor["created_at"])
                | Q(created_at=anchor["created_at"], pk__lt=before)
            )
    found = list(rows[: THREAD_SHOWN + 1])
    has_older = len(found) > THREAD_SHOWN
    found = found[:THREAD_SHOWN]
    found.reverse()
    return found, has_older


@dataclass(frozen=True)
class MessageDue:
    match_id: int
    recipient_id: int


def message_emails_due(*, now: datetime, every: timedelta) -> list[MessageDue]:
    """(pair, person) with a message from the other person that arrived after both their last
    reading and their last email, when that email is older than `every` and they want them."""
    rows = []
    states = {
        (s.match_id, s.participant_id): s
        for s in ThreadState.objects.filter(
            match__status=Match.Status.ACTIVE,
        )
    }
    latest = (
        Message.objects.filter(match__status=Match.Status.ACTIVE)
        .values("match_id", "author_id")
        .annotate(last=Max("created_at"))
        .order_by()
    )
    pairs = {
        m.pk: m
        for m in Match.objects.filter(pk__in={row["match_id"] for row in latest}).only(
            "mentee_id", "mentor_id"
        )
    }
    muted = set(
        Profile.objects.filter(notify_messages=False).values_list("participant_id", flat=True)
    )
    for row in latest:
        match = pairs.get(row["match_id"])
        if match is None:
            continue
        recipient = match.mentor_id if row["author_id"] == match.mentee_id else match.mentee_id
        if recipient in muted:
            continue
        state = states.get((match.pk, recipient))
        seen = max(
            (t for t in (state and state.read_at, state and state.emailed_at) if t),
            default=None,
        )
        if seen is not None and row["last"] <= seen:
            continue
        if state is not None and state.emailed_at and state.emailed_at > now - every:
            continue
        rows.append(MessageDue(match_id=match.pk, recipient_id=recipient))
    return rows


MESSAGE_EMAILS_DUE_SQL = """
    SELECT 1 FROM {message} m JOIN {match} p ON p.id = m.match_id
     WHERE p.status = %s
       AND NOT EXISTS (SELECT 1 FROM {profile} f
                        WHERE f.participant_id = {recipient} AND NOT f.notify_messages)
       AND NOT EXISTS (SELECT 1 FROM {state} t
                        WHERE t.match_id = p.id AND t.participant_id = {recipient}
                          AND (t.read_at >= m.created_at OR t.emailed_at >= m.created_at
                               OR t.emailed_at > %s::timestamptz))
"""


def message_emails_due_sql(*, now: datetime, every: timedelta) -> tuple[str, list[Any]]:
    """SQL (tables quoted, unqualified) that finds a row exactly when `message_emails_due(now=
    now, every=every)` finds something: a message in an active pair, later than both the other
    person's last reading and last email, that person wanting emails and not emailed within
    `every`. For the beat job (tenants.fanout.programmes_where): one EXISTS per programme
    instead of a task each."""
    from saas.core.tenancy import quoted_tables

    tables = quoted_tables(message=Message, match=Match, profile=Profile, state=ThreadState)
    recipient = "(CASE WHEN m.author_id = p.mentee_id THEN p.mentor_id ELSE p.mentee_id END)"
    sql = MESSAGE_EMAILS_DUE_SQL.format(recipient=recipient, **tables)
    return sql, [Match.Status.ACTIVE, now - every]


# --- the guide -----------------------------------------------------------------------------------


@dataclass
class PairState:
    match: Match
    other: Participant
    upcoming: list[Meeting] = field(default_factory=list)
    to_answer: list[Meeting] = field(default_factory=list)  # proposals waiting for me
    waiting_other: list[Meeting] = field(default_factory=list)  # my proposals
    has_met: bool = False
    unread: int = 0
    goals: int = 0


def _unread_per_pair(participant: Participant) -> QuerySet[Any]:
    """A subquery: how many messages of the outer query's pair, from the other person,
    `participant` has not read yet: sent after their `read_at` (ThreadState), or any when they
    never opened the thread."""
    read_up_to = ThreadState.objects.filter(
        match=OuterRef("match"), participant=participant
    ).values("read_at")[:1]
    unread = (
        Message.objects.exclude(author=participant)
        .annotate(read_at=Subquery(read_up_to, output_field=DateTimeField()))
        .filter(Q(read_at__isnull=True) | Q(created_at__gt=F("read_at")))
    )
    return _count_per_pair(unread)


def _active_pairs_counted(participant_id: int) -> QuerySet[Match]:
    participant = Participant(pk=participant_id)
    return (
        _pairs_of(participant)
        .filter(status=Match.Status.ACTIVE)
        .order_by("pk")
        .annotate(
            unread_count=Coalesce(Subquery(_unread_per_pair(participant)), 0),
            goal_count=Coalesce(Subquery(_count_per_pair(Goal.objects.all())), 0),
        )
    )


# Compiled once per process, like _pair_with_unread_prepared (the guide runs it on every view).
_active_pairs_counted_prepared = PreparedQuery(_active_pairs_counted, participant_id=-2_000_000_107)


def _live_meetings(participant_id: int) -> QuerySet[Meeting]:
    """The meetings of the person's active pairs that the guide looks at: waiting for an
    answer, or confirmed or held."""
    return (
        Meeting.objects.filter(
            in_pair(Participant(pk=participant_id), "match__"), match__status=Match.Status.ACTIVE
        )
        .filter(Q(status__in=ANSWERABLE) | Q(status__in=MET))
        .order_by("starts_at", "pk")
    )


_live_meetings_prepared = PreparedQuery(_live_meetings, participant_id=-2_000_000_111)


def pair_states(*, participant: Participant, now: datetime) -> list[PairState]:
    """Each active pair of the person with what the guide needs: two queries in all (the
    pairs with their unread messages and goals counted, then their meetings)."""
    pairs: list[Any] = _active_pairs_counted_prepared.all(participant_id=participant.pk)
    if not pairs:
        return []
    ids = [m.pk for m in pairs]
    states = {
        m.pk: PairState(
            match=m, other=other_in(m, participant), unread=m.unread_count, goals=m.goal_count
        )
        for m in pairs
    }
    for meeting in _live_meetings_prepared.all(participant_id=participant.pk):
        state = states.get(meeting.match_id)
        if state is None:  # a pair that became active between the two queries
            continue
        if meeting.status in MET and meeting.starts_at and meeting.starts_at <= now:
            state.has_met = True
        if meeting.status in ANSWERABLE:
            is_mine = meeting.proposed_by_id == participant.pk
            (state.waiting_other if is_mine else state.to_answer).append(meeting)
        elif meeting.has_time and meeting.starts_at and meeting.starts_at > now:
            state.upcoming.append(meeting)
    return [states[pk] for pk in ids]


# --- quiet pairs (nudges) ------------------------------------------------------------------------


@dataclass
class QuietPair:
    match: Match
    quiet_since: datetime
    days: int
    nudged: bool
    messages: int
    goals: int
    goals_achieved: int


def _count_per_pair(rows: QuerySet[Any]) -> QuerySet[Any]:
    """A subquery: how many of `rows` belong to the outer query's pair (`match`)."""
    return (
        rows.filter(match=OuterRef("pk"))
        .order_by()
        .values("match")
        .annotate(n=Count("pk"))
        .values("n")
    )


def _engagement(
    queryset: QuerySet[Match], now: datetime
) -> "QuerySet[WithAnnotations[Match, _Engagement]]":
    """Active pairs with: when they last met (or started), whether a meeting is coming, and
    counts (messages, goals) — counts only, never content."""
    last_met = (
        Meeting.objects.filter(match=OuterRef("pk"), status__in=MET, starts_at__lte=now)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    coming = Meeting.objects.filter(match=OuterRef("pk")).filter(
        Q(status__in=MET, starts_at__gt=now) | Q(status=Meeting.Status.PROPOSED)
    )
    messages = _count_per_pair(Message.objects.all())
    goals = _count_per_pair(Goal.objects.all())
    achieved = _count_per_pair(Goal.objects.filter(status=Goal.Status.ACHIEVED))
    return (
        queryset.filter(status=Match.Status.ACTIVE)
        .select_related("mentee__user", "mentor__user")
        .annotate(
            quiet_since=Greatest(
                Coalesce("activated_at", "created_at"),
                Coalesce(Subquery(last_met), Coalesce("activated_at", "created_at")),
                output_field=DateTimeField(),
            ),
            has_coming=Exists(coming),
            message_count=Coalesce(Subquery(messages), 0),
            goal_count=Coalesce(Subquery(goals), 0),
            goal_achieved_count=Coalesce(Subquery(achieved), 0),
        )
    )


def quiet_pairs_rows(
    *, now: datetime, days: int | None = None
) -> "QuerySet[WithAnnotations[Match, _Engagement]]":
    """Active pairs with no meeting for `days` (the programme's setting) and none coming,
    quietest first (a queryset, for a page of them: `quiet_pairs_describe`)."""
    days = days if days is not None else mentoring_settings().nudge_after_days
    return (
        _engagement(Match.objects.all(), now)
        .filter(has_coming=False, quiet_since__lt=now - timedelta(days=days))
        .order_by("quiet_since", "pk")
    )


def quiet_pairs_describe(*, rows: "list[Any]", now: datetime) -> list[QuietPair]:
    """`rows` of `quiet_pairs_rows` with whether they were reminded for this quiet period
    (one query)."""
    nudged = set(
        Nudge.objects.filter(match__in=[m.pk for m in rows]).values_list("match_id", "quiet_since")
    )
    return [
        QuietPair(
            match=m,
            quiet_since=m.quiet_since,
            days=(now - m.quiet_since).days,
            nudged=(m.pk, m.quiet_since) in nudged,
            messages=m.message_count,
            goals=m.goal_count,
            goals_achieved=m.goal_achieved_count,
        )
        for m in rows
    ]


def quiet_pairs(*, now: datetime, days: int | None = None) -> list[QuietPair]:
    """Every quiet pair (see `quiet_pairs_rows`), with whether they were reminded. Two
    queries."""
    rows = list(quiet_pairs_rows(now=now, days=days))
    return quiet_pairs_describe(rows=rows, now=now)


def engaged_pairs(*, now: datetime) -> "QuerySet[WithAnnotations[Match, _Engagement]]":
    """Every active pair with its counts (messages, goals, achieved goals), as a queryset."""
    return _engagement(Match.objects.all(), now).order_by("pk")


def engagement_counts(*, now: datetime) -> list[Match]:
    """Every active pair with its counts (messages, goals, achieved goals), for the manager's
    statistics: one query."""
    return list(_engagement(Match.objects.all(), now).order_by("pk"))


def messages_per_week(*, start: datetime, end: datetime) -> dict[date, int]:
    """Messages written in [start, end), by week (key: the Monday, local time), for the
    manager's dashboard: counts only, never who or what. One query."""
    rows = (
        Message.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    return {row["week"].date(): row["n"] for row in rows}
