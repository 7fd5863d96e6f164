"""A realistic world, fast — not a test. 1,000 programmes × 50 participants (50,000
participants: 45,455 people, a tenth of them in two programmes, one shared identity in
`public`), each programme with its manager, questionnaire answers, profiles, pairs, a year of
meetings (held, cancelled, upcoming), messages, goals and survey answers (meeting feedback,
check-ins, end-of-pair NPS), on a stock PostgreSQL, in minutes.

    .venv/bin/python bench/world.py [--programmes 1000] [--participants 50] [--reuse] [--fresh]

Uses DATABASE_URL's server (database `binome_world` or --database; created when missing) or
an embedded PostgreSQL (pgserver, .local/pgworld). How it is fast: `public` is migrated, the
people are written with COPY, a few *template* schemas (--variants, 8 by default, each a
different seed) are migrated once and filled with bulk inserts; then each programme schema is a
copy of one template in SQL (`CREATE TABLE … (LIKE … INCLUDING ALL)`, `INSERT … SELECT` of
every row with the participants re-pointed at that programme's people, identity sequences moved
past the rows, foreign keys added last), as many per transaction as the server's lock table
allows (bench/provisioning.py `clone_batch_size`), in --workers processes. Idempotent: a
complete world of the same size is kept (`--reuse` is the default behaviour; `--fresh` drops
the database first); an interrupted run resumes where it stopped.

For the other benchmarks (bench/scale.py, bench/jobs.py):

    from bench.world import world_ensure, world_samples, totp_token
    url = world_ensure(programmes=1000)          # the database URL, seeded once
    world_samples(url, 200)                      # [(host, email, password, role)…]
    totp_token()                                 # current code of every manager's authenticator

Every account has the password PASSWORD (one argon2 hash computed once and reused); every
manager has one confirmed TOTP device with the key MANAGER_TOTP_KEY. Programme hosts are
`p0001.<base domain>` (Domain rows, resolved by the tenant middleware); the base domain is the
one given at seeding (`--base-domain`, default `world.test`), recorded in the world.
Timestamps are relative to the seeding time (upcoming meetings become past ones as days go).

Last line: `world programmes=<N> participants=<N×50> seconds=<s>`
"""

from __future__ import annotations

import argparse
import hmac
import os
import random
import struct
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.provisioning import Log, scalar  # noqa: E402

WORLD_DB = "binome_world"
BASE_DOMAIN = "world.test"
PASSWORD = "world-password-2027!"
# Every manager's authenticator (hex, 20 bytes): totp_token() gives the current code.
MANAGER_TOTP_KEY = "3132333435363738393031323334353637383930"
EMAIL_DOMAIN = "world.example"
MENTEE_SHARE = 0.6  # of the participants of a programme (the rest are mentors)
SHARED_SHARE = 0.1  # of the people: in two programmes


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Sample(NamedTuple):
    host: str
    email: str
    password: str
    role: str


# --- database -----------------------------------------------------------------------------------


def server_url(stack: ExitStack | None = None) -> str:
    """DATABASE_URL's server, or an embedded PostgreSQL (kept running while `stack` is open;
    without a stack, until the process ends)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    import pgserver

    server = pgserver.get_server(ROOT / ".local" / "pgworld", cleanup_mode="stop")
    if stack is not None:
        stack.callback(server.cleanup)
    return server.get_uri("postgres")


def world_url(name: str = WORLD_DB, *, stack: ExitStack | None = None, fresh: bool = False) -> str:
    """The world database's URL on the server (created when missing, dropped first if fresh)."""
    import psycopg

    parts = urlsplit(server_url(stack))
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def world_info(url: str) -> dict[str, str]:
    """What the world records about itself (empty when it was never seeded)."""
    import psycopg

    with psycopg.connect(url) as conn:
        if not scalar(conn.execute("SELECT to_regclass('public.bench_world_meta')").fetchone()):
            return {}
        return dict(conn.execute("SELECT key, value FROM public.bench_world_meta").fetchall())


def django_setup(url: str, *, base_domain: str = BASE_DOMAIN, settings: str = "") -> None:
    """Django configured on the world database (dev settings unless told otherwise)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings or "saas.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ["BASE_DOMAIN"] = base_domain
    os.environ.setdefault("PROGRAM_POOL_SIZE", "0")
    os.environ.setdefault("CELERY_BROKER_URL", "")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --- what the load test needs -------------------------------------------------------------------


def world_samples(
    url: str,
    count: int,
    *,
    roles: tuple[str, ...] = ("mentee", "mentor", "manager"),
    seed: int = 17,
) -> list[Sample]:
    """`count` (host, email, password, role) of active people of the world, spread over the
    programmes (a seeded random draw, without repetition while there are enough)."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        rows = conn.execute(
            "SELECT host, email, role FROM public.bench_world_login WHERE role = ANY(%s) "
            "ORDER BY random() LIMIT %s",
            [list(roles), count],
        ).fetchall()
    if not rows:
        raise RuntimeError("the world is empty: run bench/world.py first")
    rows = [rows[i % len(rows)] for i in range(count)]
    return [Sample(host, email, PASSWORD, role) for host, email, role in rows]


def totp_token(at: float | None = None, key: str = MANAGER_TOTP_KEY) -> str:
    """The managers' current second-factor code (RFC 6238: SHA-1, 30 s, 6 digits, as
    django-otp's TOTPDevice defaults)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key), struct.pack(">Q", counter), "sha1").digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def programme_host(index: int, base_domain: str = BASE_DOMAIN) -> str:
    return f"p{index:04d}.{base_domain}"


def schema_name(index: int) -> str:
    return f"p_{index:012x}"  # `p_` + 12 hex digits, like tenants.services.schema_name_generate


# --- seeding ------------------------------------------------------------------------------------

META_SQL = """
CREATE TABLE IF NOT EXISTS public.bench_world_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS public.bench_world_slot (
    programme int NOT NULL, slot int NOT NULL, user_id bigint NOT NULL,
    PRIMARY KEY (programme, slot));
