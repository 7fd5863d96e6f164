"""A lively programme for the demo and the benchmark: participants, answers, pairs and meetings
spread over the last months, written with bulk inserts (a few queries per thousand rows)."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from saas.core.tenancy import connection
from shared_apps.accounts.selectors import User
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Answer, Participant
from tenant_apps.programs.models import Question

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
    return len(people)
