"""Provisioning benchmark — not a test. How long until a new programme is usable, with N
programmes already present, for the chosen mechanism (a pool of spare schemas migrated ahead)
and for plain migrate into a new schema, measured in the same run on the same database.

    .venv/bin/python bench/provisioning.py [--existing 1000] [--samples 15]

Uses DATABASE_URL's server (database `binome_bench`, dropped and re-created) or an embedded
PostgreSQL. "Usable" = from the console's `program_create` call until the programme's home page
answers 200 on its host (provisioning runs in-process, as Celery eager). The N existing
programmes are real schemas with every table, index and constraint of a programme, copied from
one migrated schema with `CREATE TABLE … (LIKE … INCLUDING ALL)` plus the foreign keys, so the
catalogue is as large as with N real programmes; as many per transaction as the server's lock
table allows (clone_batch_size: 13 on a stock server). Last line:

    provisioning existing=<N> chosen_s=<median> migrate_s=<median> speedup=<ratio>
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "binome_bench"

Log = Callable[[str], None]  # where a bench writes its progress (stderr)


def scalar(row: tuple[Any, ...] | None) -> Any:
    """The first column of a row that the query is known to return (an aggregate, a function
    call without FROM, the row of a key that exists): `scalar(conn.execute(sql).fetchone())`
    with psycopg, whose `fetchone()` may be None."""
    if row is None:
        raise RuntimeError("the query returned no row")
    return row[0]


def bench_django(database_url: str) -> None:
    """Django set up for a bench on `database_url`: dev settings without debug, no broker
    (Celery eager), no spare programmes, any host, emails kept in memory."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.update(
        DJANGO_SETTINGS_MODULE="saas.settings.dev",
        DJANGO_DEBUG="false",
        BASE_DOMAIN="bench.test",
        PROGRAM_POOL_SIZE="0",
        CELERY_BROKER_URL="",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def bench_programme(stack: ExitStack, database: str, *, manager_password: str) -> tuple[Any, Any]:
    """Django configured for a bench on `database` (dropped and re-created, see
    `bench_database`), the shared schema migrated, and one provisioned programme "bench" with a
    manager account: (programme, manager user). Used by the dashboard and lists benches."""
    bench_django(bench_database(stack, database))
    from django.core.management import call_command

    from shared_apps.accounts.models import User
    from tenants.models import Program
    from tenants.services import client_create, program_create, program_provision

    call_command("migrate_schemas", shared=True, verbosity=0)
    client = client_create(name="Bench organisation")
    program = program_create(
        client_id=client.pk, name="Bench", slug="bench", manager_email="first@bench.example"
    )
    program_provision(program_id=program.pk)
    manager = User.objects.create_user(email="manager@bench.example", password=manager_password)
    return Program.objects.get(pk=program.pk), manager


def bench_database(stack: ExitStack, name: str = BENCH_DB) -> str:
    import psycopg

    url = os.environ.get("DATABASE_URL")
    if not url:
        import pgserver

        server = pgserver.get_server(ROOT / ".local" / "pgbench", cleanup_mode="stop")
        stack.callback(server.cleanup)
        url = server.get_uri("postgres")
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


