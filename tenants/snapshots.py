"""Per-programme statistics snapshots (issue 14): a job reads each programme's schema and
writes its key figures, one `ProgramSnapshot` row per programme per day, in `public`. The
client administrator's page and the console's platform totals read only these rows: no
request of theirs ever enters a programme schema.

*Active participant* (docs/architecture.md, "Programme outcomes"): a mentor or mentee whose
status is active and who signed in (`Participant.last_active_at`) or had a meeting held in the
last `ACTIVE_DAYS` days.

`program_figures()` is the collector: a few aggregate queries in the current schema. It is
the one function to swap for the dashboard's `program_kpis(...)` when that lands; the job and
the pages only rely on the keys of `FIGURES`."""

import time
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from audit.log import audit_record, audited
from saas.core.tenancy import connection
from tenant_apps.matching.models import Match
from tenant_apps.meetings.models import Meeting
from tenant_apps.participants.models import Participant
from tenants.models import Program, ProgramSnapshot

ACTIVE_DAYS = 90

# The snapshot's figures, in the order the pages show them.
FIGURES = (
    "registered",
    "active",
    "mentors",
    "mentees",
    "matched_mentees",
    "matched_rate",
    "pairs_active",
    "pairs_ended",
    "meetings_held_month",
    "meetings_held_period",
)

# Programmes that hold data: a snapshot is taken of each of them.
SNAPSHOT_STATUSES = (Program.Status.READY, Program.Status.PAUSED, Program.Status.ARCHIVED)


def month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def program_figures(*, now: datetime) -> dict[str, int]:
    """The key figures of the programme whose schema is current (three queries).

    - registered: mentors and mentees whose status is active (invited, deactivated and erased
      people are not counted); mentors / mentees split them;
    - active: registered people who signed in or had a meeting held in the last 90 days;
    - matched_mentees: registered mentees in an active pair; matched_rate: the same in percent
      of registered mentees (0 when there are none);
    - pairs_active / pairs_ended: pairs by status (proposals are not pairs yet);
    - meetings_held_month: meetings held since the 1st of this month (Europe/Paris), started
      before `now`; meetings_held_period: held in the last 90 days."""
    since = now - timedelta(days=ACTIVE_DAYS)
    held = Meeting.objects.filter(status=Meeting.Status.HELD, starts_at__lte=now)
    met_recently = held.filter(starts_at__gte=since).filter(
        Q(match__mentee=OuterRef("pk")) | Q(match__mentor=OuterRef("pk"))
    )
    in_active_pair = Match.objects.filter(status=Match.Status.ACTIVE, mentee=OuterRef("pk"))
    people = (
        Participant.objects.filter(
            status=Participant.Status.ACTIVE,
            role__in=[Participant.Role.MENTOR, Participant.Role.MENTEE],
        )
        .annotate(met=Exists(met_recently), paired=Exists(in_active_pair))
        .aggregate(
            registered=Count("pk"),
            active=Count("pk", filter=Q(last_active_at__gte=since) | Q(met=True)),
            mentors=Count("pk", filter=Q(role=Participant.Role.MENTOR)),
            mentees=Count("pk", filter=Q(role=Participant.Role.MENTEE)),
            matched_mentees=Count("pk", filter=Q(role=Participant.Role.MENTEE, paired=True)),
        )
    )
    pairs = Match.objects.aggregate(
        pairs_active=Count("pk", filter=Q(status=Match.Status.ACTIVE)),
        pairs_ended=Count("pk", filter=Q(status=Match.Status.ENDED)),
    )
    meetings = held.aggregate(
        meetings_held_month=Count("pk", filter=Q(starts_at__gte=month_start(now))),
        meetings_held_period=Count("pk", filter=Q(starts_at__gte=since)),
    )
    figures = {**people, **pairs, **meetings}
    mentees = figures["mentees"]
    figures["matched_rate"] = round(100 * figures["matched_mentees"] / mentees) if mentees else 0
    return {key: int(figures[key]) for key in FIGURES}


def _programs_to_snapshot(program_ids: list[int] | None) -> list[Program]:
    programs = Program.objects.filter(status__in=SNAPSHOT_STATUSES).exclude(
        schema_name=get_public_schema_name()
    )
    if program_ids is not None:
        programs = programs.filter(pk__in=program_ids)
    return list(programs.only("pk", "schema_name").order_by("pk"))


@audited
def snapshots_take(
    *, program_ids: list[int] | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Read every programme that holds data (or only `program_ids`) and write today's snapshot
    of each, replacing one already taken today (idempotent: run it twice, same rows). Runs
    from the public schema; each programme is read inside `schema_context`, the rows are
    written in `public` in batches. Returns {"programmes": n, "seconds": s}."""
    started = time.monotonic()
    now = now or timezone.now()
    day = timezone.localdate(now)
    programs = _programs_to_snapshot(program_ids)
    rows: list[ProgramSnapshot] = []
    for program in programs:
        with schema_context(program.schema_name):
            figures = program_figures(now=now)
        rows.append(
            ProgramSnapshot(program_id=program.pk, day=day, figures=figures, computed_at=now)
        )
    connection.set_schema_to_public()
    for start in range(0, len(rows), 500):
        ProgramSnapshot.objects.bulk_create(
            rows[start : start + 500],
            update_conflicts=True,
            unique_fields=["program", "day"],
            update_fields=["figures", "computed_at"],
        )
    audit_record(action="snapshots.taken", details={"programmes": len(rows), "day": str(day)})
    return {"programmes": len(rows), "seconds": round(time.monotonic() - started, 3)}
