"""A lively programme for the demo and the benchmark: participants, answers, pairs and meetings
spread over the last months, their messages and their feedback (meeting usefulness, named
check-ins — a few of them low —, the recommendation at the end of a pair), written with bulk
inserts (a few queries per thousand rows)."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from saas.core.tenancy import connection
from shared_apps.accounts.selectors import User
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.mentoring.models import Message
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.programs.models import Question
from tenant_apps.surveys.models import Survey, SurveyInvitation, SurveyResponse

FIRST_NAMES = [
    "Alix",
    "Bastien",
    "Chloé",
    "David",
    "Emma",
    "Farid",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Jules",
    "Katia",
    "Léo",
    "Manon",
    "Nicolas",
    "Océane",
    "Paul",
    "Rania",
    "Samuel",
]
LAST_NAMES = ["Arnaud", "Blanc", "Colin", "Dupuis", "Étienne", "Fabre", "Girard", "Henry",
              "Jacob", "Klein", "Lambert", "Marchand", "Noël", "Perrin", "Roux",
              "Vidal"]  # fmt: skip


@transaction.atomic
def outcomes_seed(
    *,
    domain: str,
    mentees: int,
    mentors: int,
    pairs: int,
    meetings: int,
    days: int = 180,
    dimension_key: str = "",
    seed: int = 14,
) -> int:
    """Seed the current programme (idempotent: nothing happens if it was seeded for `domain`
    already). Mentees and mentors join over the last `days` days, most register and answer,
    `pairs` pairs are formed, `meetings` meetings spread over them (most held). If
    `dimension_key` names a single choice question, it becomes a reporting dimension and the
    seeded people answer it. Returns how many participants were added."""
    marker = f"seed-mentee-0@{domain}"
    if User.objects.filter(email=marker).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 (demo data, not a secret)
    now = timezone.now()
    question = Question.objects.filter(key=dimension_key).first() if dimension_key else None
    if question is not None:
        Question.objects.filter(pk=question.pk).update(is_reporting_dimension=True)
    users = []
    roles = [("mentee", i) for i in range(mentees)] + [("mentor", i) for i in range(mentors)]
    for role, index in roles:
        users.append(
            User(
                email=f"seed-{role}-{index}@{domain}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                password="!",  # unusable: seeded people do not log in
            )
        )
    User.objects.bulk_create(users, batch_size=2000)
    users = list(
        User.objects.filter(email__startswith="seed-", email__endswith=f"@{domain}").order_by("pk")
    )
    people = []
    for user in users:
        role = "mentee" if "-mentee-" in user.email else "mentor"
        joined = now - datetime.timedelta(days=rng.uniform(1, days))
        registered = rng.random() < 0.85
        activated = joined + datetime.timedelta(hours=rng.uniform(1, 96)) if registered else None
        if activated and activated > now:
            activated = now
        people.append(
            Participant(
                user=user,
                role=role,
                status="active" if registered else "invited",
                joined_via="invitation",
                activated_at=activated,
                capacity=3 if role == "mentor" else 1,
            )
        )
    Participant.objects.bulk_create(people, batch_size=2000)
    people = list(
        Participant.objects.filter(
            user__email__startswith="seed-", user__email__endswith=f"@{domain}"
        )
        .only("pk", "role", "activated_at").order_by("pk")
    )  # fmt: skip
    # created_at is auto_now_add: set it to the joining time (before the registration).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE participants_participant SET created_at = COALESCE(activated_at, now())"
            " - (random() * interval '4 days') - interval '1 hour' WHERE id = ANY(%s)",
            [[p.pk for p in people]],
        )
    if question is not None and question.choices:
        values = [choice["value"] for choice in question.choices]
        weights = [5, 3, 2, 1, 1, 1][: len(values)] + [1] * max(0, len(values) - 6)
        Answer.objects.bulk_create(
            [
                Answer(participant=p, question=question, value=rng.choices(values, weights)[0])
                for p in people
                if p.activated_at is not None and rng.random() < 0.95
            ],
            batch_size=2000,
        )
    registered_mentees = [p for p in people if p.role == "mentee" and p.activated_at]
    registered_mentors = [p for p in people if p.role == "mentor" and p.activated_at]
    rng.shuffle(registered_mentees)
    matches = []
    for index, mentee in enumerate(registered_mentees[:pairs]):
        mentor = registered_mentors[index % len(registered_mentors)]
        assert mentee.activated_at is not None and mentor.activated_at is not None  # filtered
        activated = max(mentee.activated_at, mentor.activated_at) + datetime.timedelta(
            days=rng.uniform(0.5, 20)
        )
        if activated > now:
            activated = now - datetime.timedelta(hours=1)
        ended = rng.random() < 0.12
        matches.append(
            Match(
                mentee=mentee,
                mentor=mentor,
                status="ended" if ended else "active",
                source="batch",
                score=round(rng.triangular(20, 100, 75), 1),
                activated_at=activated,
                ended_at=activated + (now - activated) * rng.uniform(0.3, 0.95) if ended else None,
                end_reason=rng.choice(["Objectifs atteints", "Changement de poste", ""])
                if ended
                else "",
            )
        )
    Match.objects.bulk_create(matches, batch_size=2000)
    matches = list(
        Match.objects.filter(mentee__in=[m.mentee for m in matches]).only(
            "pk", "activated_at", "mentee_id", "ended_at"
        )
    )
    rows = []
    for _index in range(meetings if matches else 0):
        pair = matches[rng.randrange(len(matches))]
        assert pair.activated_at is not None  # created active above
        last = pair.ended_at or now + datetime.timedelta(days=14)
        span = (last - pair.activated_at).total_seconds()
        starts = pair.activated_at + datetime.timedelta(seconds=rng.uniform(3600, max(span, 7200)))
        past = starts < now
        status = (
            rng.choices(["held", "not_held", "cancelled"], [85, 5, 10])[0]
            if past
            else rng.choice(["confirmed", "proposed"])
        )
        rows.append(
            Meeting(
                match=pair,
                status=status,
                proposed_by_id=pair.mentee_id,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                confirmed_at=starts - datetime.timedelta(days=3) if status != "proposed" else None,
                outcome_source="participant" if status in ("held", "not_held") else "",
                outcome_at=starts + datetime.timedelta(hours=1)
                if status in ("held", "not_held")
                else None,
            )
        )
    Meeting.objects.bulk_create(rows, batch_size=2000)
    _feedback_seed(rng, now)
    return len(people)


USEFULNESS_WEIGHTS = [3, 7, 20, 40, 30]  # scores 1..5
CHECKIN_WEIGHTS = [4, 6, 20, 40, 30]
NPS_WEIGHTS = [1, 1, 1, 2, 2, 3, 5, 10, 18, 27, 30]  # 0..10
MESSAGES = ["Merci pour l'échange d'hier !", "Je t'envoie le document dont on a parlé.",
            "On décale à jeudi ?", "Bonne nouvelle : j'ai eu l'entretien.",
            "Voici mes notes sur l'objectif n°2."]  # fmt: skip


def _day_before(moment: datetime.datetime | None) -> datetime.datetime:
    assert moment is not None  # held meetings have a start
    return moment - datetime.timedelta(days=1)


def _feedback_seed(rng: random.Random, now: datetime.datetime) -> None:
    """The seeded pairs' messages (one per held meeting, the day before) and feedback: about
    half of the held meetings rated by each person (aggregated-only, dated to the month), a
    named check-in from each person of the pairs active for 30 days (the check-in survey is
    switched to named answers so that low scores point at pairs), and the recommendation of
    people whose pair ended."""
    surveys: dict[str, Survey] = {survey.kind: survey for survey in Survey.objects.all()}
    keys: dict[str, str | None] = {
        kind: Question.all_forms.filter(question_set__survey__kind=kind, kind=question_kind)
        .order_by("position", "pk")
        .values_list("key", flat=True)
        .first()
        for kind, question_kind in (
            (Survey.Kind.MEETING, Question.Kind.SCALE),
            (Survey.Kind.CHECKIN, Question.Kind.SCALE),
            (Survey.Kind.PAIR_END, Question.Kind.NPS),
        )
    }
    seeded = Match.objects.filter(mentee__user__email__startswith="seed-")
    held = list(
        Meeting.objects.filter(
            match__in=seeded, status=Meeting.Status.HELD, starts_at__isnull=False
        )
        .select_related("match")
        .only("pk", "starts_at", "match__mentee_id", "match__mentor_id")
    )
    messages = [
        Message(match_id=m.match_id, author_id=m.match.mentee_id, body=rng.choice(MESSAGES))
        for m in held
    ]
    Message.objects.bulk_create(messages, batch_size=2000)
    with connection.cursor() as cursor:  # created_at is auto_now_add: the day before
        cursor.execute(
            f"UPDATE {Message._meta.db_table} AS message SET created_at = moment.at"  # noqa: S608
            " FROM unnest(%s::bigint[], %s::timestamptz[]) AS moment(id, at)"
            " WHERE message.id = moment.id",
            [
                [message.pk for message in messages],
                [_day_before(m.starts_at) for m in held],
            ],
        )
    responses: list[SurveyResponse] = []
    invitations: list[SurveyInvitation] = []

    def answer(
        kind: str,
        role: str,
        person: int,
        score: int,
        when: datetime.datetime,
        occasion: str,
        match: int | None,
        meeting: int | None = None,
    ) -> None:
        survey, key = surveys.get(kind), keys.get(kind)
        if survey is None or key is None:
            return
        day = timezone.localdate(when)
        named = not survey.is_anonymous
        responses.append(
            SurveyResponse(
                survey=survey,
                role=role,
                answers={key: score},
                participant_id=person if named else None,
                match_id=match if named else None,
                meeting_id=meeting if named else None,
                submitted_on=day if named else day.replace(day=1),
                submitted_at=when if named else None,
            )
        )
        invitations.append(SurveyInvitation(
            survey=survey, participant_id=person, occasion=occasion, match_id=match,
            meeting_id=meeting, last_sent_at=when - datetime.timedelta(days=1),
            answered_at=when if named else when.replace(hour=0, minute=0, second=0),
        ))  # fmt: skip

    for meeting in held:
        rated_at = _day_before(meeting.starts_at) + datetime.timedelta(hours=rng.uniform(26, 72))
        if rated_at >= now:
            continue
        for role, person in (("mentee", meeting.match.mentee_id),
                             ("mentor", meeting.match.mentor_id)):  # fmt: skip
            if rng.random() < 0.5:
                score = rng.choices(range(1, 6), USEFULNESS_WEIGHTS)[0]
                answer(Survey.Kind.MEETING, role, person, score, rated_at, f"meeting:{meeting.pk}",
                       meeting.match_id, meeting.pk)  # fmt: skip
    Survey.objects.filter(kind=Survey.Kind.CHECKIN).update(is_anonymous=False)
    surveys = {survey.kind: survey for survey in Survey.objects.all()}  # the check-in, named
    for pair in seeded.only("pk", "activated_at", "ended_at", "mentee_id", "mentor_id"):
        assert pair.activated_at is not None  # seeded active
        checkin = pair.activated_at + datetime.timedelta(days=30)
        for role, person in (("mentee", pair.mentee_id), ("mentor", pair.mentor_id)):
            if pair.ended_at is None and checkin < now and rng.random() < 0.7:
                when = checkin + datetime.timedelta(hours=rng.uniform(1, 72))
                score = rng.choices(range(1, 6), CHECKIN_WEIGHTS)[0]
                answer(Survey.Kind.CHECKIN, role, person, score, min(when, now),
                       f"checkin:{pair.pk}:1", pair.pk)  # fmt: skip
            if pair.ended_at is not None and rng.random() < 0.6:
                when = min(now, pair.ended_at + datetime.timedelta(hours=rng.uniform(2, 96)))
                score = rng.choices(range(0, 11), NPS_WEIGHTS)[0]
                answer(Survey.Kind.PAIR_END, role, person, score, when, f"pair_end:{pair.pk}",
                       pair.pk)  # fmt: skip
    SurveyInvitation.objects.bulk_create(invitations, batch_size=2000, ignore_conflicts=True)
    SurveyResponse.objects.bulk_create(responses, batch_size=2000)
