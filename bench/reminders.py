"""Meetings fan-out benchmark — not a test. How long the beat job of meetings (every 5 minutes)
takes to find the programmes with something due, over N programme schemas.

    .venv/bin/python bench/reminders.py [--programmes 1000] [--reuse binome_bench_migrations]

Uses DATABASE_URL's server (database `binome_bench_reminders`, dropped and re-created, the N
programmes cloned as in bench/provisioning.py) or an embedded PostgreSQL; `--reuse NAME` reads
an existing benchmark database instead (e.g. the one bench/migrations.py leaves). Times
`programmes_with_meetings_due` (one EXISTS per schema, UNION ALL of DUE_BATCH schemas per
query) with nothing due anywhere — the usual case — 5 times. Before, the job sent one task per
open programme instead: N tasks every 5 minutes, each opening its schema for one query.

Last line: `reminders programmes=<N> fanout_s=<median> tasks_per_day_before=<N*288>`
"""

import argparse
import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provisioning import bench_database, bench_django, create_existing  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programmes", type=int, default=1000)
    parser.add_argument("--reuse", metavar="DATABASE")
    args = parser.parse_args()
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    with ExitStack() as stack:
        if args.reuse:
            parts = urlsplit(os.environ["DATABASE_URL"])
            os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{args.reuse}"))
        else:
            os.environ["DATABASE_URL"] = bench_database(stack, "binome_bench_reminders")
        bench_django(os.environ["DATABASE_URL"])
        from django.core.management import call_command

        from tenant_apps.meetings.tasks import DUE_BATCH, programmes_with_meetings_due
        from tenants.models import Program

        if not args.reuse:
            call_command("migrate_schemas", shared=True, verbosity=0)
            create_existing(args.programmes, log=log, client_name="Bench programmes")
        programmes = Program.objects.filter(status=Program.Status.READY).exclude(
            schema_name="public"
        )
        count = programmes.count()
        times, found = [], []
        for _ in range(5):
            started = time.perf_counter()
            found = programmes_with_meetings_due()
            times.append(time.perf_counter() - started)
        log(f"  {count} programmes, {DUE_BATCH} per query: " + ", ".join(f"{t:.3f}" for t in times))
        assert found == [], found
        print(
            f"reminders programmes={count} fanout_s={statistics.median(times):.3f} "
            f"tasks_per_day_before={count * 288}"
        )


if __name__ == "__main__":
    main()
