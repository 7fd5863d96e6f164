"""Snapshot benchmark — not a test. How long the statistics snapshot job (issue 14,
`tenants.snapshots.snapshots_take`, the nightly beat task) takes over N programmes, each a
real schema with every table, index and constraint and some data (50 people, 20 pairs, 60
meetings), so that each programme's three aggregate queries have rows to read.

    .venv/bin/python bench/snapshots.py [--programmes 1000] [--runs 3]

Uses DATABASE_URL's server (database `binome_bench_snapshots` or $BENCH_DB, dropped and
re-created) or an embedded
PostgreSQL, as bench/provisioning.py does (same schema copy: `CREATE TABLE … (LIKE … INCLUDING
ALL)` + foreign keys; here the data rows of the template are copied too). Schemas are created
10 per transaction (stock max_locks_per_transaction = 64). `run_snapshots()` can be called by
the dashboard bench. Last line:

    snapshot_programmes=<N> snapshot_s=<median of the runs>
"""

import argparse
import os
import statistics
import sys
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bench.provisioning as provisioning  # noqa: E402
from bench.provisioning import CLONE_SQL, Log, bench_database, bench_django  # noqa: E402

# Its own database (not bench/provisioning.py's), so that two benches never drop each other's.
provisioning.BENCH_DB = os.environ.get("BENCH_DB", "binome_bench_snapshots")

PEOPLE, PAIRS, MEETINGS = 50, 20, 60
DATA_TABLES = ("participants_participant", "matching_match", "meetings_meeting")


def _fill_template(schema: str) -> None:
    """People, pairs and meetings in the template schema (copied into every programme)."""
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from shared_apps.accounts.models import User
    from tenant_apps.matching.models import Match
    from tenant_apps.meetings.models import Meeting
    from tenant_apps.participants.models import Participant

    now = timezone.now()
    users = User.objects.bulk_create(User(email=f"bench{i}@bench.example") for i in range(PEOPLE))
    with schema_context(schema):
        people = Participant.objects.bulk_create(
            Participant(
                user=user,
                role=Participant.Role.MENTOR if i % 2 else Participant.Role.MENTEE,
                status=Participant.Status.ACTIVE,
                last_active_at=now - timedelta(days=i * 3),
            )
            for i, user in enumerate(users)
        )
        mentees, mentors = people[0::2], people[1::2]
        pairs = Match.objects.bulk_create(
            Match(
                mentee=mentees[i],
                mentor=mentors[i],
                status=Match.Status.ACTIVE if i % 4 else Match.Status.ENDED,
            )
            for i in range(PAIRS)
        )
        Meeting.objects.bulk_create(
            Meeting(
                match=pairs[i % PAIRS],
                proposed_by=pairs[i % PAIRS].mentee,
                status=Meeting.Status.HELD if i % 3 else Meeting.Status.CANCELLED,
                starts_at=now - timedelta(days=i * 2),
                ends_at=now - timedelta(days=i * 2) + timedelta(hours=1),
            )
            for i in range(MEETINGS)
        )


def create_programmes(count: int, *, log: Log) -> None:
    from django.db import transaction

    from saas.core.tenancy import connection
    from tenants.models import Client, Domain, Program
    from tenants.services import schema_name_generate

    client = Client.objects.create(name="Snapshot bench")
    template = Program(schema_name="bench_template", status=Program.Status.SPARE)
    template.create_schema(check_if_exists=True, verbosity=0)
    _fill_template("bench_template")
    with connection.cursor() as cursor:
        cursor.execute(CLONE_SQL)
    started = time.perf_counter()
    batch = 10  # stock max_locks_per_transaction = 64, shared with other sessions
    for first in range(0, count, batch):
        with transaction.atomic():
            programs = []
            for index in range(first, min(first + batch, count)):
                name = schema_name_generate()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT bench_copy_schema(%s, %s)", ["bench_template", name])
                    for table in DATA_TABLES:
                        cursor.execute(
                            f'INSERT INTO "{name}"."{table}" SELECT * FROM bench_template."{table}"'
                        )
                programs.append(
                    Program(
                        schema_name=name,
                        client=client,
                        name=f"Programme {index}",
                        slug=f"snap-{index}",
                        status=Program.Status.READY,
                    )
                )
            Program.objects.bulk_create(programs)
            Domain.objects.bulk_create(
                Domain(domain=p.host, tenant=p, is_primary=True) for p in programs
            )
        log(f"  {min(first + batch, count)}/{count} programmes")
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA bench_template CASCADE")
    log(f"  created in {time.perf_counter() - started:.1f} s")


def run_snapshots(*, runs: int = 3, log: Log = print) -> tuple[int, float]:
    """Run the snapshot job `runs` times over every programme; (programmes, median seconds)."""
    from tenants.models import ProgramSnapshot
    from tenants.snapshots import snapshots_take

    times, programmes = [], 0
    for run in range(runs):
        started = time.perf_counter()
        result = snapshots_take()
        times.append(time.perf_counter() - started)
        programmes = result["programmes"]
        log(f"  run {run + 1}: {programmes} programmes in {times[-1]:.2f} s")
    sample = ProgramSnapshot.objects.order_by("program_id").first()
    log(f"  one snapshot: {sample.figures if sample else None}")
    return programmes, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programmes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    with ExitStack() as stack:
        bench_django(bench_database(stack))
        from django.core.management import call_command

        call_command("migrate_schemas", shared=True, verbosity=0)
        log(f"creating {args.programmes} programmes…")
        create_programmes(args.programmes, log=log)
        programmes, seconds = run_snapshots(runs=args.runs, log=log)
        print(f"snapshot_programmes={programmes} snapshot_s={seconds:.2f}")


if __name__ == "__main__":
    main()
