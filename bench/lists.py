"""Lists benchmark — not a test. The manager's list of participants with 5, 50 and 500
participants in the programme, and the super-admin's list of ~1,000 programmes, rendered
through Django's test client: time, size of the HTML and number of queries (issue 17.4).

    .venv/bin/python bench/lists.py [--renders 15] [--programmes 1000]

Uses DATABASE_URL's server (database `binome_bench_lists`, dropped and re-created) or an
embedded PostgreSQL. One programme is provisioned with the real service; its participants are
written with bulk inserts (tests/crowd.py: answers, pairs, meetings, messages, audit rows) up to
each size; the manager logs in through the login and second-factor pages; the list is
requested `--renders` times after one warm-up, the median kept. The programmes of the console
are rows of `public` only (what its list reads), bulk-inserted. Last line:

    lists participants=500 page_ms=<median> page_kb=<size> queries=<n> \
        console_programmes=<n> console_ms=<median> console_kb=<size>

(on one line).
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

BENCH_DB = "binome_bench_lists"
PASSWORD = "bench-lists-password-2027"


def _measure(http, url: str, renders: int) -> tuple[float, float, int]:
    """(median ms, KB, queries) of `url`, after one warm-up."""
    from saas.core.tenancy import connection

    assert http.get(url).status_code == 200, url
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = http.get(url)
    size = len(response.content) / 1024
    times = []
    for _index in range(renders):
        started = time.perf_counter()
        response = http.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    connection.set_schema_to_public()
    return statistics.median(times), size, len(queries)


def _logged_in(host: str, email: str):
    from django.test import Client as HttpClient

    from saas.core.tenancy import connection
    from shared_apps.accounts.otp import recovery_codes_generate
    from shared_apps.accounts.selectors import user_by_email

    connection.set_schema_to_public()
    user = user_by_email(email=email)
    assert user is not None, email
    code = recovery_codes_generate(user=user)[0]
    http = HttpClient(HTTP_HOST=host)
    response = http.post("/connexion/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    assert http.post("/compte/verification/", {"token": code}).status_code == 302
    return http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=15)
    parser.add_argument("--programmes", type=int, default=1000)
    args = parser.parse_args()
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    with ExitStack() as stack:
        program, manager = bench_programme(stack, BENCH_DB, manager_password=PASSWORD)
        from django.conf import settings
        from django_tenants.utils import tenant_context

        from saas.core.tenancy import connection
        from shared_apps.accounts.models import User
        from tenant_apps.participants.models import Participant
        from tenant_apps.participants.services import participant_add
        from tenants.models import Client, Domain, Program
        from tests.crowd import crowd_add

        User.objects.create_user(email="staff@bench.example", password=PASSWORD, is_staff=True)
        with tenant_context(program):
            participant_add(user=manager, role=Participant.Role.MANAGER)
        connection.set_schema_to_public()
        http = _logged_in(program.host, manager.email)
        lines = []
        for size in (5, 50, 500):
            with tenant_context(program):
                have = Participant.objects.count()
                crowd_add(program=program, count=size - have, first=have)
                connection.cursor().execute("ANALYZE")
            connection.set_schema_to_public()
            ms, kb, queries = _measure(http, "/gestion/participants/", args.renders)
            lines.append((size, ms, kb, queries))
            print(
                f"participants={size}: /gestion/participants/ {ms:.1f} ms, {kb:.1f} KB, "
                f"{queries} queries"
            )
        log(f"creating {args.programmes} programme rows for the console…")
        clients = Client.objects.bulk_create(
            Client(name=f"Organisation {i:03d}") for i in range(max(1, args.programmes // 10))
        )
        programs = Program.objects.bulk_create(
            Program(
                schema_name=f"bench_list_{i}",
                client=clients[i % len(clients)],
                name=f"Programme {i:04d}",
                slug=f"liste-{i}",
                status=Program.Status.READY,
            )
            for i in range(args.programmes)
        )
        Domain.objects.bulk_create(
            Domain(domain=p.host, tenant=p, is_primary=True) for p in programs
        )
        console = _logged_in(settings.BASE_DOMAIN, "staff@bench.example")
        shown = Program.objects.exclude(schema_name="public").count()
        console_ms, console_kb, console_queries = _measure(console, "/console/", args.renders)
        print(
            f"console programmes={shown}: /console/ {console_ms:.1f} ms, {console_kb:.1f} KB, "
            f"{console_queries} queries"
        )
        size, ms, kb, queries = lines[-1]
        print(
            f"lists participants={size} page_ms={ms:.1f} page_kb={kb:.1f} queries={queries} "
            f"console_programmes={shown} console_ms={console_ms:.1f} console_kb={console_kb:.1f}"
        )


if __name__ == "__main__":
    main()
