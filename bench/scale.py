"""Load, as production serves it — not a test. gunicorn with the container's configuration
(infra/docker/gunicorn.conf.py) and the production settings, Redis cache, on the world of
bench/world.py (1,000 programmes × 50 participants); locust (headless, bench/locustfile.py)
plays participants and managers spread over the programme hosts. In the same run, the same
generator against bare Django (bench/bare.py: one JSON view) under the same gunicorn settings
gives the baseline.

    .venv/bin/python bench/scale.py [--users 200] [--duration 60] [--programmes 1000]
    .venv/bin/python bench/scale.py --jobs [--in-place]   # the background jobs (bench/jobs.py)

Phases, one after the other, on one gunicorn of each kind started here:
1. `bare`: --saturate users, no think time, against bare Django: its throughput;
2. `pages`: --saturate signed-in participants, no think time, on their pages (home, pair page,
   messages, meetings, profile): their throughput; ratio_to_bare = 2 / 1;
2b. `floor`: --saturate signed-in participants, no think time, on `/favicon.ico`: every
   middleware of a signed-in request around a view that does nothing — the ceiling of any
   signed-in page, printed as its own ratio to bare;
3. `browse`: --users people (9 participants : 1 manager), each logs in then browses with think
   times (--think, seconds): rps, latency percentiles and errors of the line are this phase's.

HTTPS: the generator plays the load balancer — plain HTTP to 127.0.0.1 with
`X-Forwarded-Proto: https` (the header production trusts, SECURE_PROXY_SSL_HEADER), so the
production settings stay whole (HTTPS redirect, secure cookies) and no setting is loosened
for the bench. During phase 3 the workers' memory (PSS and RSS, /proc) and the PostgreSQL
connections of the world database are sampled. Uses DATABASE_URL's server and Redis at
REDIS_URL (default redis://127.0.0.1:6379/6, flushed first). Last line:

    scale programmes=<N> participants=<N×50> users=<concurrent> rps=<r> ratio_to_bare=<r>
        p50_ms=<ms> p95_ms=<ms> p99_ms=<ms> errors=<n>
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
BIN = Path(PYTHON).parent
GUNICORN_CONF = ROOT / "infra" / "docker" / "gunicorn.conf.py"
SECRET_KEY = "bench-scale-not-a-secret-0123456789abcdef0123456789"
PARTICIPANT_PAGES = (
    "/espace/",
    "/binome/",
    "/binome/[id]/",
    "/binome/[id]/messages/",
    "/rendez-vous/",
    "/profil/",
)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(
    *,
    database_url: str,
    base_domain: str,
    redis_url: str,
    static_root: Path,
    media_root: Path,
    workers: int,
    threads: int,
) -> dict[str, str]:
    """What the deployment gives the web container (README § Configuration), pointed at this
    machine's world database and Redis."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "saas.settings.production",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "BASE_DOMAIN": base_domain,
        "CACHE_KEY_PREFIX": f"scale{os.getpid()}",
        "PROGRAM_POOL_SIZE": "0",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "CELERY_BROKER_URL": "",
    }


