"""Migration roll-out benchmark — not a test. How long `manage.py migrate_schemas` takes over
N programme schemas when there is nothing to apply, and when one real additive migration (a
nullable column) has to reach every schema; `manage.py migrations_check` after each.

    .venv/bin/python bench/migrations.py [--programmes 1000] [--baseline 30]

Uses DATABASE_URL's server (database `binome_bench_migrations`, dropped and re-created) or an
embedded PostgreSQL (pgserver), with its stock configuration. The N programmes are real schemas
with every table, index, constraint and migration row of a programme, copied from one migrated
schema in SQL (`CREATE TABLE … (LIKE … INCLUDING ALL)` plus the foreign keys, see
bench/provisioning.py), in batches sized for the server's lock table.

Steps, all in this process with the deploy's executor (TENANT_MIGRATION_PROCESSES, 2 by
default: django-tenants' multiprocessing pool):
1. noop: `migrate_schemas` twice (the first run also records the N fingerprints in public);
2. baseline (--baseline K schemas, 0 to skip): what one schema costs when it is not skipped,
   `migrate` in-process with Django's own recorder (its table check lists the whole catalogue)
   and with the to_regclass check used now;
3. additive: the `programs` app gains a migration adding a nullable column to ProgramSettings
   (its migrations copied to a temporary package with one more file, MIGRATION_MODULES pointed
   there: the code of a deploy, without touching the repository), rolled out to every schema.

Last line: `migrations programmes=<N> noop_s=<slower noop run> additive_s=<s>`
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provisioning import Log, bench_database, bench_django, create_existing  # noqa: E402

BENCH_DB = "binome_bench_migrations"
APP, COLUMN = "programs", "bench_rollout_note"


def add_migration(workdir: Path) -> str:
    """The `programs` app's migrations plus one AddField, as a package on sys.path; returns
    its module name (for MIGRATION_MODULES)."""
    from django.db.migrations.loader import MigrationLoader

    from tenant_apps.programs import migrations as package

    target = workdir / "bench_programs_migrations"
    shutil.copytree(Path(package.__file__).parent, target, ignore=shutil.ignore_patterns("__py*"))
    (leaf,) = MigrationLoader(None).graph.leaf_nodes(APP)
    name = f"{int(leaf[1][:4]) + 1:04d}_{COLUMN}"
    (target / f"{name}.py").write_text(
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [({APP!r}, {leaf[1]!r})]\n"
        "    operations = [\n"
        "        migrations.AddField(\n"
        f"            model_name='programsettings', name={COLUMN!r},\n"
        "            field=models.TextField(null=True),\n"
        "        ),\n"
        "    ]\n",
        encoding="utf-8",
    )
    sys.path.insert(0, str(workdir))
    return target.name


def timed_migrate(log: Log) -> float:
    from django.core.management import call_command

    from saas.core.tenancy import connection

    out = StringIO()
    started = time.perf_counter()
    call_command("migrate_schemas", interactive=False, verbosity=1, stdout=out)
    elapsed = time.perf_counter() - started
    connection.set_schema_to_public()
    lines = out.getvalue().splitlines()
    skipped = [line for line in lines if "already at the head" in line]
    applying = sum("Applying" in line for line in lines)
    log(f"    {elapsed:.2f} s; {' / '.join(skipped) or 'none skipped'}; {applying} applied")
    return elapsed


def timed_check(log: Log) -> float:
    from django.core.management import call_command

    out = StringIO()
    started = time.perf_counter()
    call_command("migrations_check", stdout=out)
    elapsed = time.perf_counter() - started
    log(f"    migrations_check {elapsed:.2f} s: {out.getvalue().strip().splitlines()[-1]}")
    return elapsed


def per_schema_baseline(schemas: list[str], log: Log) -> None:
    """Seconds per schema of a `migrate` that is not skipped (nothing to apply), one schema
    after the other in this process: django-tenants' own standard executor (Django's recorder
    lists the catalogue to find its table), then ours with skipping off (to_regclass)."""
    from django.conf import settings
    from django.core.management import call_command

    from saas.core.tenancy import connection

    settings.TENANT_MIGRATION_SKIP_AT_HEAD = False
    try:
        for label, extra in (("django recorder", {"executor": "standard"}), ("to_regclass", {})):
            times = []
            for schema in schemas:
                started = time.perf_counter()
                call_command(
                    "migrate_schemas",
                    schema_name=schema,
                    interactive=False,
                    verbosity=0,
                    stdout=StringIO(),
                    **extra,
                )
                times.append(time.perf_counter() - started)
                connection.set_schema_to_public()
            median = statistics.median(times)
            log(f"  baseline, {label}: {median * 1000:.0f} ms per schema (median of {len(times)})")
            print(f"baseline {label}: {median * 1000:.0f} ms/schema")
    finally:
        settings.TENANT_MIGRATION_SKIP_AT_HEAD = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programmes", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=30, help="schemas; 0 to skip")
    args = parser.parse_args()
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731

    with ExitStack() as stack:
        bench_django(bench_database(stack, BENCH_DB))
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        started = time.perf_counter()
        call_command("migrate_schemas", shared=True, verbosity=0)
        log(f"creating {args.programmes} programme schemas…")
        create_existing(args.programmes, log=log, client_name="Bench programmes")
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_locks_per_transaction")
            locks = cursor.fetchone()[0]
        log(
            f"executor {settings.TENANT_MIGRATION_EXECUTOR}, "
            f"{settings.TENANT_MULTIPROCESSING_MAX_PROCESSES} processes; "
            f"max_locks_per_transaction={locks}"
        )

        log("noop migrate_schemas, first run (records every fingerprint):")
        noop_first = timed_migrate(log)
        log("noop migrate_schemas, second run:")
        noop_second = timed_migrate(log)
        timed_check(log)
        print(f"noop: first {noop_first:.2f} s, second {noop_second:.2f} s")

        if args.baseline:
            from tenants.models import Program

            names = Program.objects.exclude(schema_name="public").order_by("schema_name")
            per_schema_baseline(
                list(names.values_list("schema_name", flat=True))[: args.baseline], log
            )

        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        module = add_migration(workdir)
        settings.MIGRATION_MODULES = {**settings.MIGRATION_MODULES, APP: module}
        log(f"additive migration ({APP}: nullable column {COLUMN}) over every schema:")
        additive = timed_migrate(log)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns WHERE column_name = %s",
                [COLUMN],
            )
            with_column = cursor.fetchone()[0]
        assert with_column == args.programmes, with_column
        timed_check(log)
        log("noop again, after the roll-out:")
        timed_migrate(log)
        print(f"additive: {additive:.2f} s, column in {with_column} programme schemas")
        log(f"bench wall time {time.perf_counter() - started:.0f} s")
        print(
            f"migrations programmes={args.programmes} "
            f"noop_s={max(noop_first, noop_second):.2f} additive_s={additive:.2f}"
        )


if __name__ == "__main__":
    main()
