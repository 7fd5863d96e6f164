"""Pairs: by hand, by a whole-cohort matching run the manager reviews, or by the mentee's
choice accepted by the mentor. The engine (the `engine` package, pure) scores and solves; this
module feeds it from the database and stores what it returns. Importing the engine loads no
numpy/scipy: they load with the first ``engine.match_cohort`` / ``suggestions`` / ``explain_pair``
/ ``score_matrix`` call, so web workers that never run matching never pay for them."""

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any, cast

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import audit_count, audit_exempt, audit_record, audited
from saas.core.errors import Conflict, NotAllowed, ValidationFailed
from tenant_apps.matching import engine
from tenant_apps.matching.models import Match, MatchBan, MatchRequest
from tenant_apps.matching.selectors import mentor_room
from tenant_apps.matching.signals import pair_ended
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.participants.services import email_about_other
from tenant_apps.programs.models import ProgramSettings, Question
from tenant_apps.programs.selectors import program_settings

MAX_PENDING_REQUESTS = 3

# --- Feeding the engine --------------------------------------------------------------------------


def _pk(engine_id: Hashable) -> int:
    """The engine hands back the ids it was fed: here, participants' primary keys."""
    if not isinstance(engine_id, int):
        raise TypeError(f"not a participant id: {engine_id!r}")
    return engine_id


@audit_exempt("reads and computes; writes nothing")
def criteria() -> list[engine.Criterion]:
    return [
        engine.Criterion(
            key=question.key,
            # The model's choices are the engine's literals (Question.Criterion, HardRule).
            kind=cast("engine.Kind", question.criterion),
            weight=float(question.weight),
            hard=cast("engine.HardRule", question.hard_rule) if question.hard_rule else None,
            label=question.label,
            is_sensitive=question.is_sensitive,
            value_range=float(question.number_range) if question.number_range else None,
            choice_labels={
                str(choice["value"]): str(choice["label"]) for choice in question.choices or []
            },
        )
        for question in Question.objects.filter(is_archived=False).exclude(criterion="")
    ]


def _answers(participant_ids: list[int], keys: set[str]) -> dict[int, dict[str, Any]]:
    answers: dict[int, dict[str, Any]] = defaultdict(dict)
    rows = Answer.objects.filter(
        participant_id__in=participant_ids, question__key__in=keys
    ).values_list("participant_id", "question__key", "value")
    for participant_id, key, value in rows:
        answers[participant_id][key] = tuple(value) if isinstance(value, list) else value
    return answers


def _exclusions() -> set[tuple[int, int]]:
    """Former and current pairs, open proposals and the manager's bans: never proposed."""
    pairs = set(Match.objects.values_list("mentee_id", "mentor_id"))
    pairs |= set(MatchBan.objects.values_list("mentee_id", "mentor_id"))
    return pairs


@audit_exempt("reads and computes; writes nothing")
def problem_build(
    *, mentees: list[Participant], locked: list[Match] | None = None, objective: str
) -> engine.MatchingProblem:
    """The cohort as the engine sees it: available mentors with room (capacity minus their
    active pairs), the given mentees, the programme's criteria, exclusions and locked pairs."""
    mentors = list(
        Participant.objects.filter(
            role=Participant.Role.MENTOR, status=Participant.Status.ACTIVE, is_available=True
        ).annotate(active=Count("matches_as_mentor", filter=Q(matches_as_mentor__status="active")))
    )
    locked = locked or []
    locks_per_mentor: dict[int, int] = defaultdict(int)
    for match in locked:
        locks_per_mentor[match.mentor_id] += 1
    # A mentor is in the cohort with the places they have left (locked proposals count in
    # them); one with no place and no lock is left out.
    room = {m.pk: max(m.capacity - m.active, locks_per_mentor[m.pk]) for m in mentors}
    mentors = [m for m in mentors if room[m.pk] >= 1]
    rules = criteria()
    keys = {c.key for c in rules}
    answers = _answers([p.pk for p in mentees + mentors], keys)
    in_cohort = {p.pk for p in mentees} | {m.pk for m in mentors}
    locked_pairs = {
        (m.mentee_id, m.mentor_id)
        for m in locked
        if m.mentee_id in in_cohort and m.mentor_id in in_cohort
    }
    exclusions = _exclusions() - locked_pairs
    return engine.MatchingProblem(
        mentees=[engine.Mentee(id=p.pk, answers=answers.get(p.pk, {})) for p in mentees],
        mentors=[
            engine.Mentor(id=m.pk, answers=answers.get(m.pk, {}), capacity=min(room[m.pk], 10))
            for m in mentors
        ],
        criteria=rules,
        exclusions=exclusions,
        locked_pairs=locked_pairs,
        maximise=cast("engine.Objective", objective),  # ProgramSettings' choices: the literals
    )