CLONE_SQL = """
CREATE OR REPLACE FUNCTION bench_copy_schema(src text, dst text) RETURNS void AS $$
DECLARE t record; defs text[];
BEGIN
  EXECUTE format('CREATE SCHEMA %I', dst);
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = src LOOP
    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING ALL)',
                   dst, t.tablename, src, t.tablename);
  END LOOP;
  EXECUTE format('INSERT INTO %I.django_migrations SELECT * FROM %I.django_migrations', dst, src);
  EXECUTE format('INSERT INTO %I.django_content_type SELECT * FROM %I.django_content_type',
                 dst, src);
  -- the copied rows keep their ids: move the identity sequences past them
  FOR t IN SELECT unnest(ARRAY['django_migrations', 'django_content_type']) AS tablename LOOP
    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), '
                   '(SELECT max(id) FROM %I.%I))',
                   format('%I.%I', dst, t.tablename), dst, t.tablename);
  END LOOP;
  -- Foreign keys, read with search_path = src (local tables unqualified, public ones
  -- qualified), replayed with search_path = dst.
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


def clone_batch_size(cursor: "CursorWrapper", template: str) -> int:
    """Schemas cloned per transaction on this server. Every relation a transaction creates holds
    a lock until it commits (the table, each index and sequence, the TOAST table and its index),
    and the shared lock table has max_locks_per_transaction × (max_connections +
    max_prepared_transactions) slots: 64 × 100 = 6,400 on a stock server. A programme schema
    creates 121 relations (99 in the schema, 11 TOAST tables and their indexes), so the old 100
    schemas per transaction asked for ~12,000 locks and failed with "out of shared memory". A
    batch takes at most a quarter of the table (13 schemas on a stock server), leaving the rest
    to the other sessions."""
    cursor.execute(
        "SELECT count(*) + 2 * count(*) FILTER (WHERE reltoastrelid <> 0) FROM pg_class "
        "WHERE relnamespace = %s::regnamespace",
        [template],
    )
    per_schema = max(1, cursor.fetchone()[0])
    cursor.execute(
        "SELECT current_setting('max_locks_per_transaction')::int * "
        "(current_setting('max_connections')::int "
        "+ current_setting('max_prepared_transactions')::int)"
    )
    slots = cursor.fetchone()[0]
    return max(1, slots // 4 // per_schema)


def create_existing(count: int, *, log: Log, client_name: str = "Existing programmes") -> None:
    """N programmes: rows in public + a full schema each, copied from one migrated schema."""
    from django.db import connection, transaction

    from tenants.models import Client, Domain, Program
    from tenants.services import schema_name_generate

    client = Client.objects.create(name=client_name)
    template = Program(schema_name="bench_template", status=Program.Status.SPARE)
    template.create_schema(check_if_exists=True, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(CLONE_SQL)
        batch = clone_batch_size(cursor, "bench_template")
    log(f"  {batch} schemas per transaction (lock table of this server)")
    started = time.perf_counter()
    for first in range(0, count, batch):
        with transaction.atomic():
            programs = []
            for index in range(first, min(first + batch, count)):
                name = schema_name_generate()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT bench_copy_schema(%s, %s)", ["bench_template", name])
                programs.append(
                    Program(
                        schema_name=name,
                        client=client,
                        name=f"Existing {index}",
                        slug=f"existing-{index}",
                        status=Program.Status.READY,
                    )
                )
            Program.objects.bulk_create(programs)
            Domain.objects.bulk_create(
                Domain(domain=p.host, tenant=p, is_primary=True) for p in programs
            )
        done = min(first + batch, count)
        if done % 100 < batch or done == count:
            log(f"  {done}/{count} existing programmes")
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA bench_template CASCADE")
        cursor.execute("SELECT count(*) FROM pg_class")
        log(
            f"  created in {time.perf_counter() - started:.1f} s; "
            f"pg_class rows: {cursor.fetchone()[0]}"
        )


def time_creation(label: str, index: int) -> float:
    from django.conf import settings
    from django.test import Client as HttpClient

    from saas.core.tenancy import connection
    from tenants.models import Client, Program
    from tenants.services import program_create

    client = Client.objects.get(name="Existing programmes")
    slug = f"{label}-{index}"
    started = time.perf_counter()
    program = program_create(
        client_id=client.pk, name=f"New {slug}", slug=slug, manager_email=f"manager@{slug}.example"
    )
    response = HttpClient(HTTP_HOST=f"{slug}.{settings.BASE_DOMAIN}").get("/")
    elapsed = time.perf_counter() - started
    connection.set_schema_to_public()
    program.refresh_from_db()
    assert program.status == Program.Status.READY, program.failure_reason
    assert response.status_code == 200, response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--existing", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args()
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    with ExitStack() as stack:
        bench_django(bench_database(stack))
        from django.core.management import call_command

        from tenants.models import Program
        from tenants.services import program_pool_refill

        call_command("migrate_schemas", shared=True, verbosity=0)
        log(f"creating {args.existing} existing programmes…")
        create_existing(args.existing, log=log)

        migrate, chosen = [], []
        for index in range(args.samples):
            # plain migrate: the pool is empty
            assert not Program.objects.filter(status=Program.Status.SPARE).exists()
            migrate.append(time_creation("migrate", index))
            # chosen: the background job has topped up the pool beforehand (not timed)
            program_pool_refill(size=1)
            chosen.append(time_creation("pool", index))
            log(f"  sample {index + 1}: pool {chosen[-1]:.3f} s, migrate {migrate[-1]:.3f} s")
        chosen_s, migrate_s = statistics.median(chosen), statistics.median(migrate)
        print(f"pool claim: min {min(chosen):.3f} s, max {max(chosen):.3f} s")
        print(f"plain migrate: min {min(migrate):.3f} s, max {max(migrate):.3f} s")
        print(
            f"provisioning existing={args.existing} chosen_s={chosen_s:.3f} "
            f"migrate_s={migrate_s:.3f} speedup={migrate_s / chosen_s:.1f}"
        )


if __name__ == "__main__":
    main()