CREATE TABLE IF NOT EXISTS public.bench_world_login (
    host text NOT NULL, email text NOT NULL, role text NOT NULL);
CREATE INDEX IF NOT EXISTS bench_world_login_role ON public.bench_world_login (role);
"""

# Copy one filled template schema into a new programme schema: every table and its rows, the
# participants re-pointed at the programme's people (public.bench_world_slot), identity
# sequences past the copied rows, then the foreign keys (read with search_path = src: local
# tables unqualified, public ones qualified; replayed with search_path = dst).
CLONE_SQL = """
CREATE OR REPLACE FUNCTION bench_world_clone(src text, dst text, k int) RETURNS void AS $$
DECLARE t record; defs text[]; cols text;
BEGIN
  EXECUTE format('CREATE SCHEMA %I', dst);
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = src LOOP
    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING ALL)',
                   dst, t.tablename, src, t.tablename);
    IF t.tablename = 'participants_participant' THEN
      SELECT string_agg(CASE WHEN attname = 'user_id' THEN 'm.user_id'
                             ELSE 'p.' || quote_ident(attname) END, ', ' ORDER BY attnum)
        INTO cols FROM pg_attribute
       WHERE attrelid = format('%I.%I', src, t.tablename)::regclass
         AND attnum > 0 AND NOT attisdropped;
      EXECUTE format('INSERT INTO %I.%I SELECT %s FROM %I.%I p '
                     'JOIN public.bench_world_slot m ON m.programme = %s AND m.slot = p.id',
                     dst, t.tablename, cols, src, t.tablename, k);
    ELSE
      EXECUTE format('INSERT INTO %I.%I SELECT * FROM %I.%I',
                     dst, t.tablename, src, t.tablename);
    END IF;
  END LOOP;
  FOR t IN SELECT c.relname, a.attname FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = dst::regnamespace AND c.relkind = 'r'
              AND a.attidentity <> '' LOOP
    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), '
                   'coalesce((SELECT max(%I) FROM %I.%I), 0) + 1, false)',
                   format('%I.%I', dst, t.relname), t.attname, t.attname, dst, t.relname);
  END LOOP;
  PERFORM set_config('search_path', src, true);
  SELECT array_agg(format('ALTER TABLE %I ADD CONSTRAINT %I %s', cl.relname, con.conname,
                          pg_get_constraintdef(con.oid)))
    INTO defs
    FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace
   WHERE n.nspname = src AND con.contype = 'f';
  PERFORM set_config('search_path', dst, true);
  FOR i IN 1 .. coalesce(array_length(defs, 1), 0) LOOP
    EXECUTE defs[i];
  END LOOP;
  PERFORM set_config('search_path', 'public', true);
