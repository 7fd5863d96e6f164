"""Programme A and programme B share nothing: logins, sessions, caches, background tasks."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context, tenant_context

from conftest import host_client, http_login

GENERIC_ERROR = "Adresse email ou mot de passe incorrect."


@pytest.mark.django_db
def test_participant_of_a_cannot_log_in_on_b_with_the_right_password(world, password):
    # given the right password of someone who is a participant of A only
    client = host_client(world.program_b)
    # when they try to log in on B's host
    response = client.post("/connexion/", {"username": world.mentee_a.email, "password": password})
    # then B refuses with exactly the message of a wrong password, and opens no session
    assert response.status_code == 200
    assert GENERIC_ERROR in response.content.decode()
    assert "_auth_user_id" not in client.session
    wrong = host_client(world.program_b).post(
        "/connexion/", {"username": world.mentee_b.email, "password": "not the password"}
    )
    assert GENERIC_ERROR in wrong.content.decode()


@pytest.mark.django_db
def test_unknown_address_gets_the_same_message(world):
    response = host_client(world.program_a).post(
        "/connexion/", {"username": "nobody@nowhere.example", "password": "whatever-long-pw"}
    )
    assert GENERIC_ERROR in response.content.decode()


@pytest.mark.django_db
def test_participant_logs_in_on_their_programme(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    response = client.get("/espace/")
    assert response.status_code == 200
    assert world.mentee_a.email in response.content.decode()


@pytest.mark.django_db
def test_session_from_a_replayed_on_b_is_anonymous_even_for_a_member_of_both(world, password):
    # given a person who is a participant of A and of B, logged in on A only
    client = host_client(world.program_a)
    http_login(client, world.both.email, password)
    assert client.get("/espace/").status_code == 200
    # when the very same session cookie is sent to B's host
    client.defaults["HTTP_HOST"] = world.program_b.host
    response = client.get("/espace/")
    # then B does not know that session: anonymous, sent to B's login page
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.django_db
def test_session_lives_in_the_schema_of_its_host(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session_model = import_string("django.contrib.sessions.models.Session")
    with tenant_context(world.program_a):
        assert session_model.objects.filter(session_key=session_key).exists()
    with tenant_context(world.program_b):
        assert not session_model.objects.filter(session_key=session_key).exists()
    with schema_context("public"):
        assert not session_model.objects.filter(session_key=session_key).exists()


@pytest.mark.django_db
def test_session_cookie_is_host_only(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    morsel = client.cookies[settings.SESSION_COOKIE_NAME]
    assert morsel["domain"] == ""
    assert morsel["httponly"]


@pytest.mark.django_db
def test_logout_ends_the_session_server_side(world, password):
    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/deconnexion/")
    session_model = import_string("django.contrib.sessions.models.Session")
    with tenant_context(world.program_a):
        assert not session_model.objects.filter(session_key=session_key).exists()


@pytest.mark.django_db
def test_deactivated_participant_is_anonymous_at_once(world, password):
    from tenant_apps.participants.models import Participant
    from tenant_apps.participants.services import participant_deactivate

    client = host_client(world.program_a)
    http_login(client, world.mentee_a.email, password)
    with tenant_context(world.program_a):
        participant_deactivate(participant=Participant.objects.get(user=world.mentee_a))
    assert client.get("/espace/").status_code == 302


def test_cache_value_set_in_a_is_not_seen_in_b(settings, world_programs_cache):
    # given the programme cache (Redis when TEST_REDIS_URL is set, as in CI)
    cache, program_a, program_b = world_programs_cache
    # when A stores a value
    with schema_context(program_a):
        cache.set("dashboard", "A's numbers", 30)
        assert cache.get("dashboard") == "A's numbers"
    # then B, under the same key, sees nothing, and does not overwrite A's value
    with schema_context(program_b):
        assert cache.get("dashboard") is None
        cache.set("dashboard", "B's numbers", 30)
    with schema_context(program_a):
        assert cache.get("dashboard") == "A's numbers"
    cache.delete_many(["dashboard"])


@pytest.fixture
def world_programs_cache():
    """The configured per-programme cache; against real Redis when TEST_REDIS_URL is set."""
    import os
    import uuid

    from django.core.cache.backends.redis import RedisCache

    redis_url = os.environ.get("TEST_REDIS_URL")
    options = {
        k: v for k, v in settings.CACHES["default"].items() if k not in {"BACKEND", "LOCATION"}
    }
    options["KEY_PREFIX"] = f"isolation-{uuid.uuid4().hex}"
    cache = RedisCache(redis_url, options) if redis_url else caches["default"]
    yield cache, "p_schema_a", "p_schema_b"
    connection.set_schema_to_public()


@pytest.mark.django_db
def test_unknown_host_is_a_404_page(world):
    response = host_client(None).get("/", HTTP_HOST=f"nope.{settings.BASE_DOMAIN}")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert "/connexion/" not in response.content.decode()  # no link to a login that is not there


@pytest.mark.django_db
def test_public_host_shows_the_platform_not_a_programme(world):
    response = host_client(None).get("/")
    assert response.status_code == 200
    assert world.program_a.name not in response.content.decode()


@pytest.mark.django_db
def test_programme_home_shows_its_name(world):
    response = host_client(world.program_a).get("/")
    assert response.status_code == 200
    assert "<h1>Programme A</h1>" in response.content.decode()


@pytest.mark.django_db
def test_liveness_answers_on_every_host_without_any_query(world, django_assert_num_queries):
    for host in (world.program_a.host, settings.BASE_DOMAIN, f"unknown.{settings.BASE_DOMAIN}"):
        with django_assert_num_queries(0):
            response = host_client(None).get("/healthz", HTTP_HOST=host)
        assert response.status_code == 200


@pytest.mark.django_db
def test_programme_site_survives_a_cache_outage(world):
    from django.test import override_settings

    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
    caches_setting = {**settings.CACHES, "global": unreachable}
    with override_settings(CACHES=caches_setting):
        response = host_client(world.program_a).get("/")
    assert response.status_code == 200
    assert "Programme A" in response.content.decode()
