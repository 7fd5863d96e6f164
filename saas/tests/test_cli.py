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
