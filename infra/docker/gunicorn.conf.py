"""gunicorn settings of the web container (`gunicorn -c infra/docker/gunicorn.conf.py ...`).

Sized from the environment (GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT,
GUNICORN_GRACEFUL_TIMEOUT). The access log is JSON, one object per line, with the request id,
without the query string, and with the sign-in token of invitation, registration and reset
links filtered from the path (`/acces/[Filtered]/`): the access log is kept and shipped to
Cockpit. Which paths carry a token is read from the URLconfs
(saas.core.observability.paths); Django's middleware leaves the filtered path in the environ.
"""

import datetime
import json
import os
import re
import traceback

from gunicorn import glogging


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = f"0.0.0.0:{env_int('PORT', 8000)}"
workers = env_int("GUNICORN_WORKERS", 2)
threads = env_int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
# Requests slower than this are killed and logged; the load balancer gives up at 60 s.
timeout = env_int("GUNICORN_TIMEOUT", 30)
# On SIGTERM (rolling update, scale down) workers finish the requests in hand.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Longer than the load balancer's idle timeout is not needed: it reuses connections briefly.
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# Workers are recycled rarely, and a recycle is cheap. The application is loaded once in the
# master before the fork (preload_app): a new worker is a copy-on-write fork of a warm process
# (milliseconds), not a fresh import of Django, every app and URLconf (~3 s of CPU each). The
# previous setting (every 2,000 requests, no preloading) cut even a bare Django view from
# ~3,800 to ~1,000 req/s under load on 2 cores: at that rate each worker re-booted every
# few seconds (bench/README.md § Load). The recycle stays as a guard against slow leaks;
# the jitter keeps workers from restarting together. GUNICORN_MAX_REQUESTS=0 turns it off.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = max_requests // 10
# Heartbeat files in memory: the root filesystem is read-only in production.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 (gunicorn's worker heartbeat files, private to gunicorn)
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
# On by default (GUNICORN_PRELOAD=0 turns it off). Safe with our stack: nothing opens a
# connection at import, pre_fork below closes any the master opened anyway (a socket shared by
# two processes would mix their answers), redis-py's pools re-open after a fork (they check the
# pid), sentry-sdk restarts its sending thread in the child. The price: a new release of the
# code needs a restart of the master, not a HUP of the workers (the pods are replaced anyway).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").lower() in {"1", "true", "yes"}


def when_ready(server) -> None:
    """In the master, once the application is loaded (preload_app): import every view and
    service now (the URLconfs are otherwise loaded lazily, by each worker's first request), so
    that workers are born with them."""
    if not server.cfg.preload_app:
        return
    from django.conf import settings
    from django.urls import get_resolver

    for urlconf in (settings.ROOT_URLCONF, getattr(settings, "PUBLIC_SCHEMA_URLCONF", None)):
        if urlconf:
            get_resolver(urlconf).reverse_dict  # noqa: B018 (imports every view module)


def pre_fork(server, worker) -> None:
    """No database connection crosses the fork (with preload_app, the master might have one)."""
    if not server.cfg.preload_app:
        return
    from django.db import connections

    connections.close_all()


accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

REQUEST_ID_HEADER = os.environ.get("REQUEST_ID_HEADER", "X-Request-ID")


def _environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


LOG_PATH_ENVIRON_KEY = "binome.log_path"  # saas.core.middleware.LOG_PATH_META
# Without the application (it failed to load): any long segment may be a token.
_LONG_SEGMENT_RE = re.compile(r"(?<=/)[^/]{16,}")


def log_path(environ: dict) -> str:
    """The request's path as the log may keep it: the one Django filtered, else filtered here
    from the URLconfs, else with every long segment filtered."""
    if isinstance(environ.get(LOG_PATH_ENVIRON_KEY), str):
        return environ[LOG_PATH_ENVIRON_KEY]
    path = environ.get("PATH_INFO") or ""
    try:
        from saas.core.observability.paths import redact_path

        return redact_path(path)
    except Exception:
        return _LONG_SEGMENT_RE.sub("[Filtered]", path)


def access_record(*, environ: dict, status: str | int, sent: int | None, duration) -> dict:
    """The access log entry of one request. The path only (never the query string), with its
    sign-in token filtered."""
    status_code = int(str(status).split(None, 1)[0])
    return {
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        "logger": "gunicorn.access",
        "request_id": environ.get(_environ_key(REQUEST_ID_HEADER)),
        "method": environ.get("REQUEST_METHOD"),
        "host": environ.get("HTTP_HOST"),
        "path": log_path(environ),
        "status": status_code,
        "bytes": sent,
        "duration_ms": round(duration.total_seconds() * 1000, 1),
        "remote_addr": environ.get("REMOTE_ADDR"),
        "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
        "user_agent": environ.get("HTTP_USER_AGENT"),
        "protocol": environ.get("SERVER_PROTOCOL"),
    }


class JsonAccessLogger(glogging.Logger):
    """gunicorn's logger, with the access line replaced by one JSON object."""

    def access(self, resp, req, environ, request_time) -> None:
        if not getattr(self, "access_log_enabled", bool(self.cfg.accesslog)):
            return
        try:
            record = access_record(
                environ=environ,
                status=resp.status,
                sent=getattr(resp, "sent", None),
                duration=request_time,
            )
            self.access_log.info(json.dumps(record, ensure_ascii=False))
        except Exception:
            self.error(traceback.format_exc())


logger_class = JsonAccessLogger