END $$ LANGUAGE plpgsql;
"""

FIRST = ["Alix", "Bastien", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hugo", "Inès", "Jules",
         "Katia", "Léo", "Manon", "Nicolas", "Océane", "Paul", "Rania", "Samuel", "Yasmine",
         "Zoé", "Camille", "Lucas", "Aïcha", "Mathis"]  # fmt: skip
LAST = ["Arnaud", "Blanc", "Colin", "Dupuis", "Étienne", "Fabre", "Girard", "Henry", "Jacob",
        "Klein", "Lambert", "Marchand", "Noël", "Perrin", "Roux", "Vidal", "Nguyen", "Diallo",
        "Martin", "Bernard", "Petit", "Moreau"]  # fmt: skip
JOBS = ["Chargé·e de recrutement", "Développeuse", "Responsable RH", "Chef de projet",
        "Comptable", "Juriste", "Conseiller clientèle", "Directrice d'agence", "Data analyst",
        "Gestionnaire de paie"]  # fmt: skip
ENTITIES = ["Caisse de Lyon", "Caisse de Lille", "Caisse de Nantes", "Siège", "Caisse de Metz",
            "Caisse de Bordeaux", "Direction régionale Sud"]  # fmt: skip
SENTENCES = [
    "Bonjour, merci pour notre échange de la semaine dernière !",
    "Je vous envoie le document dont nous avons parlé.",
    "Est-ce que jeudi matin vous conviendrait pour notre prochain rendez-vous ?",
    "J'ai avancé sur l'objectif que nous avions fixé, je vous raconte.",
    "Très bonne idée, je regarde cela et je reviens vers vous.",
    "Pensez à préparer deux ou trois situations concrètes pour la prochaine fois.",
    "Merci, c'était très utile. À bientôt !",
    "Je serai en congés la semaine prochaine, décalons-nous d'une semaine ?",
]
STATUSES = ["held", "not_held", "cancelled", "declined"]
NPS_WEIGHTS = [1, 1, 1, 1, 2, 3, 5, 10, 25, 25, 26]
GOALS = [
    "Préparer mon entretien annuel",
    "Développer mon réseau",
    "Prendre la parole en réunion",
    "Construire mon projet de mobilité",
    "Animer ma première réunion d'équipe",
    "Mieux gérer mon temps",
]


def _known(moment: datetime | None) -> datetime:
    """A timestamp that the model allows to be empty but that this seeding has set: the
    activation of a registered person, the start of an active or ended pair, the end of a held
    meeting."""
    if moment is None:
        raise ValueError("a timestamp the seeding sets is missing")
    return moment


def _choice_values(question: Any) -> list[str]:
    return [c["value"] if isinstance(c, dict) else c for c in (question.choices or [])]


@contextmanager
def _explicit_timestamps() -> Iterator[None]:
    """auto_now / auto_now_add keep a value the seeder set (history in the past), instead of
    stamping every row with the seeding time."""
    from django.db.models import DateField, DateTimeField

    originals = {cls: cls.__dict__["pre_save"] for cls in (DateField, DateTimeField)}

    def keeping(original: Callable[..., Any]) -> Callable[..., Any]:
        def pre_save(self: Any, instance: Any, add: bool) -> Any:
            value = getattr(instance, self.attname)
            if (self.auto_now or self.auto_now_add) and value is not None:
                return value
            return original(self, instance, add)

        return pre_save

    for cls, original in originals.items():
        cls.pre_save = keeping(original)  # type: ignore[method-assign]
    try:
        yield
    finally:
        for cls, original in originals.items():
            cls.pre_save = original  # type: ignore[method-assign]


def _fill_template(schema: str, *, per_programme: int, user_ids: list[int], seed: int) -> dict:
    """One programme's life, written with bulk inserts in `schema`: participant ids 1…N+1
    (1 is the manager), pointing at placeholder users (re-pointed at each copy)."""
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from tenant_apps.matching.models import Match
    from tenant_apps.meetings.models import Meeting, MeetingNote, MeetingSlot
    from tenant_apps.mentoring.models import Goal, GoalTemplate, Message, Profile, ThreadState
    from tenant_apps.participants.models import Answer, Participant
    from tenant_apps.programs.models import ProgramSettings, Question
    from tenant_apps.programs.services import program_settings_initialise
    from tenant_apps.surveys.models import Announcement, Survey, SurveyInvitation, SurveyResponse

    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    year = now - timedelta(days=365)
    counts: dict[str, int] = {}
    with schema_context(schema), _explicit_timestamps():
        program_settings_initialise(allowed_email_domains=[EMAIL_DOMAIN])
        ProgramSettings.objects.filter(id=1).update(is_registration_open=True)
        jobs = [("rh", "Ressources humaines"), ("it", "Informatique"), ("gestion", "Gestion"),
                ("juridique", "Juridique"), ("relation", "Relation client")]  # fmt: skip
        skills = [("manager", "Manager une équipe"), ("carriere", "Évolution de carrière"),
                  ("projet", "Conduite de projet"), ("prise-parole", "Prise de parole"),
                  ("reseau", "Réseau"), ("temps", "Gestion du temps")]  # fmt: skip
        questions = [
            Question(key="metier", label="Votre métier", kind="single", criterion="same",
                     weight=2, audience="both", position=1, is_required=True,
                     show_on_profile=True,
                     choices=[{"value": v, "label": lab} for v, lab in jobs]),
            Question(key="sujets", label="Sujets que vous souhaitez travailler",
                     mentor_label="Sujets sur lesquels vous pouvez accompagner",
                     kind="multiple", criterion="covers", weight=3, audience="both",
                     position=2, show_on_profile=True,
                     choices=[{"value": v, "label": lab} for v, lab in skills]),
            Question(key="direction", label="Votre direction", kind="single", weight=0,
                     hard_rule="must_differ", is_sensitive=True, audience="both", position=3,
                     choices=[{"value": v, "label": v.title()} for v in ("nord", "sud", "est")]),
            Question(key="anciennete", label="Années d'expérience", kind="number",
                     criterion="distance", weight=1, audience="both", position=4),
        ]  # fmt: skip
        Question.objects.bulk_create(questions)

        # People: 1 manager, then mentees and mentors.
        mentees = round(per_programme * MENTEE_SHARE)
        people = [
            Participant(
                id=1, user_id=user_ids[0], role="manager", status="active",
                joined_via="invitation", capacity=1, created_at=year,
                activated_at=year + timedelta(hours=5),
                privacy_consent_at=year + timedelta(hours=5),
                last_active_at=now - timedelta(hours=rng.uniform(1, 72)),
            )
        ]  # fmt: skip
        for slot in range(2, per_programme + 2):
            role = "mentee" if slot - 2 < mentees else "mentor"
            joined = year + timedelta(days=rng.triangular(0, 330, 20))
            status = rng.choices(["active", "invited", "deactivated"], [90, 6, 4])[0]
            activated = (
                None if status == "invited" else joined + timedelta(hours=rng.uniform(1, 96))
            )
            people.append(
                Participant(
                    id=slot, user_id=user_ids[slot - 1], role=role, status=status,
                    joined_via=rng.choice(["invitation", "registration", "import"]),
                    capacity=rng.choice([1, 1, 2, 2, 3]) if role == "mentor" else 1,
                    created_at=joined, activated_at=activated, privacy_consent_at=activated,
                    deactivated_at=now - timedelta(days=rng.uniform(1, 60))
                    if status == "deactivated" else None,
                    last_active_at=now - timedelta(days=rng.expovariate(1 / 6))
                    if status == "active" else activated,
                )
            )  # fmt: skip
        Participant.objects.bulk_create(people)
        active = [p for p in people if p.status == "active" and p.role != "manager"]
        registered = [p for p in people if p.activated_at and p.role != "manager"]
        answers, profiles = [], []
        for person in registered:
            activated = _known(person.activated_at)
            values = [
                rng.choice(_choice_values(questions[0])),
                rng.sample(_choice_values(questions[1]), rng.randint(1, 3)),
                rng.choice(_choice_values(questions[2])),
                rng.randint(0, 30),
            ]
            answers += [
                Answer(participant=person, question=question, value=value,
                       updated_at=activated)
                for question, value in zip(questions, values, strict=True)
            ]  # fmt: skip
            if rng.random() < 0.8:
                profiles.append(
                    Profile(
                        participant=person, job_title=rng.choice(JOBS),
                        entity=rng.choice(ENTITIES),
                        languages=rng.sample(["fr", "en", "es", "de"], rng.randint(1, 2)),
                        bio=" ".join(rng.sample(SENTENCES, 2)), updated_at=activated,
                    )
                )  # fmt: skip
        Answer.objects.bulk_create(answers)
        Profile.objects.bulk_create(profiles)
        templates = GoalTemplate.objects.bulk_create(
            GoalTemplate(title=title, created_at=year) for title in GOALS[:3]
        )

        # Pairs: most active mentees get an active pair; some pairs ended; a few proposed.
        mentors = [p for p in active if p.role == "mentor"]
        places = [m for m in mentors for _ in range(m.capacity)]
        rng.shuffle(places)
        pairs: list[Match] = []
        for mentee in [p for p in active if p.role == "mentee"]:
            if not places or rng.random() > 0.88:
                continue
            mentor = places.pop()
            start = max(_known(mentee.activated_at), _known(mentor.activated_at)) + timedelta(
                days=rng.uniform(2, 20)
            )
            if start > now - timedelta(days=2):
                start = now - timedelta(days=2)
            ended = rng.random() < 0.15
            end = start + (now - start) * rng.uniform(0.4, 0.95) if ended else None
            pairs.append(
                Match(
                    mentee=mentee, mentor=mentor, status="ended" if ended else "active",
                    source=rng.choice(["batch", "batch", "manual", "request"]),
                    score=round(rng.triangular(30, 100, 75), 1), created_at=start,
                    activated_at=start, ended_at=end,
                    end_reason=rng.choice(["Objectifs atteints", "Changement de poste"])
                    if ended else "",
                )
            )  # fmt: skip
        unpaired = [p for p in active if p.role == "mentee" and all(m.mentee != p for m in pairs)]
        for mentee in unpaired[:2]:
            if mentors:
                pairs.append(
                    Match(mentee=mentee, mentor=rng.choice(mentors), status="proposed",
                          source="batch", score=round(rng.uniform(40, 90), 1),
                          created_at=now - timedelta(days=rng.uniform(0, 5)))
                )  # fmt: skip
        Match.objects.bulk_create(pairs)

        # A year of meetings: every 3–5 weeks from the start of each pair; the upcoming one.
        meetings: list[Meeting] = []
        for pair in pairs:
            if pair.status == "proposed":
                continue
            last = pair.ended_at or now
            moment = _known(pair.activated_at) + timedelta(days=rng.uniform(5, 15))
            while moment < last:
                start = moment.replace(minute=0, second=0) + timedelta(hours=rng.randint(8, 17))
                if start + timedelta(hours=2) > now:
                    break  # its outcome is not known yet: the upcoming meeting comes below
                status = rng.choices(STATUSES, [80, 5, 10, 5])[0]
                took_place = status in ("held", "not_held")
                cancelled = status == "cancelled"
                meetings.append(
                    Meeting(
                        match=pair, status=status,
                        proposed_by=rng.choice([pair.mentee, pair.mentor]),
                        starts_at=None if status == "declined" else start,
                        ends_at=None if status == "declined" else start + timedelta(hours=1),
                        confirmed_at=start - timedelta(days=4) if took_place else None,
                        cancelled_by=pair.mentee if cancelled else None,
                        cancelled_at=start - timedelta(days=1) if cancelled else None,
                        cancel_reason="Empêchement" if cancelled else "",
                        outcome_source="participant" if took_place else "",
                        outcome_at=start + timedelta(hours=2) if took_place else None,
                        next_steps=rng.choice(SENTENCES)
                        if status == "held" and rng.random() < 0.5 else "",
                        reminder_24h_sent_at=start - timedelta(hours=24) if took_place else None,
                        reminder_1h_sent_at=start - timedelta(hours=1) if took_place else None,
                        created_at=start - timedelta(days=6), updated_at=start + timedelta(hours=2),
                    )
                )  # fmt: skip
                moment += timedelta(days=rng.uniform(21, 35))
            if pair.status == "active" and rng.random() < 0.75:
                start = (now + timedelta(days=rng.uniform(0.1, 21))).replace(minute=0, second=0)
                confirmed = rng.random() < 0.7
                day_before = confirmed and start - now < timedelta(hours=24)
                hour_before = confirmed and start - now < timedelta(hours=1)
                meetings.append(
                    Meeting(
                        match=pair, status="confirmed" if confirmed else "proposed",
                        proposed_by=pair.mentee, starts_at=start if confirmed else None,
                        ends_at=start + timedelta(hours=1) if confirmed else None,
                        confirmed_at=now - timedelta(days=1) if confirmed else None,
                        reminder_24h_sent_at=now if day_before else None,
                        reminder_1h_sent_at=now if hour_before else None,
                        created_at=now - timedelta(days=2), updated_at=now - timedelta(days=1),
                    )
                )  # fmt: skip
        Meeting.objects.bulk_create(meetings, batch_size=2000)
        slots, notes = [], []
        for meeting in meetings:
            if meeting.status == "proposed":
                for offset in (2, 3, 5):
                    start = (now + timedelta(days=offset)).replace(minute=0, second=0)
                    slots.append(MeetingSlot(meeting=meeting, starts_at=start,
                                             ends_at=start + timedelta(hours=1)))  # fmt: skip
            elif meeting.status == "held" and rng.random() < 0.3:
                notes.append(
                    MeetingNote(meeting=meeting, author=meeting.match.mentee,
                                text=rng.choice(SENTENCES), updated_at=_known(meeting.ends_at))
                )  # fmt: skip
        MeetingSlot.objects.bulk_create(slots, batch_size=2000)
        MeetingNote.objects.bulk_create(notes, batch_size=2000)

        # Messages (a few around each meeting), read states, goals.
        messages, states, goals = [], [], []
        by_pair: dict[int, list[Meeting]] = {}
        for meeting in meetings:
            by_pair.setdefault(meeting.match_id, []).append(meeting)
        for pair in pairs:
            if pair.status == "proposed":
                continue
            activated = _known(pair.activated_at)
            last_message = activated
            for meeting in by_pair.get(pair.pk, []):
                around = meeting.starts_at or meeting.created_at
                for _ in range(rng.choice([1, 2, 2, 3, 4])):
                    at = around - timedelta(hours=rng.uniform(2, 120))
                    if activated < at < now:
                        messages.append(
                            Message(match=pair, author=rng.choice([pair.mentee, pair.mentor]),
                                    body=rng.choice(SENTENCES), created_at=at)
                        )  # fmt: skip
                        last_message = max(last_message, at)
            for person in (pair.mentee, pair.mentor):
                states.append(ThreadState(match=pair, participant=person, read_at=last_message,
                                          emailed_at=last_message))  # fmt: skip
            for index in range(rng.randint(1, 3)):
                template = rng.choice([None, *templates])
                goals.append(
                    Goal(match=pair, title=template.title if template else rng.choice(GOALS),
                         template=template,
                         status=rng.choice(["todo", "in_progress", "in_progress", "achieved",
                                            "abandoned"]),
                         target_date=(activated + timedelta(days=90 * (index + 1))).date(),
                         created_at=activated + timedelta(days=7),
                         updated_at=activated + timedelta(days=30))
                )  # fmt: skip
        Message.objects.bulk_create(messages, batch_size=2000)
        ThreadState.objects.bulk_create(states, batch_size=2000)
        Goal.objects.bulk_create(goals, batch_size=2000)

        # Surveys (the four built-in ones): invitations as the jobs would have sent them, and
        # the answers of about 60 % of the people asked.
        surveys = {s.kind: s for s in Survey.objects.select_related("question_set")}
        survey_questions = {
            kind: list(Question.objects.filter(question_set=s.question_set))
            for kind, s in surveys.items()
        }

        def answers_for(kind: str) -> dict[str, Any]:
            values: dict[str, Any] = {}
            for question in survey_questions.get(kind, []):
                if question.kind == "scale":
                    values[question.key] = rng.choices([1, 2, 3, 4, 5], [2, 4, 14, 40, 40])[0]
                elif question.kind == "nps":
                    values[question.key] = rng.choices(range(11), NPS_WEIGHTS)[0]
                elif question.kind in ("single", "multiple") and question.choices:
                    values[question.key] = rng.choice(_choice_values(question))
                elif question.kind == "text" and rng.random() < 0.3:
                    values[question.key] = rng.choice(SENTENCES)
            return values  # fmt: skip

        invitations, responses = [], []

        def ask(kind: str, person: Participant, occasion: str, at: datetime, **links: Any) -> None:
            survey = surveys.get(kind)
            if survey is None or at > now:
                return
            answered = rng.random() < 0.6
            answered_at = at + timedelta(hours=rng.uniform(1, 96)) if answered else None
            if answered_at and answered_at > now:
                answered_at = now
            invitations.append(
                SurveyInvitation(survey=survey, participant=person, occasion=occasion,
                                 created_at=at, last_sent_at=at,
                                 reminders_sent=0 if answered else 2,
                                 answered_at=answered_at, **links)
            )  # fmt: skip
            if answered_at:
                named = not survey.is_anonymous
                responses.append(
                    SurveyResponse(
                        survey=survey, role=person.role, answers=answers_for(kind),
                        participant=person if named else None,
                        match=links.get("match") if named else None,
                        meeting=links.get("meeting") if named else None,
                        submitted_on=answered_at.date()
                        if named else answered_at.date().replace(day=1),
                        submitted_at=answered_at if named else None,
                    )
                )  # fmt: skip

        for meeting in meetings:
            if meeting.status == "held":
                for person in (meeting.match.mentee, meeting.match.mentor):
                    ask("meeting", person, f"meeting:{meeting.pk}", _known(meeting.ends_at),
                        match=meeting.match, meeting=meeting)  # fmt: skip
        for pair in pairs:
            if pair.status == "proposed":
                continue
            activated, end = _known(pair.activated_at), pair.ended_at or now
            round_, day = 1, 30
            while activated + timedelta(days=day) < end:
                for person in (pair.mentee, pair.mentor):
                    ask("checkin", person, f"checkin:{pair.pk}:{round_}",
                        activated + timedelta(days=day), match=pair)  # fmt: skip
                round_, day = round_ + 1, day + 60
            if pair.ended_at:
                for person in (pair.mentee, pair.mentor):
                    ask("pair_end", person, f"pair_end:{pair.pk}", pair.ended_at, match=pair)
        SurveyInvitation.objects.bulk_create(invitations, batch_size=2000)
        SurveyResponse.objects.bulk_create(responses, batch_size=2000)
        Announcement.objects.bulk_create(
            Announcement(title=title, body=rng.choice(SENTENCES), audience=audience,
                         author=people[0], sent_at=year + timedelta(days=days),
                         recipients=len(active))
            for title, audience, days in [("Bienvenue dans le programme", "both", 10),
                                          ("Atelier des mentors", "mentor", 120),
                                          ("Point de mi-parcours", "both", 200)]
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        counts = {
            "participants": len(people) - 1, "pairs": len(pairs), "meetings": len(meetings),
            "messages": len(messages), "goals": len(goals), "invitations": len(invitations),
            "responses": len(responses), "answers": len(answers),
        }  # fmt: skip
    return counts


def _people(programmes: int, per_programme: int, seed: int) -> tuple[int, list[list[int]]]:
    """How many people, and for each programme the person (index) in each participant slot: a
    tenth of the people hold two slots, in two different programmes."""
    slots = programmes * per_programme
    people = round(slots / (1 + SHARED_SHARE))
    shared = slots - people
    rng = random.Random(seed)
    owners = list(range(people)) + list(range(shared))
    rng.shuffle(owners)
    grid = [owners[k * per_programme : (k + 1) * per_programme] for k in range(programmes)]
    for _round in range(100):  # a person twice in one programme: swap with another programme
        clashes = 0
        for k, row in enumerate(grid):
            seen: set[int] = set()
            for i, person in enumerate(row):
                if person in seen:
                    clashes += 1
                    other = rng.randrange(programmes)
                    j = rng.randrange(per_programme)
                    if other != k and grid[other][j] not in row and person not in grid[other]:
                        row[i], grid[other][j] = grid[other][j], row[i]
                seen.add(row[i])
        if not clashes:
            break
    return people, grid


def _seed_public(url: str, *, programmes: int, per_programme: int, log: Log) -> None:
    """Accounts (COPY), the slot map, the managers' devices, in one transaction."""
    import psycopg
    from django.contrib.auth.hashers import make_password

    people, grid = _people(programmes, per_programme, seed=2027)
    password = make_password(PASSWORD)
    rng = random.Random(5)
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        if scalar(cursor.execute("SELECT count(*) FROM public.bench_world_slot").fetchone()):
            return
        joined = datetime.now().astimezone() - timedelta(days=366)
        columns = ("email, first_name, last_name, password, is_active, is_staff, is_superuser, "
                   "date_joined, session_version")  # fmt: skip
        with cursor.copy(f"COPY public.accounts_user ({columns}) FROM STDIN") as copy:
            emails = [f"manager.p{k:04d}@{EMAIL_DOMAIN}" for k in range(1, programmes + 1)]
            emails += [f"person.{index:06d}@{EMAIL_DOMAIN}" for index in range(people)]
            for email in emails:
                copy.write_row(
                    (email, rng.choice(FIRST), rng.choice(LAST), password, True, False, False,
                     joined, 0)
                )  # fmt: skip
        ids: dict[str, int] = dict(
            cursor.execute(
                "SELECT email, id FROM public.accounts_user WHERE email LIKE %s",
                [f"%@{EMAIL_DOMAIN}"],
            ).fetchall()
        )
        with cursor.copy("COPY public.bench_world_slot FROM STDIN") as copy:
            for k in range(1, programmes + 1):
                copy.write_row((k, 1, ids[f"manager.p{k:04d}@{EMAIL_DOMAIN}"]))
                for slot, person in enumerate(grid[k - 1], start=2):
                    copy.write_row((k, slot, ids[f"person.{person:06d}@{EMAIL_DOMAIN}"]))
        cursor.execute(
            "INSERT INTO public.otp_totp_totpdevice (user_id, name, confirmed, key, step, t0, "
            "digits, tolerance, drift, last_t, throttling_failure_timestamp, "
            "throttling_failure_count) "
            "SELECT id, 'world', true, %s, 30, 0, 6, 1, 0, -1, NULL, 0 FROM public.accounts_user "
            "WHERE email LIKE %s",
            [MANAGER_TOTP_KEY, f"manager.p%@{EMAIL_DOMAIN}"],
        )
    log(
        f"  public: {people + programmes} accounts ({people} people, "
        f"{len(grid) * per_programme - people} in a second programme, {programmes} managers) "
        f"in {time.perf_counter() - started:.1f} s"
    )


