"""Throttling across programmes, session lifetimes, logging out everywhere, password changes."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
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
