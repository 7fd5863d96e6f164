"""A crowd of participants in a programme, written with bulk inserts (a few queries per table,
whatever the count): people with their public account and membership, questionnaire answers,
presentations, pairs in every state, meetings in the past and to come, messages, goals, survey
answers, requests and audit rows. Used by the query-count guards (tests/test_page_queries.py)
and bench/lists.py. Call inside the programme's schema (tenant_context)."""

from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

UNUSABLE = make_password(None)


def crowd_add(*, program: Any, count: int, first: int = 0) -> list[Any]:
    """`count` more participants of `program` (half mentees, half mentors), with their data.
    Returns the participants."""
    from audit.models import AuditEvent
    from shared_apps.accounts.models import ProgramMembership, User
    from tenant_apps.matching.models import Match, MatchRequest
    from tenant_apps.meetings.models import Meeting
    from tenant_apps.mentoring.models import Goal, Message, Profile
    from tenant_apps.participants.models import Answer, Participant
    from tenant_apps.programs.models import Question
    from tenant_apps.surveys.models import Survey, SurveyResponse

    now = timezone.now()
    users = User.objects.bulk_create(
        User(
            email=f"crowd{i}@crowd.example",
            first_name=f"Prénom{i}",
            last_name=f"Nom{i:05d}",
            password=UNUSABLE,
        )
        for i in range(first, first + count)
    )
    ProgramMembership.objects.bulk_create(
        ProgramMembership(user=user, program_id=program.pk) for user in users
    )
    people = Participant.objects.bulk_create(
        Participant(
            user=user,
            role=Participant.Role.MENTOR if index % 2 else Participant.Role.MENTEE,
            status=Participant.Status.ACTIVE,
            privacy_consent_at=now,
            activated_at=now - timedelta(days=60),
            last_active_at=now - timedelta(days=index % 40),
            capacity=2,
        )
        for index, user in enumerate(users)
    )
    mentees, mentors = people[0::2], people[1::2]
    questions = list(Question.objects.all())
    Answer.objects.bulk_create(
        Answer(participant=person, question=question, value=_answer(question))
        for person in people
        for question in questions
    )
    Profile.objects.bulk_create(
        Profile(participant=p, bio="Bio", job_title="Poste", entity="Caisse", languages=["fr"])
        for p in people
    )
    statuses = (Match.Status.ACTIVE, Match.Status.ACTIVE, Match.Status.PROPOSED, "ended")
    pairs = Match.objects.bulk_create(
        Match(
            mentee=mentee,
            mentor=mentor,
            status=statuses[index % len(statuses)],
            score=50 + index % 50,
            explanation=[],
            activated_at=now - timedelta(days=50),
            ended_at=now - timedelta(days=1) if statuses[index % 4] == "ended" else None,
            end_reason="Fin" if statuses[index % 4] == "ended" else "",
        )
        for index, (mentee, mentor) in enumerate(zip(mentees, mentors, strict=False))
    )
    active = [pair for pair in pairs if pair.status == Match.Status.ACTIVE]
    meetings = []
    for index, pair in enumerate(active):
        for days in (-30, -14, 7):
            starts = now + timedelta(days=days, hours=index % 8)
            meetings.append(
                Meeting(
                    match=pair,
                    proposed_by=pair.mentee,
                    status=Meeting.Status.CONFIRMED,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=1),
                    confirmed_at=starts - timedelta(days=3),
                )
            )
    Meeting.objects.bulk_create(meetings)
    Message.objects.bulk_create(
        Message(match=pair, author=author, body=f"Message {n}")
        for pair in active
        for n, author in enumerate((pair.mentee, pair.mentor, pair.mentee))
    )
    Goal.objects.bulk_create(Goal(match=pair, title="Objectif") for pair in active)
    # a request from each mentee without an active pair to a mentor of another pair
    waiting = [pair.mentee for pair in pairs if pair.status != Match.Status.ACTIVE]
    MatchRequest.objects.bulk_create(
        MatchRequest(
            mentee=mentee,
            mentor=mentors[(index + 1) % len(mentors)],
            message="Bonjour",
            expires_at=now + timedelta(days=7),
        )
        for index, mentee in enumerate(waiting)
    )
    survey = Survey.objects.filter(kind=Survey.Kind.PAIR_END).first()
    if survey is not None:
        SurveyResponse.objects.bulk_create(
            SurveyResponse(
                survey=survey,
                participant=pair.mentee,
                role=Participant.Role.MENTEE,
                match=pair,
                answers={"retour-fin-recommandation": 8},
                submitted_on=now.date(),
                submitted_at=now,
            )
            for pair in pairs
        )
    AuditEvent.objects.bulk_create(
        AuditEvent(action="participant.invited", actor_role="manager", target_id=str(p.pk))
        for p in people
    )
    return people


def _answer(question: Any) -> Any:
    if question.kind in ("single", "multiple"):
        first_choice = question.choices[0]["value"] if question.choices else "a"
        return [first_choice] if question.kind == "multiple" else first_choice
    return {"number": 3, "yes_no": "yes"}.get(question.kind, "Une réponse")
