"""`python -m saas.cli run|test|totp <email>` — what dev.py runs inside the project
environment.

Uses DATABASE_URL when set; otherwise starts an embedded PostgreSQL 16 (the pgserver wheel)
under .local/ and stops it on exit.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_PGDATA = ROOT / ".local" / "pgdata"


def say(message: str) -> None:
    print(f"[binome] {message}", flush=True)


def database_ensure(url: str) -> bool:
    """Make sure the database DATABASE_URL names exists: create it on that server when the
    server answers but the database is missing (as `createdb` would). Returns True when it was
    created. A server that cannot be reached (or refuses the credentials) stops here with one
    clear line instead of a traceback from the first migration."""
    import psycopg
    from psycopg import sql

    try:
        psycopg.connect(url, connect_timeout=10).close()
        return False
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[-1]
        if "does not exist" not in reason:
            raise SystemExit(f"[binome] cannot use DATABASE_URL: {reason}") from None
    name = psycopg.conninfo.conninfo_to_dict(url).get("dbname")
    try:
        with psycopg.connect(url, dbname="postgres", autocommit=True, connect_timeout=10) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(name))))
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[-1]
        raise SystemExit(f"[binome] database {name} does not exist and: {reason}") from None
    return True


@contextmanager
def database(
    *, database_name: str, persistent: bool, quiet: bool = False, ensure: bool = False
) -> Iterator[str]:
    """DATABASE_URL (with `ensure`, its database created when missing), or an embedded
    PostgreSQL's URL for the duration of the block."""
    if url := os.environ.get("DATABASE_URL"):
        if ensure and database_ensure(url) and not quiet:
            say("DATABASE_URL's database did not exist: created it")
        yield url
        return
    import pgserver

    pgdata = DEV_PGDATA if persistent else Path(tempfile.mkdtemp(prefix="binome-pg-"))
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if not quiet:
        say(f"no DATABASE_URL: starting an embedded PostgreSQL in {pgdata}")
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    try:
        query = f"SELECT 1 FROM pg_database WHERE datname = '{database_name}';"  # noqa: S608
        exists = server.psql(query)
        if "1 row" not in exists:
            server.psql(f'CREATE DATABASE "{database_name}";')
        yield server.get_uri(database_name)
    finally:
        server.cleanup()
        if not persistent:
            shutil.rmtree(pgdata, ignore_errors=True)


def _free_port(preferred: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def whereby_fake(env: dict[str, str]) -> Iterator[None]:
    """Without WHEREBY_API_KEY, the video rooms come from our fake Whereby
    (tests/fakes/whereby), started here on 127.0.0.1; `env` is pointed at it."""
    if env.get("WHEREBY_API_KEY"):
        yield
        return
    port = _free_port(8090)
    env["WHEREBY_BASE_URL"] = f"http://127.0.0.1:{port}/v1"
    env.setdefault("WHEREBY_WEBHOOK_SECRET", f"local-only-{secrets.token_hex(16)}")
    fake_env = {
        **env,
        "WHEREBY_FAKE_WEBHOOK_URL": f"http://127.0.0.1:{env.get('PORT', '8000')}/webhooks/whereby",
        "WHEREBY_FAKE_WEBHOOK_HOST": env.get("BASE_DOMAIN", "localhost"),
    }
    say(f"no WHEREBY_API_KEY: video rooms come from the Whereby fake on port {port}")
    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.whereby",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=fake_env,
        start_new_session=True,
    )
    try:
        yield
    finally:
        fake.terminate()
        try:
            fake.wait(timeout=5)
        except subprocess.TimeoutExpired:
            fake.kill()


def server_address(env: dict[str, str]) -> str:
    """Where `run` listens: loopback unless `HOST` says otherwise, since every demo account
    shares a published password (HOST=0.0.0.0 opens it to the network on purpose)."""
    host = env.get("HOST", "").strip() or "127.0.0.1"
    port = env.get("PORT", "").strip() or "8000"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], check=True, cwd=ROOT, env=env)


def run() -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "saas.settings.dev"}
    env.setdefault("BASE_DOMAIN", "localhost")
    with database(database_name="binome", persistent=True, ensure=True) as url, whereby_fake(env):
        env["DATABASE_URL"] = url
        say("migrating the public schema and every programme schema…")
        manage("migrate_schemas", "-v", "0", env=env)
        say("loading the demo data…")
        manage("demo_seed", "--port", env.get("PORT", "8000"), env=env)
        say("emails are printed here; Celery tasks run in-process. Ctrl-C stops everything.")
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", server_address(env)],
            cwd=ROOT,
            env=env,
            start_new_session=True,  # its own process group: the reloader and its child
        )

        def stop(signum: int, frame: object) -> None:
            os.killpg(server.pid, signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        code = server.wait()
        say("stopped.")
        return 0 if code in (0, -signal.SIGTERM) else code


def totp(args: list[str]) -> int:
    """The current two-step verification code of a demo account, from the local database
    (the running platform's, when `run` is up: the embedded PostgreSQL is shared)."""
    if len(args) != 1:
        print("usage: python3 dev.py totp <email>")
        return 2
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "saas.settings.dev"}
    with database(database_name="binome", persistent=True, quiet=True) as url:
        env["DATABASE_URL"] = url
        return subprocess.call(
            [sys.executable, "manage.py", "demo_totp", args[0]], cwd=ROOT, env=env
        )


MAX_TEST_WORKERS = 4
# The caller's own choice (`-n 0`, `-p no:xdist`), or a debugger, which needs this process.
NO_WORKERS_ADDED = ("-n", "--numprocesses", "--dist", "no:xdist", "--pdb", "--trace")


def test_workers() -> int:
    """How many processes run the tests: TEST_WORKERS when set (0 or 1: one), else one per core,
    at most MAX_TEST_WORKERS (each has its own test database: more would mostly wait)."""
    asked = os.environ.get("TEST_WORKERS", "").strip()
    if asked:
        if not asked.isdigit():
            raise SystemExit(f"TEST_WORKERS must be a whole number (0 or 1: one), not {asked!r}")
        return int(asked)
    return min(os.cpu_count() or 1, MAX_TEST_WORKERS)


def pytest_args(args: list[str], *, workers: int) -> list[str]:
    """`args` with pytest-xdist's workers added, unless the caller chose (`-n …`, `-p no:xdist`)
    or debugs. A whole file goes to one worker (`--dist loadfile`): the module fixtures (a live
    server, a Celery worker, a browser's programme) are set up once, as in one process."""
    if any(arg.startswith(NO_WORKERS_ADDED) for arg in args) or workers <= 1:
        return args
    return ["-n", str(workers), "--dist", "loadfile", *args]


def test(args: list[str]) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "saas.settings.test"}
    with database(database_name="binome", persistent=False) as url:
        env["DATABASE_URL"] = url
        command = [sys.executable, "-m", "pytest", *pytest_args(args, workers=test_workers())]
        return subprocess.call(command, cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "totp"}:
        print(__doc__)
        return 2
    if argv[0] == "run":
        return run()
    return test(argv[1:]) if argv[0] == "test" else totp(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
