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
# Recycle workers now and then (slow leaks), not all at once.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Heartbeat files in memory: the root filesystem is read-only in production.
SHARED_MEMORY = "/dev/shm"  # noqa: S108 (gunicorn's worker heartbeat files, private to gunicorn)
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
# Off by default: with it, the application is imported before the fork, and anything that
# starts a thread at import (a connection pool, an SDK) would be forked half-alive.
preload_app = os.environ.get("GUNICORN_PRELOAD", "").lower() in {"1", "true", "yes"}

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
