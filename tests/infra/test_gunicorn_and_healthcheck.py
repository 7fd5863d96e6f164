"""gunicorn's configuration (sizing from the environment, JSON access log without query strings)
and the container health check, exercised for real against a loopback server."""

import datetime
import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

from gunicorn.config import Config

from tests.infra.hcl_tree import REPO_ROOT

DOCKER_DIR = REPO_ROOT / "infra" / "docker"


def load(path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gunicorn_conf():
    return load(DOCKER_DIR / "gunicorn.conf.py", "binome_gunicorn_conf")


def environ(**overrides) -> dict:
    base = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/inscription/confirmer",
        "QUERY_STRING": "token=s3cr3t-signed-token",
        "RAW_URI": "/inscription/confirmer?token=s3cr3t-signed-token",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_HOST": "acme.binome.fr",
        "HTTP_X_REQUEST_ID": "req-42",
        "HTTP_REFERER": "https://acme.binome.fr/?token=s3cr3t-signed-token",
        "HTTP_USER_AGENT": "pytest",
    }
    base.update(overrides)
    return base


def test_workers_and_threads_come_from_the_environment(monkeypatch):
    # given
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_THREADS", "8")

    # when
    conf = gunicorn_conf()

    # then
    assert (conf.workers, conf.threads, conf.worker_class) == (5, 8, "gthread")
    assert conf.bind == "0.0.0.0:8000"
    assert conf.timeout == 30
    assert conf.graceful_timeout == 30
    assert conf.accesslog == "-"
    assert conf.logger_class is conf.JsonAccessLogger


def test_one_thread_means_sync_workers(monkeypatch):
    # given
    monkeypatch.setenv("GUNICORN_THREADS", "1")
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)

    # when
    conf = gunicorn_conf()

    # then
    assert (conf.workers, conf.worker_class) == (2, "sync")


def test_workers_are_preloaded_and_recycled_rarely_with_jitter(monkeypatch):
    # given the container's environment, which sets neither
    monkeypatch.delenv("GUNICORN_PRELOAD", raising=False)
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)

    # when
    conf = gunicorn_conf()

    # then the application is loaded once, before the fork, and a worker lives long
    assert conf.preload_app is True
    assert conf.max_requests >= 50_000
    assert conf.max_requests_jitter == conf.max_requests // 10 > 0
    # and the master hands workers no database connection of its own
    assert callable(conf.pre_fork) and callable(conf.when_ready)


def test_preloading_and_recycling_can_be_turned_off(monkeypatch):
    # given
    monkeypatch.setenv("GUNICORN_PRELOAD", "0")
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "0")

    # when
    conf = gunicorn_conf()

    # then
    assert (conf.preload_app, conf.max_requests, conf.max_requests_jitter) == (False, 0, 0)


def test_access_record_has_the_request_id_and_no_query_string():
    # given
    conf = gunicorn_conf()

    # when
    record = conf.access_record(
        environ=environ(),
        status="200 OK",
        sent=512,
        duration=datetime.timedelta(milliseconds=12, microseconds=300),
    )

    # then
    assert record["request_id"] == "req-42"
    assert record["path"] == "/inscription/confirmer"
    assert record["status"] == 200
    assert record["duration_ms"] == 12.3
    assert "s3cr3t" not in json.dumps(record)


def test_access_log_is_one_json_object_per_line(capsys):
    # given
    conf = gunicorn_conf()
    config = Config()
    config.set("accesslog", "-")
    logger = conf.JsonAccessLogger(config)
    response = SimpleNamespace(status="404 Not Found", sent=0, headers=[])

    # when
    logger.access(response, SimpleNamespace(headers=[]), environ(), datetime.timedelta(seconds=1))
    lines = capsys.readouterr().out.strip().splitlines()

    # then
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert (record["status"], record["request_id"], record["duration_ms"]) == (
        404,
        "req-42",
        1000.0,
    )
    assert "token" not in lines[0]


class _HealthHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        healthy = self.path == "/healthz" and self.headers["Host"] == "binome.test"
        self.send_response(200 if healthy else 400)
        self.end_headers()

    def log_message(self, *args):
        pass


def serve_once() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HealthHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/healthz"


def test_health_check_passes_with_the_base_domain_as_host(monkeypatch):
    # given
    monkeypatch.setenv("BASE_DOMAIN", "binome.test")
    healthcheck = load(DOCKER_DIR / "healthcheck.py", "binome_healthcheck")
    server, url = serve_once()

    # when
    try:
        status = healthcheck.main(url)
    finally:
        server.shutdown()

    # then
    assert status == 0


def test_health_check_fails_when_the_host_is_refused(monkeypatch):
    # given
    monkeypatch.setenv("BASE_DOMAIN", "other.test")
    healthcheck = load(DOCKER_DIR / "healthcheck.py", "binome_healthcheck")
    server, url = serve_once()

    # when
    try:
        status = healthcheck.main(url)
    finally:
        server.shutdown()

    # then
    assert status == 1


def test_health_check_fails_when_nothing_listens():
    # given
    healthcheck = load(DOCKER_DIR / "healthcheck.py", "binome_healthcheck")
    server, url = serve_once()
    server.shutdown()
    server.server_close()

    # when
    status = healthcheck.main(url)

    # then
    assert status == 1
    assert healthcheck.HEALTH_URL == "http://127.0.0.1:8000/healthz"
