"""`python3 dev.py run` listens on loopback unless HOST asks otherwise (the demo password is
published in the README)."""

from saas.cli import database_ensure, server_address


def test_run_listens_on_loopback_by_default():
    assert server_address({}) == "127.0.0.1:8000"
    assert server_address({"PORT": "8123"}) == "127.0.0.1:8123"


def test_host_opens_another_interface_on_request():
    assert server_address({"HOST": "0.0.0.0", "PORT": "8123"}) == "0.0.0.0:8123"
    assert server_address({"HOST": "::1"}) == "[::1]:8000"


def test_run_creates_the_database_that_database_url_names_when_missing():
    """`DATABASE_URL=…/new_db python3 dev.py run` on a server without that database creates it
    (as createdb would) instead of failing at the first migration."""
    import uuid

    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    name = f"binome_cli_{uuid.uuid4().hex[:8]}"
    url = psycopg.conninfo.make_conninfo(
        "", **{k: v for k, v in params.items() if k in {"host", "port", "user", "password"}}
    )
    target = psycopg.conninfo.make_conninfo(url, dbname=name)
    try:
        assert database_ensure(target) is True
        psycopg.connect(target).close()  # it exists now
        assert database_ensure(target) is False  # and is left alone the second time
    finally:
        with psycopg.connect(url, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_an_unreachable_server_stops_with_one_clear_line():
    import pytest

    with pytest.raises(SystemExit, match="cannot use DATABASE_URL"):
        database_ensure("postgres://nobody@127.0.0.1:1/binome")


def test_the_suite_runs_in_one_worker_per_core_a_file_per_worker(monkeypatch):
    from saas.cli import pytest_args, test_workers

    monkeypatch.delenv("TEST_WORKERS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert test_workers() == 2
    monkeypatch.setattr("os.cpu_count", lambda: 64)
    assert test_workers() == 4  # each worker has its own test database: more would wait
    assert pytest_args(["-q", "-m", "not e2e"], workers=2) == [
        "-n", "2", "--dist", "loadfile", "-q", "-m", "not e2e",
    ]  # fmt: skip


def test_a_chosen_worker_count_or_a_debugger_is_left_alone(monkeypatch):
    import pytest

    from saas.cli import pytest_args, test_workers

    for args in (["-n", "0"], ["-n0"], ["--numprocesses=3"], ["-p", "no:xdist"], ["-x", "--pdb"]):
        assert pytest_args(args, workers=2) == args
    assert pytest_args(["-q"], workers=1) == ["-q"]
    monkeypatch.setenv("TEST_WORKERS", "1")
    assert test_workers() == 1
    monkeypatch.setenv("TEST_WORKERS", "two")
    with pytest.raises(SystemExit, match="TEST_WORKERS must be a whole number"):
        test_workers()