def _templates(url: str, *, variants: int, per_programme: int, log: Log) -> list[str]:
    """The filled template schemas (world_tpl_0…): one migrated, the others copied from it
    empty, each filled with its own seed."""
    import psycopg
    from django.db import connection

    from tenants.models import Program

    names = [f"world_tpl_{v}" for v in range(variants)]
    with psycopg.connect(url) as conn:
        done = {
            row[0]
            for row in conn.execute(
                "SELECT key FROM public.bench_world_meta WHERE key LIKE 'template:%'"
            ).fetchall()
        }
        user_ids = [
            row[0]
            for row in conn.execute(
                "SELECT user_id FROM public.bench_world_slot WHERE programme = 1 ORDER BY slot"
            ).fetchall()
        ]
    for v, name in enumerate(names):
        if f"template:{name}" in done:
            continue
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        if v == 0:
            Program(schema_name=name, status=Program.Status.SPARE).create_schema(
                check_if_exists=True, verbosity=0
            )
        else:
            with connection.cursor() as cursor:  # an empty copy of the migrated template 0
                cursor.execute("SELECT bench_world_clone(%s, %s, 0)", [names[0] + "_empty", name])
        if v == 0:  # keep an empty migrated copy to start the other templates from
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{name}_empty" CASCADE')
                cursor.execute("SELECT bench_world_clone(%s, %s, 0)", [name, name + "_empty"])
        counts = _fill_template(name, per_programme=per_programme, user_ids=user_ids, seed=v)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO public.bench_world_meta VALUES (%s, %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [f"template:{name}", repr(counts)],
            )
        log(f"  template {name}: {counts} in {time.perf_counter() - started:.1f} s")
    return names


