"""Throttling across programmes, session lifetimes, logging out everywhere, password changes."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from conftest import host_client, http_login
from saas.core.tenancy import connection
from shared_apps.accounts.middleware import SESSION_SEEN, SESSION_STARTED


@pytest.mark.django_db
@override_settings(LOGIN_FAILURES_PER_IP=3)
def test_failures_from_one_address_lock_that_address(world, password):
    client = host_client(world.program_a)
    for index in range(3):
        client.post("/connexion/", {"username": f"x{index}@a.example", "password": "nope nope"})
    response = client.post("/connexion/", {"username": world.mentee_a.email, "password": password})
    assert "Trop de tentatives échouées depuis votre réseau" in response.content.decode()
    other_address = host_client(world.program_a)
    other_address.defaults["REMOTE_ADDR"] = "10.9.8.7"
    http_login(other_address, world.mentee_a.email, password)


def _age_session(program, client, *, seen_ago: int, started_ago: int) -> None:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    with tenant_context(program):
        session = SessionStore(session_key=key)
        now = int(time.time())
        session[SESSION_SEEN] = now - seen_ago
        session[SESSION_STARTED] = now - started_ago
        session.save()
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_session_ends_after_30_minutes_idle(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    _age_session(world.program_a, client, seen_ago=29 * 60, started_ago=29 * 60)
    assert client.get("/espace/").status_code == 200  # still alive, and refreshed
    _age_session(world.program_a, client, seen_ago=31 * 60, started_ago=40 * 60)
    response = client.get("/espace/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


@pytest.mark.django_db
def test_session_ends_after_12_hours_even_when_active(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    _age_session(world.program_a, client, seen_ago=60, started_ago=12 * 3600 + 1)
    assert client.get("/espace/").status_code == 302


@pytest.mark.django_db
def test_log_out_everywhere_ends_sessions_in_every_programme(world, password):
    on_a, on_b = host_client(world.program_a), host_client(world.program_b)
    http_login(on_a, world.both.email, password)
    http_login(on_b, world.both.email, password)
    response = on_a.post("/compte/deconnexion-partout/")
    assert response.status_code == 302
    assert on_a.get("/espace/").status_code == 302
    assert on_b.get("/espace/").status_code == 302


def _replay(program, cookie: str):
    """A second browser presenting `cookie` (a copied session cookie) on `program`'s host."""
    replayed = host_client(program)
    replayed.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return replayed


def _session_cached(program, key: str) -> bool:
    with tenant_context(program):
        cached = SessionStore(session_key=key).cache_key in caches[settings.SESSION_CACHE_ALIAS]
    connection.set_schema_to_public()
    return cached


@pytest.mark.django_db
def test_a_signed_in_page_reads_the_session_from_the_cache(world, password):
    # sessions are cached_db: written to the table and the programme's cache, read from the cache
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert _session_cached(world.program_a, key)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/espace/").status_code == 200
    connection.set_schema_to_public()
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"]]


@pytest.mark.django_db
def test_a_session_ended_by_log_out_everywhere_is_refused_though_still_cached(world, password):
    # given the same person signed in on two devices of programme A
    device, other = host_client(world.program_a), host_client(world.program_a)
    http_login(device, world.both.email, password)
    http_login(other, world.both.email, password)
    other_key = other.cookies[settings.SESSION_COOKIE_NAME].value
    assert other.get("/espace/").status_code == 200
    # when they log out everywhere from the first one
    assert device.post("/compte/deconnexion-partout/").status_code == 302
    # then the other session's copy is still in the cache (nothing deleted it behind the cache)
    assert _session_cached(world.program_a, other_key)
    # and yet it is refused (its auth hash no longer matches the account's session_version),
    # and the refusal ends it: the row and the cached copy are gone
    response = _replay(world.program_a, other_key).get("/espace/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    assert not _session_cached(world.program_a, other_key)
    with tenant_context(world.program_a):
        assert not Session.objects.filter(session_key=other_key).exists()
    connection.set_schema_to_public()
    assert _replay(world.program_a, other_key).get("/espace/").status_code == 302


@pytest.mark.django_db
def test_a_session_logged_out_is_refused_when_its_cookie_is_replayed(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert _replay(world.program_a, key).get("/espace/").status_code == 200
    client.post("/deconnexion/")
    # logging out flushed the row and the cached copy
    assert not _session_cached(world.program_a, key)
    response = _replay(world.program_a, key).get("/espace/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


@pytest.mark.django_db
def test_password_change_keeps_this_session_and_ends_the_others(world, password):
    here, elsewhere = host_client(world.program_a), host_client(world.program_b)
    http_login(here, world.both.email, password)
    http_login(elsewhere, world.both.email, password)
    new = "un tout nouveau mot de passe solide"
    wrong = here.post(
        "/compte/mot-de-passe/",
        {"old_password": "not it at all", "new_password": new, "new_password_confirm": new},
    )
    assert "Mot de passe incorrect." in wrong.content.decode()
    response = here.post(
        "/compte/mot-de-passe/",
        {"old_password": password, "new_password": new, "new_password_confirm": new},
    )
    assert response.status_code == 302
    assert here.get("/espace/").status_code == 200
    assert elsewhere.get("/espace/").status_code == 302
    world.both.refresh_from_db()
    assert world.both.check_password(new)


@pytest.mark.django_db
def test_short_or_common_passwords_are_refused(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    for weak in ("court", "password1234", "123456789012"):
        response = client.post(
            "/compte/mot-de-passe/",
            {"old_password": password, "new_password": weak, "new_password_confirm": weak},
        )
        assert response.status_code == 200
    world.mentee_a.refresh_from_db()
    assert world.mentee_a.check_password(password)


def test_passwords_are_hashed_with_argon2_outside_tests():
    from django.conf import settings as django_settings

    from saas.settings import base

    assert base.PASSWORD_HASHERS[0] == "shared_apps.accounts.hashers.OwaspArgon2PasswordHasher"
    assert any(
        "MinimumLength" in v["NAME"] and v["OPTIONS"]["min_length"] >= 12
        for v in base.AUTH_PASSWORD_VALIDATORS
    )
    assert django_settings.AUTH_PASSWORD_VALIDATORS == base.AUTH_PASSWORD_VALIDATORS
