"""Background work at scale — not a test. Every job of the beat schedule
(saas/settings/celery.py: retention, audit purge, request expiry, meeting reminders and rooms,
message emails, nudges, monthly reports, statistics snapshots, surveys, pool refill) sent once,
as beat sends them, on the world of bench/world.py, through the real fan-out, a real broker
(RabbitMQ) and two Celery worker processes; timed until every task sent — the beat tasks, the
tasks they fan out, the emails those queue — has finished.

    .venv/bin/python bench/jobs.py [--programmes 1000] [--runs 2] [--in-place]

DATABASE_URL's server (or the embedded one), the world database of bench/world.py (seeded if
missing). By default the jobs run on a copy of the world (`binome_world_jobs`, `CREATE DATABASE
… TEMPLATE`, dropped at the end; it needs nobody connected to the world), since they change
it (retention deletes old invitations, nudges and check-ins are sent); --in-place runs them on
the world itself. The broker is BENCH_BROKER_URL (default amqp://guest:guest@127.0.0.1:5672//)
with a queue of the bench's own (`bench_jobs_<pid>`, deleted at the end), counters in Redis
(BENCH_JOBS_REDIS_URL, default redis://127.0.0.1:6379/5), emails to Django's dummy backend,
video rooms from our Whereby fake (started here). Each worker is
`celery -A bench.jobs_worker worker -c 1` (the project's app, the bench's queue).

The first run meets the world as seeded (a backlog: every quiet pair nudged, old invitations
deleted, monthly reports); the next runs are a steady day (the fan-outs find little to do).
Last line:

    jobs programmes=<N> tasks=<tasks of the first run> seconds=<s> errors=<n>
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.world import (  # noqa: E402
    BASE_DOMAIN,
    WORLD_DB,
    _stderr,
    django_setup,
    world_ensure,
    world_info,
)

BROKER = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
REDIS_URL = os.environ.get("BENCH_JOBS_REDIS_URL", "redis://127.0.0.1:6379/5")
COPY_DB = "binome_world_jobs"


def world_copy(url: str, name: str = COPY_DB) -> str:
    """A copy of the world database (file copy: seconds to a minute for 3 GB)."""
    import psycopg

    parts = urlsplit(url)
    source = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}" STRATEGY FILE_COPY')
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_drop(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def _environment(url: str, *, base_domain: str, queue: str, run: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "saas.settings.dev",
        "DJANGO_DEBUG": "false",
        "BASE_DOMAIN": base_domain,
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_URL": "dummymail://",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"benchjobs{run}",
        "PROGRAM_POOL_SIZE": "0",
        "LOG_LEVEL": "WARNING",
        "BENCH_JOBS_QUEUE": queue,
        "BENCH_JOBS_RUN": run,
        "BENCH_JOBS_REDIS_URL": REDIS_URL,
        "PYTHONPATH": str(ROOT),
    }


def _workers(env: dict[str, str], count: int, logs: Path, stack: ExitStack) -> None:
    """`count` worker processes on the bench's queue (stopped when `stack` closes)."""
    for index in range(count):
        log = (logs / f"worker{index}.log").open("w")
        stack.callback(log.close)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "bench.jobs_worker", "worker",
             "-Q", env["BENCH_JOBS_QUEUE"], "-c", "1", "-n", f"jobs{index}.{os.getpid()}@bench",
             "--without-gossip", "--without-mingle", "-l", "WARNING"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

        def stop(process: subprocess.Popen[bytes] = worker) -> None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

        stack.callback(stop)


def _one_run(*, counters: Any, prefix: str, queue: str, timeout: float, log: Any) -> dict[str, Any]:
    """Send every beat job once; wait until every task sent has finished."""
    from django.conf import settings

    from bench.jobs_worker import app

    for key in ("published", "done", "errors", "names", "seconds", "failures"):
        counters.delete(prefix + key)
    schedule = settings.CELERY_BEAT_SCHEDULE
    started = time.perf_counter()
    for entry in schedule.values():
        app.send_task(entry["task"], queue=queue)
    finished = None
    last_report = started
    while time.perf_counter() - started < timeout:
        published = int(counters.get(prefix + "published") or 0)
        done = int(counters.get(prefix + "done") or 0)
        if published and done >= published:
            finished = time.perf_counter()
            # confirm: nothing new published meanwhile
            time.sleep(0.5)
            if int(counters.get(prefix + "published") or 0) == published:
                break
            finished = None
        if time.perf_counter() - last_report > 15:
            log(
                f"    {done}/{published} tasks finished after {time.perf_counter() - started:.0f} s"
            )
            last_report = time.perf_counter()
        time.sleep(0.1)
    seconds = (finished or time.perf_counter()) - started
    names = {k: int(v) for k, v in counters.hgetall(prefix + "names").items()}
    spent = {k: float(v) for k, v in counters.hgetall(prefix + "seconds").items()}
    return {
        "beat_jobs": len(schedule),
        "tasks": int(counters.get(prefix + "done") or 0),
        "published": int(counters.get(prefix + "published") or 0),
        "errors": int(counters.get(prefix + "errors") or 0),
        "failures": counters.lrange(prefix + "failures", 0, 4),
        "seconds": seconds,
        "complete": finished is not None,
        "by_task": {name: (names[name], spent.get(name, 0.0)) for name in sorted(names)},
    }