@audit_exempt("reads and computes; writes nothing")
def explanation_data(explanation: engine.Explanation) -> dict[str, Any]:
    return {
        "summary": explanation.summary,
        "contributions": [asdict(c) for c in explanation.contributions],
    }


def _mentees_waiting() -> list[Participant]:
    return list(
        Participant.objects.filter(
            role=Participant.Role.MENTEE, status=Participant.Status.ACTIVE, is_available=True
        ).exclude(matches_as_mentee__status=Match.Status.ACTIVE)
    )


def _require_mode(mode: str) -> ProgramSettings:
    settings = ProgramSettings.objects.select_for_update().get(id=1)
    if settings.matching_mode != mode:
        raise NotAllowed(_("This programme does not use this way of matching."))
    return settings


# --- Manager-led mode ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchingRunReport:
    """What a run did, and who it left out and why, in counts (the view words them).

    Mentees waiting but not paired, by reason: ``no_mentor`` (no mentor is available at all),
    ``hard_rule`` (every available mentor is ruled out by a hard rule, or was already paired with
    them or refused by the manager), ``nothing_in_common`` (only mentors scoring 0, and the
    programme aims for the best affinity), ``no_room`` (their compatible mentors are full).
    People not in the run at all: ``*_not_activated`` (invitation not accepted yet),
    ``*_unavailable`` (said they are not available), ``mentors_full`` (no place left)."""

    result: engine.MatchingResult
    proposed: int
    locked: int
    unmatched: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)


def _unmatched_reasons(
    *, mentee_ids: tuple[int, ...], objective: str, ruled_out: set[tuple[int, int]]
) -> dict[str, int]:
    """Why each mentee the solver left unpaired stayed so: scored against every available
    mentor, full ones included (capacity set aside), with the run's rules and exclusions."""
    reasons: dict[str, int] = defaultdict(int)
    if not mentee_ids:
        return {}
    mentors = list(
        Participant.objects.filter(
            role=Participant.Role.MENTOR, status=Participant.Status.ACTIVE, is_available=True
        ).values_list("pk", flat=True)
    )
    if not mentors:
        return {"no_mentor": len(mentee_ids)}
    rules = criteria()
    answers = _answers([*mentee_ids, *mentors], {c.key for c in rules})
    matrix = engine.score_matrix(
        problem=engine.MatchingProblem(
            mentees=[engine.Mentee(id=pk, answers=answers.get(pk, {})) for pk in mentee_ids],
            mentors=[engine.Mentor(id=pk, answers=answers.get(pk, {})) for pk in mentors],
            criteria=rules,
            exclusions=ruled_out,
        )
    )
    for row in range(len(matrix.mentee_ids)):
        allowed = matrix.allowed[row]
        if not allowed.any():
            reasons["hard_rule"] += 1
        elif objective == "score" and not (matrix.scores[row][allowed] > 0).any():
            reasons["nothing_in_common"] += 1
        else:
            reasons["no_room"] += 1
    return dict(reasons)