class Gunicorn:
    """One gunicorn with our configuration on 127.0.0.1, its log in a file."""

    def __init__(self, app: str, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-c",
                    str(GUNICORN_CONF),
                    "-b",
                    f"127.0.0.1:{self.port}",
                    app,
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, host: str, timeout: float = 120) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", headers={"Host": host}).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        sys.exit(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def memory_mb(pid: int) -> tuple[float, float]:
    """(PSS, RSS) of a process in MB: PSS counts pages shared with the master (preloading)
    once among those who share them."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("Pss", "Rss"):
                values[key] = int(rest.split()[0]) / 1024
    except OSError:
        return 0.0, 0.0
    return values.get("Pss", 0.0), values.get("Rss", 0.0)


class Sampler(threading.Thread):
    """Every second: the workers' memory and the world database's connections."""

    def __init__(self, server: Gunicorn, database_url: str) -> None:
        super().__init__(daemon=True)
        self.server, self.database_url = server, database_url
        self.memory: dict[int, tuple[float, float]] = {}
        self.connections_max = 0
        self.done = threading.Event()

    def run(self) -> None:
        import psycopg

        from bench.provisioning import scalar

        name = self.database_url.rsplit("/", 1)[1]
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            while not self.done.wait(1.0):
                for pid in self.server.workers():
                    pss, rss = memory_mb(pid)
                    old = self.memory.get(pid, (0.0, 0.0))
                    self.memory[pid] = (max(old[0], pss), max(old[1], rss))
                count = scalar(
                    conn.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                        "AND pid <> pg_backend_pid()",
                        [name],
                    ).fetchone()
                )
                self.connections_max = max(self.connections_max, count)


def locust(
    *,
    url: str,
    users: int,
    duration: int,
    classes: list[str],
    mode: str,
    samples: Path,
    think: str,
    totp_key: str,
    out: Path,
    spawn_rate: float,
) -> dict:
    """One headless locust run; its aggregate and per-page numbers from the CSV stats."""
    prefix = out / mode
    env = {
        **os.environ,
        "SCALE_MODE": mode,
        "SCALE_SAMPLES": str(samples),
        "SCALE_THINK": think,
        "SCALE_TOTP_KEY": totp_key,
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{duration}s",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    with (out / f"{mode}.log").open("wb") as log:
        subprocess.run(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=duration + 300,
        )
    rows = list(csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open()))
    pages = {row["Name"]: row for row in rows if row["Name"] != "Aggregated"}
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = (prefix.parent / f"{prefix.name}_failures.csv").read_text()
    return {"total": total, "pages": pages, "failures": failures}


def rps(rows: list[dict]) -> float:
    return sum(float(row["Requests/s"]) for row in rows)


def jobs_bench(args: argparse.Namespace, rest: list[str]) -> None:
    """`--jobs`: the background jobs of the same world, measured by bench/jobs.py's
    run_jobs_bench (imported only here: it needs a broker and Celery), on a copy of the world
    as bench/jobs.py does by default (`--in-place`: on the world itself)."""
    from bench import jobs, world

    in_place = "--in-place" in rest
    ensure_kwargs = {"database": args.database} if args.database else {}
    url = world.world_ensure(args.programmes, per_programme=args.participants, **ensure_kwargs)
    copied = not in_place and hasattr(jobs, "world_copy")
    if copied:
        url = jobs.world_copy(url)
    try:
        results = jobs.run_jobs_bench(url, workers=args.workers)
    finally:
        if copied and hasattr(jobs, "database_drop"):
            jobs.database_drop(url)
    for index, result in enumerate(results, start=1):
        say(f"  run {index}: tasks={result['tasks']} seconds={result['seconds']:.1f} "
            f"errors={result['errors']}")  # fmt: skip
    first = results[0]
    print(
        f"jobs programmes={first['programmes']} tasks={first['tasks']} "
        f"seconds={first['seconds']:.1f} errors={first['errors']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--jobs", action="store_true", help="the background jobs instead (bench/jobs.py)"
    )
    parser.add_argument("--programmes", type=int, default=1000)
    parser.add_argument("--participants", type=int, default=50, help="per programme")
    parser.add_argument("--users", type=int, default=200, help="concurrent people, phase 3")
    parser.add_argument("--saturate", type=int, default=16, help="users of phases 1 and 2")
    parser.add_argument("--duration", type=int, default=180, help="seconds of phase 3")
    parser.add_argument("--saturate-duration", type=int, default=30)
    parser.add_argument("--think", default="2,10", help="think time between pages, seconds")
    parser.add_argument("--spawn-rate", type=float, default=2, help="new users per second, phase 3")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database", default="", help="world database (bench/world.py's)")
    parser.add_argument("--keep", action="store_true", help="keep the logs and CSVs")
    args, rest = parser.parse_known_args()

    if args.jobs:
        jobs_bench(args, rest)
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")

    from bench import world

    ensure_kwargs = {"database": args.database} if args.database else {}
    database_url = world.world_ensure(
        args.programmes, per_programme=args.participants, **ensure_kwargs
    )
    base_domain = world.world_info(database_url).get("base_domain", world.BASE_DOMAIN)
    people = max(args.users, args.saturate)
    samples = world.world_samples(database_url, people)
    # One distinct account per simulated manager (1 in 10 users): two users sharing a manager
    # account would send the same authenticator code twice in one 30 s step, which django-otp
    # rightly refuses as a replay (a first run drew 8 managers for 20 manager users: 12 errors).
    managers_needed = max(1, -(-args.users // 10))
    if sum(s.role == "manager" for s in samples) < managers_needed:
        samples = [s for s in samples if s.role != "manager"] + world.world_samples(
            database_url, managers_needed, roles=("manager",)
        )
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6")

    out = Path(tempfile.mkdtemp(prefix="scale-"))
    samples_file = out / "samples.json"
    samples_file.write_text(json.dumps([list(s) for s in samples]))
    env = production_environment(
        database_url=database_url,
        base_domain=base_domain,
        redis_url=redis_url,
        static_root=out / "static",
        media_root=out / "media",
        workers=args.workers,
        threads=args.threads,
    )
    (out / "media").mkdir()
    say(f"  world: {database_url.rsplit('/', 1)[1]}; logs and CSVs in {out}")
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    import redis

    redis.Redis.from_url(redis_url).flushdb()

    host = samples[0].host
    bare = Gunicorn("bench.bare:application", env, out / "bare.log")
    app = Gunicorn("saas.wsgi:application", env, out / "app.log")
    results = {}

    def saturate(*, url: str, classes: list[str], mode: str) -> dict:
        """A --saturate phase: --saturate users at once, no think time."""
        return locust(
            url=url,
            users=args.saturate,
            duration=args.saturate_duration,
            classes=classes,
            mode=mode,
            samples=samples_file,
            think=args.think,
            totp_key=world.MANAGER_TOTP_KEY,
            out=out,
            spawn_rate=args.saturate,
        )

    try:
        bare.wait(host)
        app.wait(host)
        say(f"  phase 1: bare Django, {args.saturate} users, {args.saturate_duration} s")
        results["bare"] = saturate(url=bare.url, classes=["Bare"], mode="bare")
        say(f"  phase 2: participant pages, {args.saturate} users, {args.saturate_duration} s")
        results["pages"] = saturate(url=app.url, classes=["Participant"], mode="pages")
        say(f"  phase 2b: signed-in floor, {args.saturate} users, {args.saturate_duration} s")
        results["floor"] = saturate(url=app.url, classes=["SignedInFloor"], mode="floor")
        say(f"  phase 3: {args.users} people browsing, think {args.think} s, {args.duration} s")
        sampler = Sampler(app, database_url)
        sampler.start()
        results["browse"] = locust(
            url=app.url,
            users=args.users,
            duration=args.duration,
            classes=["Participant", "Manager"],
            mode="browse",
            samples=samples_file,
            think=args.think,
            totp_key=world.MANAGER_TOTP_KEY,
            out=out,
            spawn_rate=args.spawn_rate,
        )
        sampler.done.set()
        sampler.join()
    finally:
        app.stop()
        bare.stop()

    bare_rps = float(results["bare"]["total"]["Requests/s"])
    page_rows = [
        row for name, row in results["pages"]["pages"].items() if name in PARTICIPANT_PAGES
    ]
    pages_rps = rps(page_rows)
    say("\n  per page, phase 2 (saturated) and phase 3 (browsing): median / p95 / p99 ms")
    for name, row in sorted(results["browse"]["pages"].items()):
        saturated = results["pages"]["pages"].get(name)
        said = f"{float(saturated['Requests/s']):7.1f} req/s sat." if saturated else " " * 18
        say(
            f"  {row['Type']:4} {name:28} {said}  {row['50%']:>5} / {row['95%']:>5} / "
            f"{row['99%']:>5}   n={row['Request Count']} fail={row['Failure Count']}"
        )
    memory = sampler.memory
    if memory:
        pss = sum(value[0] for value in memory.values()) / len(memory)
        rss = sum(value[1] for value in memory.values()) / len(memory)
        say(
            f"  workers: {len(memory)}, memory per worker (peak): PSS {pss:.0f} MB, "
            f"RSS {rss:.0f} MB (PSS counts the pages shared with the master once)"
        )
    say(
        f"  PostgreSQL connections of the world database (peak, phase 3): "
        f"{sampler.connections_max} (workers × threads = {args.workers * args.threads})"
    )
    floor_rps = float(results["floor"]["total"]["Requests/s"])
    say(f"  bare: {bare_rps:.0f} req/s; participant pages saturated: {pages_rps:.1f} req/s")
    say(
        f"  signed-in floor (a view that does nothing, every middleware of a signed-in "
        f"request): {floor_rps:.0f} req/s = {floor_rps / bare_rps if bare_rps else 0:.3f} of bare"
    )
    errors = sum(int(results[phase]["total"]["Failure Count"]) for phase in results)
    for phase in results:
        if int(results[phase]["total"]["Failure Count"]):
            say(f"  failures of phase {phase}:\n{results[phase]['failures']}")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    total = results["browse"]["total"]
    print(
        f"scale programmes={args.programmes} participants={args.programmes * args.participants}"
        f" users={args.users} rps={float(total['Requests/s']):.1f}"
        f" ratio_to_bare={pages_rps / bare_rps if bare_rps else 0:.3f}"
        f" p50_ms={total['50%']} p95_ms={total['95%']} p99_ms={total['99%']} errors={errors}"
    )


if __name__ == "__main__":
    main()