def _clone_worker(args: tuple[str, list[list[int]], list[str], str, int]) -> float:
    """Copy programmes (a list of batches of indexes) from the templates, one transaction per
    batch: schemas, rows, memberships, logins, then the programmes marked ready."""
    import psycopg

    url, batches, templates, base_domain, worker = args
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.commit()
        for batch in batches:
            with conn.transaction(), conn.cursor() as cursor:
                for k in batch:
                    schema = schema_name(k)
                    host = programme_host(k, base_domain)
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                    cursor.execute(
                        "SELECT bench_world_clone(%s, %s, %s)",
                        [templates[k % len(templates)], schema, k],
                    )
                    program_id = scalar(
                        cursor.execute(
                            "SELECT id FROM public.tenants_program WHERE schema_name = %s",
                            [schema],
                        ).fetchone()
                    )
                    cursor.execute(
                        f"INSERT INTO public.accounts_programmembership "
                        f"(user_id, program_id, is_active, created_at) "
                        f"SELECT user_id, %s, status = 'active', created_at "
                        f'FROM "{schema}".participants_participant',
                        [program_id],
                    )
                    cursor.execute(
                        f"INSERT INTO public.bench_world_login (host, email, role) "
                        f"SELECT %s, u.email, p.role FROM "
                        f'"{schema}".participants_participant p '
                        f"JOIN public.accounts_user u ON u.id = p.user_id "
                        f"WHERE p.status = 'active'",
                        [host],
                    )
                    cursor.execute(
                        "INSERT INTO public.tenants_domain (domain, tenant_id, is_primary) "
                        "VALUES (%s, %s, true)",
                        [host, program_id],
                    )
                    cursor.execute(
                        "UPDATE public.tenants_program SET status = 'ready', ready_at = now(), "
                        "status_changed_at = now() WHERE id = %s",
                        [program_id],
                    )
            print(f"    worker {worker}: programmes {batch[0]}–{batch[-1]} ready",
                  file=sys.stderr, flush=True)  # fmt: skip
    return time.perf_counter() - started