def _left_out() -> dict[str, int]:
    """People not in the run: not activated, not available, or mentors with no place left."""
    counts = {
        f"{role}s_{reason}": 0
        for role in ("mentee", "mentor")
        for reason in ("not_activated", "unavailable")
    }
    rows = (
        Participant.objects.filter(role__in=[Participant.Role.MENTEE, Participant.Role.MENTOR])
        .exclude(status=Participant.Status.DEACTIVATED)
        .exclude(role=Participant.Role.MENTEE, matches_as_mentee__status=Match.Status.ACTIVE)
        .values("role", "status", "is_available")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        if row["status"] == Participant.Status.INVITED:
            counts[f"{row['role']}s_not_activated"] += row["count"]
        elif not row["is_available"]:
            counts[f"{row['role']}s_unavailable"] += row["count"]
    counts["mentors_full"] = sum(
        1
        for mentor in Participant.objects.filter(
            role=Participant.Role.MENTOR, status=Participant.Status.ACTIVE, is_available=True
        ).annotate(active=Count("matches_as_mentor", filter=Q(matches_as_mentor__status="active")))
        if mentor.active >= mentor.capacity
    )
    return {key: count for key, count in counts.items() if count}


@transaction.atomic
@audited
def matching_run() -> MatchingRunReport:
    """Propose pairs for every mentee still waiting, around the proposals the manager locked.
    Unlocked proposals of an earlier run are replaced. Serialised per programme. The report
    says how many pairs were proposed, and who was left out and why."""
    settings = _require_mode(ProgramSettings.MatchingMode.MANAGER)
    Match.objects.filter(status=Match.Status.PROPOSED, is_locked=False).delete()
    locked = list(Match.objects.filter(status=Match.Status.PROPOSED, is_locked=True))
    problem = problem_build(
        mentees=_mentees_waiting(), locked=locked, objective=settings.matching_objective
    )
    result = engine.match_cohort(problem=problem, translate=_)
    created = Match.objects.bulk_create(
        Match(
            mentee_id=_pk(pair.mentee_id),
            mentor_id=_pk(pair.mentor_id),
            status=Match.Status.PROPOSED,
            source=Match.Source.BATCH,
            score=pair.score,
            explanation=explanation_data(pair.explanation),
        )
        for pair in result.pairs
        if not pair.is_locked
    )
    audit_record(
        action="matching.run",
        details={
            "proposed": sum(1 for pair in result.pairs if not pair.is_locked),
            "locked": len(locked),
        },
    )
    return MatchingRunReport(
        result=result,
        proposed=len(created),
        locked=len(locked),
        unmatched=_unmatched_reasons(
            mentee_ids=tuple(_pk(pk) for pk in result.unmatched_mentee_ids),
            objective=settings.matching_objective,
            ruled_out={(_pk(mentee), _pk(mentor)) for mentee, mentor in problem.exclusions},
        ),
        left_out=_left_out(),
    )


def _pair_audit(action: str, match: Match) -> None:
    """The audit row of a change to one pair, naming its two people."""
    audit_record(
        action=action,
        target=match,
        details={"mentee_id": match.mentee_id, "mentor_id": match.mentor_id},
    )


def _proposal(match: Match) -> Match:
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status != Match.Status.PROPOSED:
        raise Conflict(_("This pair is no longer a proposal."))
    return match


@transaction.atomic
@audited
def proposal_lock(*, match: Match, is_locked: bool) -> Match:
    match = _proposal(match)
    match.is_locked = is_locked
    match.save(update_fields=["is_locked"])
    audit_record(
        action="matching.proposal_locked" if is_locked else "matching.proposal_unlocked",
        target=match,
    )
    return match


@transaction.atomic
@audited
def proposal_remove(*, match: Match) -> None:
    """Drop a proposal; these two are never proposed together again."""
    match = _proposal(match)
    MatchBan.objects.get_or_create(mentee_id=match.mentee_id, mentor_id=match.mentor_id)
    _pair_audit("matching.proposal_removed", match)
    match.delete()


@transaction.atomic
@audited
def proposal_add(*, mentee: Participant, mentor: Participant) -> Match:
    """The manager's own pair, kept (locked) across runs."""
    mentor = Participant.objects.select_for_update().get(pk=mentor.pk)
    _check_pair(mentee=mentee, mentor=mentor)
    if Match.objects.filter(mentee=mentee, status=Match.Status.PROPOSED).exists():
        raise Conflict(_("This mentee already has a proposal: remove it first."))
    if mentor_room(mentor=mentor) < 1:
        raise Conflict(_("This mentor has no room left."))
    problem = problem_build(mentees=[mentee], objective="score")
    answers = {m.id: m for m in problem.mentors}
    mentor_side = answers.get(mentor.pk, engine.Mentor(id=mentor.pk))
    explanation = engine.explain_pair(
        mentee=problem.mentees[0], mentor=mentor_side, criteria=problem.criteria, translate=_
    )
    match = Match.objects.create(
        mentee=mentee,
        mentor=mentor,
        status=Match.Status.PROPOSED,
        source=Match.Source.MANUAL,
        is_locked=True,
        explanation=explanation_data(explanation),
    )
    _pair_audit("matching.proposal_added", match)
    return match


@transaction.atomic
@audited
def proposals_publish() -> int:
    """Every proposal becomes an active pair; both people are told by email."""
    proposals = list(
        Match.objects.select_for_update()
        .filter(status=Match.Status.PROPOSED)
        .select_related("mentee__user", "mentor__user")
    )
    now = timezone.now()
    for match in proposals:
        match.status = Match.Status.ACTIVE
        match.activated_at = now
        match.is_locked = False
        match.save(update_fields=["status", "activated_at", "is_locked"])
        _notify_pair(match)
    audit_record(
        action="matching.published",
        details={"pairs": len(proposals), "people_emailed": 2 * len(proposals)},
    )
    return len(proposals)


def _notify_pair(match: Match) -> None:
    for me, other in ((match.mentee, match.mentor), (match.mentor, match.mentee)):
        email_about_other(to=me, other=other, template="match_published")


# --- Pairs made by hand, and ending ----------------------------------------------------------


def _check_pair(*, mentee: Participant, mentor: Participant) -> None:
    errors = []
    if mentee.role != Participant.Role.MENTEE or mentee.status != Participant.Status.ACTIVE:
        errors.append(_("The mentee must be an active mentee of the programme."))
    if mentor.role != Participant.Role.MENTOR or mentor.status != Participant.Status.ACTIVE:
        errors.append(_("The mentor must be an active mentor of the programme."))
    if errors:
        raise ValidationFailed(" ".join(errors))
    if Match.objects.filter(mentee=mentee, mentor=mentor).exists():
        raise Conflict(_("These two people have already been paired."))
    if Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).exists():
        raise Conflict(_("This mentee already has a mentor."))