def run_jobs_bench(
    url: str,
    *,
    workers: int = 2,
    runs: int = 2,
    timeout: float = 3600,
    log: Any = _stderr,
) -> list[dict[str, Any]]:
    """Every beat job once per run, on the world at `url`, through RabbitMQ and `workers`
    Celery worker processes; one dict per run (tasks, seconds, errors, by_task…). Runs in the
    calling process after configuring Django on `url` (call it from a fresh process)."""
    import redis

    from saas.cli import whereby_fake

    info = world_info(url)
    base_domain = info.get("base_domain", BASE_DOMAIN)
    run_id = uuid.uuid4().hex[:8]
    queue = f"bench_jobs_{os.getpid()}_{run_id}"
    env = _environment(url, base_domain=base_domain, queue=queue, run=run_id)
    counters = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    prefix = f"bench:jobs:{run_id}:"
    logs = ROOT / ".local" / "bench-jobs"
    logs.mkdir(parents=True, exist_ok=True)
    results = []
    with ExitStack() as stack:
        stack.enter_context(whereby_fake(env))
        os.environ.update({k: v for k, v in env.items() if k not in ("PYTHONPATH",)})
        django_setup(url, base_domain=base_domain)
        from bench.jobs_worker import app
        from tenants.models import Program

        programmes = (
            Program.objects.filter(status=Program.Status.READY)
            .exclude(schema_name="public")
            .count()
        )

        def queue_delete() -> None:
            with app.connection_for_write() as connection:
                connection.default_channel.queue_delete(queue)

        stack.callback(queue_delete)
        started = time.perf_counter()
        _workers(env, workers, logs, stack)
        while int(counters.get(prefix + "ready") or 0) < workers:
            if time.perf_counter() - started > 120:
                raise RuntimeError(f"the workers did not start: see {logs}")
            time.sleep(0.2)
        log(f"  {workers} workers ready in {time.perf_counter() - started:.1f} s (queue {queue})")
        for run in range(runs):
            result = _one_run(
                counters=counters, prefix=prefix, queue=queue, timeout=timeout, log=log
            )
            result["programmes"] = programmes
            results.append(result)
            log(
                f"  run {run + 1}: {result['tasks']} tasks ({result['beat_jobs']} beat jobs) in "
                f"{result['seconds']:.1f} s, {result['errors']} errors"
                + ("" if result["complete"] else " — NOT COMPLETE (timeout)")
            )
            for name, (count, spent) in result["by_task"].items():
                log(f"      {count:6d} × {name.rsplit('.', 1)[-1]:<40} {spent:8.1f} s in tasks")
            for failure in result["failures"]:
                log(f"      failure: {failure}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programmes", type=int, default=1000)
    parser.add_argument("--database", default=WORLD_DB)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--in-place", action="store_true", help="on the world, not a copy")
    parser.add_argument("--keep", action="store_true", help="keep the copy")
    args = parser.parse_args()

    with ExitStack() as stack:
        url = world_ensure(args.programmes, database=args.database, stack=stack)
        if not args.in_place:
            started = time.perf_counter()
            url = world_copy(url)
            _stderr(f"  world copied to {COPY_DB} in {time.perf_counter() - started:.1f} s")
            if not args.keep:
                stack.callback(database_drop, url)
        results = run_jobs_bench(url, workers=args.workers, runs=args.runs, timeout=args.timeout)
        for index, result in enumerate(results, start=1):
            print(
                f"run {index}: tasks={result['tasks']} seconds={result['seconds']:.1f} "
                f"errors={result['errors']} complete={result['complete']}"
            )
        first = results[0]
        print(
            f"jobs programmes={first['programmes']} tasks={first['tasks']} "
            f"seconds={first['seconds']:.1f} errors={first['errors']}"
        )


if __name__ == "__main__":
    main()
