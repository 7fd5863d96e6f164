"""Dashboard benchmark — not a test. The manager's dashboard of a programme with 5,000
participants, 2,500 pairs and 20,000 meetings, rendered through Django's test client.

    .venv/bin/python bench/dashboard.py [--renders 15]

Uses DATABASE_URL's server (database `binome_bench_dash`, dropped and re-created) or an
embedded PostgreSQL. One programme is provisioned with the real service, then seeded with bulk
inserts (`tenant_apps.outcomes.demo.outcomes_seed`: 3,000 mentees and 2,000 mentors over a
year, answers to a reporting dimension, 2,500 pairs, 20,000 meetings, and with them about
13,000 messages and 16,000 survey answers — meeting ratings, named check-ins, recommendations);
its manager logs in through the login page and the second-factor page; the dashboard (last
365 days, broken down by the dimension) is requested `--renders` times after one warm-up. Last line:

    dashboard participants=5000 median_ms=<median> queries=<n> snapshot_programmes=n/a \
        snapshot_s=n/a

(on one line; the snapshot half of issue 14's bench is added by the client-view work).
"""

import argparse
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provisioning import bench_programme  # noqa: E402

BENCH_DB = "binome_bench_dash"
PASSWORD = "bench-dashboard-password-2027"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=15)
    parser.add_argument(
        "--snapshot-programmes",
        type=int,
        default=1000,
        help="then the snapshot job over this many programmes (bench/snapshots.py); 0: skip",
    )
    parser.add_argument("--snapshot-runs", type=int, default=3)
    args = parser.parse_args()
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    with ExitStack() as stack:
        program, manager = bench_programme(stack, BENCH_DB, manager_password=PASSWORD)
        from django.test import Client as HttpClient
        from django_tenants.utils import tenant_context

        from saas.core.tenancy import connection
        from shared_apps.accounts.otp import recovery_codes_generate
        from tenant_apps.outcomes.demo import outcomes_seed
        from tenant_apps.participants.models import Participant
        from tenant_apps.participants.services import participant_add
        from tenant_apps.programs.models import Question

        log("seeding 5,000 participants, 2,500 pairs, 20,000 meetings…")
        started = time.perf_counter()
        with tenant_context(program):
            participant_add(user=manager, role=Participant.Role.MANAGER)
            Question.objects.create(
                key="branch", label="Branch", kind="single", audience="both", is_required=True,
                choices=[{"value": f"b{i}", "label": f"Branch {i}"} for i in range(6)],
            )  # fmt: skip
            added = outcomes_seed(
                domain="bench.example", mentees=3000, mentors=2000, pairs=2500,
                meetings=20000, days=365, dimension_key="branch",
            )  # fmt: skip
            connection.cursor().execute("ANALYZE")
        log(f"  seeded {added} participants in {time.perf_counter() - started:.1f} s")
        connection.set_schema_to_public()
        code = recovery_codes_generate(user=manager)[0]
        http = HttpClient(HTTP_HOST=program.host)
        assert (
            http.post("/connexion/", {"username": manager.email, "password": PASSWORD}).status_code
            == 302
        )
        assert http.post("/compte/verification/", {"token": code}).status_code == 302
        params = {"days": "365", "dimension": "branch"}
        assert http.get("/espace/", params).status_code == 200  # warm-up
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = http.get("/espace/", params)
        assert response.status_code == 200
        assert b"Programme dashboard" in response.content or b"Tableau de bord" in response.content
        times = []
        for _index in range(args.renders):
            started = time.perf_counter()
            response = http.get("/espace/", params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(f"renders: min {min(times):.0f} ms, max {max(times):.0f} ms")
        snapshot = "snapshot_programmes=n/a snapshot_s=n/a"
        if args.snapshot_programmes:
            # The same database: the dashboard's programme plus N programmes cloned with data.
            from bench.snapshots import create_programmes, run_snapshots

            log(f"creating {args.snapshot_programmes} programmes for the snapshot job…")
            create_programmes(args.snapshot_programmes, log=log)
            programmes, seconds = run_snapshots(runs=args.snapshot_runs, log=log)
            snapshot = f"snapshot_programmes={programmes} snapshot_s={seconds:.2f}"
        print(
            f"dashboard participants={added} median_ms={statistics.median(times):.0f} "
            f"queries={len(queries)} {snapshot}"
        )


if __name__ == "__main__":
    main()