@transaction.atomic
@audited
def match_create_manual(*, mentee: Participant, mentor: Participant) -> Match:
    """A manager pairs two people by hand; the pair is active at once. The mentor row is
    locked so that two concurrent pairings cannot exceed their capacity."""
    mentor = Participant.objects.select_for_update().get(pk=mentor.pk)
    _check_pair(mentee=mentee, mentor=mentor)
    if mentor_room(mentor=mentor) < 1:
        raise Conflict(_("This mentor has no room left."))
    match = Match.objects.create(
        mentee=mentee,
        mentor=mentor,
        status=Match.Status.ACTIVE,
        source=Match.Source.MANUAL,
        activated_at=timezone.now(),
    )
    _pair_audit("matching.manual_pair_created", match)
    return match


@transaction.atomic
@audited
def match_end(*, match: Match, reason: str) -> Match:
    """End a pairing: the mentor's place is free again; the pair is never proposed again."""
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status != Match.Status.ACTIVE:
        raise Conflict(_("Only an active pairing can be ended."))
    if not reason.strip():
        message = _("Give a reason.")
        raise ValidationFailed(message, fields={"reason": [message]})
    match.status = Match.Status.ENDED
    match.ended_at = timezone.now()
    match.end_reason = reason.strip()
    match.save(update_fields=["status", "ended_at", "end_reason"])
    audit_record(action="matching.pair_ended", target=match)
    pair_ended.send(sender=Match, match=match)
    return match


# --- Mentee choice -----------------------------------------------------------------------------


@audit_exempt("reads and computes; writes nothing")
def suggestions_for(
    *, mentee: Participant, k: int = 5
) -> list[tuple[Participant, engine.Suggestion]]:
    """The mentee's best mentors with room, excluding former pairs, bans, hard rules and the
    mentors they already asked."""
    settings = program_settings()
    problem = problem_build(mentees=[mentee], objective=settings.matching_objective)
    asked = set(MatchRequest.objects.filter(mentee=mentee).values_list("mentee_id", "mentor_id"))
    problem = engine.MatchingProblem(
        mentees=problem.mentees,
        mentors=problem.mentors,
        criteria=problem.criteria,
        exclusions=set(problem.exclusions) | asked,
        maximise=problem.maximise,
    )
    if not problem.mentors:
        return []
    found = engine.suggestions(problem=problem, mentee_id=mentee.pk, k=k, translate=_)
    mentors = Participant.objects.select_related("user").in_bulk([s.mentor_id for s in found])
    return [(mentors[s.mentor_id], s) for s in found]