def templates_drop(*, log: Log = _stderr) -> None:
    """Drop the template schemas once every programme is copied: their participants point at
    real accounts (the first programme's people), which no membership lists — left behind,
    they would keep an erased account referenced."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'world_tpl_%%'")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{name}" CASCADE')
        cursor.execute("DELETE FROM public.bench_world_meta WHERE key LIKE 'template:%%'")
    log("  template schemas dropped")


def world_seed(
    url: str,
    *,
    programmes: int = 1000,
    per_programme: int = 50,
    variants: int = 8,
    workers: int = 2,
    base_domain: str = BASE_DOMAIN,
    log: Log = _stderr,
) -> dict[str, Any]:
    """Seed (or finish seeding) the world in the database at `url`, Django already set up on
    it (django_setup). Returns what was measured."""
    import multiprocessing

    from django.core.management import call_command
    from django.db import connection, connections

    from bench.provisioning import clone_batch_size
    from tenants.models import Client, Program

    timings: dict[str, Any] = {}
    started = time.perf_counter()
    call_command("migrate_schemas", shared=True, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(META_SQL)
        cursor.execute(CLONE_SQL)
        cursor.execute(
            "INSERT INTO public.bench_world_meta VALUES ('base_domain', %s), "
            "('programmes', %s), ('per_programme', %s) ON CONFLICT (key) DO NOTHING",
            [base_domain, str(programmes), str(per_programme)],
        )
    timings["public_s"] = time.perf_counter() - started
    log(f"  public schema migrated in {timings['public_s']:.1f} s")

    step = time.perf_counter()
    _seed_public(url, programmes=programmes, per_programme=per_programme, log=log)
    timings["people_s"] = time.perf_counter() - step

    step = time.perf_counter()
    templates = _templates(url, variants=variants, per_programme=per_programme, log=log)
    timings["templates_s"] = time.perf_counter() - step

    # The programmes' rows in public (provisioning until their schema is copied).
    client, _ = Client.objects.get_or_create(name="World")
    existing = set(Program.objects.filter(slug__startswith="p").values_list("slug", flat=True))
    Program.objects.bulk_create(
        [
            Program(
                schema_name=schema_name(k), client=client, name=f"Programme {k:04d}",
                slug=f"p{k:04d}", status=Program.Status.PROVISIONING,
                first_manager_email=f"manager.p{k:04d}@{EMAIL_DOMAIN}",
            )
            for k in range(1, programmes + 1)
            if f"p{k:04d}" not in existing
        ],
        batch_size=1000,
    )  # fmt: skip
    todo = list(
        Program.objects.filter(
            status=Program.Status.PROVISIONING, slug__startswith="p", client=client
        )
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    todo_indexes = [int(slug[1:]) for slug in todo]
    with connection.cursor() as cursor:
        batch = clone_batch_size(cursor, templates[0])
    workers = max(1, min(workers, 8))
    batch = max(1, batch // workers)  # the lock table is shared by the workers
    log(f"  copying {len(todo_indexes)} programmes: {batch} per transaction, {workers} workers")
    step = time.perf_counter()
    if todo_indexes:
        batches = [todo_indexes[i : i + batch] for i in range(0, len(todo_indexes), batch)]
        shares = [(url, batches[w::workers], templates, base_domain, w) for w in range(workers)]
        connections.close_all()
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            pool.map(_clone_worker, shares)
    timings["copy_s"] = time.perf_counter() - step
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE public.accounts_user")
        cursor.execute("ANALYZE public.accounts_programmembership")
        cursor.execute("ANALYZE public.bench_world_login")
        cursor.execute(
            "INSERT INTO public.bench_world_meta VALUES ('complete', 'yes') "
            "ON CONFLICT (key) DO UPDATE SET value = 'yes'"
        )
        cursor.execute("SELECT count(*) FROM pg_class")
        timings["pg_class"] = cursor.fetchone()[0]
    log(f"  copied in {timings['copy_s']:.1f} s; pg_class rows: {timings['pg_class']}")
    templates_drop(log=log)
    timings["seconds"] = time.perf_counter() - started
    return timings


def password_refresh(url: str, *, log: Log = _stderr) -> bool:
    """Every account of the world shares one password hash (made at seeding): when it no longer
    has the configured hasher's algorithm and parameters (Django's `must_update`), make it again
    and store it on every account in one UPDATE. Django configured (django_setup). Returns
    whether it was refreshed."""
    import psycopg
    from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password

    pattern = f"%@{EMAIL_DOMAIN}"
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT password FROM public.accounts_user WHERE email LIKE %s ORDER BY id LIMIT 1",
            [pattern],
        ).fetchone()
        if row is None:
            return False
        preferred = get_hasher()
        if identify_hasher(row[0]).algorithm == preferred.algorithm and not (
            preferred.must_update(row[0])
        ):
            return False
        started = time.perf_counter()
        updated = conn.execute(
            "UPDATE public.accounts_user SET password = %s WHERE email LIKE %s",
            [make_password(PASSWORD), pattern],
        ).rowcount
    log(
        f"  accounts' password re-hashed with {preferred.algorithm} at this checkout's parameters"
        f" ({updated} accounts, one UPDATE, {time.perf_counter() - started:.1f} s)"
    )
    return True


def world_ensure(
    programmes: int = 1000,
    *,
    per_programme: int = 50,
    database: str = WORLD_DB,
    fresh: bool = False,
    variants: int = 8,
    workers: int = 2,
    base_domain: str = BASE_DOMAIN,
    stack: ExitStack | None = None,
    log: Log = _stderr,
) -> str:
    """The URL of a complete world of this size, seeded in a subprocess when it is missing
    (so the caller's process can configure Django its own way afterwards)."""
    import subprocess

    url = world_url(database, stack=stack, fresh=fresh)
    info = world_info(url)
    server = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    server_env = {**os.environ, "DATABASE_URL": server}
    if (
        info.get("complete") == "yes"
        and info.get("programmes") == str(programmes)
        and info.get("per_programme") == str(per_programme)
    ):
        # A world kept from an older checkout: bring every schema to this code's migrations
        # (seconds when nothing is due: the fingerprints skip the schemas at the head), else
        # its pages would fail on a missing column and count as errors.
        log("  world kept: migrate_schemas to this checkout's head…")
        subprocess.run(
            [sys.executable, "manage.py", "migrate_schemas", "-v", "0"],
            check=True,
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "saas.settings.dev"},
        )
        # and the accounts' one hash to this checkout's hasher: otherwise every first sign-in
        # of a run would verify the old parameters' hash and re-hash (one write per account),
        # and the run would measure neither the old cost nor the new one.
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--database", database,
             "--programmes", str(programmes), "--participants", str(per_programme),
             "--base-domain", base_domain, "--password-refresh"],
            check=True,
            env=server_env,
        )  # fmt: skip
        return url
    command = [sys.executable, str(Path(__file__).resolve()), "--database", database,
               "--programmes", str(programmes), "--participants", str(per_programme),
               "--variants", str(variants), "--workers", str(workers),
               "--base-domain", base_domain]  # fmt: skip
    subprocess.run(command, check=True, env=server_env)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programmes", type=int, default=1000)
    parser.add_argument("--participants", type=int, default=50, help="per programme")
    parser.add_argument("--database", default=WORLD_DB)
    parser.add_argument("--base-domain", default=BASE_DOMAIN)
    parser.add_argument("--variants", type=int, default=8, help="template schemas (seeds)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep a complete world (default)")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument(
        "--password-refresh",
        action="store_true",
        help="only re-hash the accounts' password when the configured hasher's parameters changed",
    )
    args = parser.parse_args()
    if args.password_refresh:
        with ExitStack() as stack:
            url = world_url(args.database, stack=stack)
            django_setup(url, base_domain=args.base_domain)
            password_refresh(url)
        return

    with ExitStack() as stack:
        started = time.perf_counter()
        url = world_url(args.database, stack=stack, fresh=args.fresh)
        info = world_info(url)
        if info and info.get("programmes") != str(args.programmes):
            sys.exit(
                f"{args.database} holds a world of {info.get('programmes')} programmes: "
                "use --fresh or another --database"
            )
        if info.get("complete") == "yes":
            _stderr(f"  {args.database}: complete world kept (--fresh to seed again)")
        else:
            django_setup(url, base_domain=args.base_domain)
            timings = world_seed(
                url, programmes=args.programmes, per_programme=args.participants,
                variants=args.variants, workers=args.workers, base_domain=args.base_domain,
            )  # fmt: skip
            print(
                "timings: " + ", ".join(
                    f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in timings.items()
                )
            )  # fmt: skip
        print(
            f"world programmes={args.programmes} participants={args.programmes * args.participants}"
            f" seconds={time.perf_counter() - started:.1f}"
        )


if __name__ == "__main__":
    main()