@transaction.atomic
@audited
def request_create(*, mentee: Participant, mentor: Participant, message: str = "") -> MatchRequest:
    settings = _require_mode(ProgramSettings.MatchingMode.CHOICE)
    mentee = Participant.objects.select_for_update().get(pk=mentee.pk)
    if mentee.role != Participant.Role.MENTEE:
        raise NotAllowed(_("Only mentees can ask for a mentor."))
    if Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).exists():
        raise Conflict(_("You already have a mentor."))
    pending = MatchRequest.objects.filter(mentee=mentee, status=MatchRequest.Status.PENDING)
    if pending.count() >= MAX_PENDING_REQUESTS:
        raise Conflict(
            _("You can wait for at most %(count)d answers at a time.")
            % {"count": MAX_PENDING_REQUESTS}
        )
    offered = {m.pk: s for m, s in suggestions_for(mentee=mentee, k=10_000)}
    if mentor.pk not in offered:
        raise Conflict(_("This mentor cannot take your request (no room, or not available)."))
    request = MatchRequest.objects.create(
        mentee=mentee,
        mentor=mentor,
        message=message.strip()[:2000],
        score=offered[mentor.pk].score,
        expires_at=timezone.now() + timedelta(days=settings.request_expiry_days),
    )
    email_about_other(to=mentor, other=mentee, template="request_received", request=request)
    audit_record(action="matching.request_sent", target=request)
    return request


def _lock_people(*ids: int) -> dict[int, Participant]:
    """Lock the rows in a fixed order (no deadlock between two concurrent acceptances)."""
    people = Participant.objects.select_for_update().select_related("user").filter(pk__in=ids)
    return {p.pk: p for p in people.order_by("pk")}


@transaction.atomic
@audited
def request_accept(*, request: MatchRequest, by: Participant) -> Match:
    """The first acceptance wins: the pair is active, the mentee's other requests are
    withdrawn, and a mentor who becomes full declines the rest. Capacity holds even under
    concurrent acceptances (rows locked, room counted inside the lock)."""
    people = _lock_people(request.mentee_id, request.mentor_id)
    request = MatchRequest.objects.select_for_update().get(pk=request.pk)
    mentee, mentor = people[request.mentee_id], people[request.mentor_id]
    if by.pk != mentor.pk:
        raise NotAllowed(_("Only the mentor can answer this request."))
    if request.status != MatchRequest.Status.PENDING or request.expires_at <= timezone.now():
        raise Conflict(_("This request is no longer waiting for an answer."))
    if Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).exists():
        raise Conflict(_("This mentee already has a mentor."))
    if mentor_room(mentor=mentor) < 1:
        raise Conflict(_("You have no room left for another mentee."))
    now = timezone.now()
    match = Match.objects.create(
        mentee=mentee,
        mentor=mentor,
        status=Match.Status.ACTIVE,
        source=Match.Source.REQUEST,
        score=request.score,
        activated_at=now,
    )
    request.status, request.answered_at, request.match = MatchRequest.Status.ACCEPTED, now, match
    request.save(update_fields=["status", "answered_at", "match"])
    MatchRequest.objects.filter(mentee=mentee, status=MatchRequest.Status.PENDING).update(
        status=MatchRequest.Status.WITHDRAWN, answered_at=now
    )
    if mentor_room(mentor=mentor) < 1:
        for other in MatchRequest.objects.filter(
            mentor=mentor, status=MatchRequest.Status.PENDING
        ).select_related("mentee__user"):
            _request_close(other, status=MatchRequest.Status.DECLINED, template="request_declined")
    email_about_other(to=mentee, other=mentor, template="request_accepted")
    audit_record(action="matching.request_accepted", target=match)
    return match


def _request_close(request: MatchRequest, *, status: str, template: str) -> None:
    request.status = status
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at"])
    email_about_other(to=request.mentee, other=request.mentor, template=template)


@transaction.atomic
@audited
def request_decline(*, request: MatchRequest, by: Participant) -> MatchRequest:
    request = (
        MatchRequest.objects.select_for_update()
        .select_related("mentee__user", "mentor__user")
        .get(pk=request.pk)
    )
    if by.pk != request.mentor_id:
        raise NotAllowed(_("Only the mentor can answer this request."))
    if request.status != MatchRequest.Status.PENDING:
        raise Conflict(_("This request is no longer waiting for an answer."))
    _request_close(request, status=MatchRequest.Status.DECLINED, template="request_declined")
    audit_record(action="matching.request_declined", target=request)
    return request


@transaction.atomic
@audited
def requests_expire() -> int:
    """Expire the requests past their delay and tell the mentees. Safe to run twice: a request
    is expired (and its email queued) once."""
    due = (
        MatchRequest.objects.select_for_update(skip_locked=True)
        .filter(status=MatchRequest.Status.PENDING, expires_at__lte=timezone.now())
        .select_related("mentee__user", "mentor__user")
    )
    count = 0
    for request in due:
        _request_close(request, status=MatchRequest.Status.EXPIRED, template="request_expired")
        count += 1
    return audit_count(action="matching.requests_expired", count=count)
