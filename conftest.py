"""Fixtures shared by every test: two ready programmes (A and B) created once per run with the
real provisioning service, people in them, and clients that talk to each programme's host."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from django.core.cache import caches
from django.test import Client
from django_tenants.utils import tenant_context

from saas.core.tenancy import connection

if TYPE_CHECKING:  # models are imported once Django is set up
    from shared_apps.accounts.models import User
    from tenants.models import Program

# Registered here, the root, so that pytest-xdist's controller runs it too (tests/e2e/axe_count.py).
pytest_plugins = ["tests.e2e.axe_count"]

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    program_a: "Program"
    program_b: "Program"
    staff: "User"
    mentee_a: "User"  # participant of A only
    manager_a: "User"
    mentee_b: "User"  # participant of B only
    both: "User"  # participant of A and B: one identity, two programmes


def _make_world() -> World:
    from shared_apps.accounts.models import User
    from tenant_apps.participants.models import Participant
    from tenant_apps.participants.services import participant_add
    from tenants.models import Program
    from tenants.services import client_create, program_create, program_provision

    client = client_create(name="Test organisation")
    programs = []
    for slug in ("prog-a", "prog-b"):
        program = program_create(
            client_id=client.pk,
            name=f"Programme {slug[-1].upper()}",
            slug=slug,
            manager_email=f"first-manager@{slug}.example",
        )
        program_provision(program_id=program.pk)
        program = Program.objects.get(pk=program.pk)
        assert program.status == Program.Status.READY, program.failure_reason
        programs.append(program)

    def user(email: str, **extra: object) -> User:
        return User.objects.create_user(email=email, password=PASSWORD, **extra)

    staff = user("staff@binome.example", is_staff=True)
    mentee_a, manager_a = user("mentee-a@a.example"), user("manager-a@a.example")
    mentee_b, both = user("mentee-b@b.example"), user("both@ab.example")
    with tenant_context(programs[0]):
        participant_add(user=mentee_a, role=Participant.Role.MENTEE)
        participant_add(user=manager_a, role=Participant.Role.MANAGER)
        participant_add(user=both, role=Participant.Role.MENTOR)
    with tenant_context(programs[1]):
        participant_add(user=mentee_b, role=Participant.Role.MENTEE)
        participant_add(user=both, role=Participant.Role.MENTEE)
    connection.set_schema_to_public()
    return World(programs[0], programs[1], staff, mentee_a, manager_a, mentee_b, both)


@pytest.fixture(scope="session")
def world(django_db_setup: None, django_db_blocker: object) -> World:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return _make_world()


@pytest.fixture(autouse=True)
def _public_schema_and_clean_caches() -> Iterator[None]:
    """Every test starts and ends on the public schema with empty caches."""
    connection.set_schema_to_public()
    for alias in ("default", "global"):
        caches[alias].clear()
    yield
    connection.set_schema_to_public()


def host_client(program: object) -> Client:
    """A test client whose requests go to `program`'s host (the public site for None)."""
    from django.conf import settings

    host = settings.BASE_DOMAIN if program is None else program.host  # type: ignore[attr-defined]
    return Client(HTTP_HOST=host)


def http_login(
    client: Client, email: str, password: str = PASSWORD, *, second_factor: bool = False
) -> None:
    """Log in through the login page of the client's host, as a person would. With
    `second_factor`, the person has two-step verification and gives one of their recovery
    codes on the verification page (TOTP is exercised in the accounts tests)."""
    code = None
    if second_factor:
        from shared_apps.accounts.otp import recovery_codes_generate
        from shared_apps.accounts.selectors import user_by_email

        connection.set_schema_to_public()
        user = user_by_email(email=email)
        assert user is not None, email
        code = recovery_codes_generate(user=user)[0]
    response = client.post("/connexion/", {"username": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    if code is not None:
        response = client.post("/compte/verification/", {"token": code})
        assert response.status_code == 302, response.content.decode()[:2000]


def logged_in(program: object, email: str, **options: bool) -> Client:
    """A client of `program`'s host, logged in as `email` (see http_login for the options)."""
    client = host_client(program)
    http_login(client, email, PASSWORD, **options)
    return client


@contextmanager
def audit_rows_refused(program: object) -> Iterator[None]:
    """While inside, the programme's audit table refuses every new row (a trigger raising in
    PostgreSQL), as a full disk or a broken constraint would."""
    from audit.models import AuditEvent

    schema = program.schema_name  # type: ignore[attr-defined]
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE FUNCTION "{schema}".test_refuse_audit() RETURNS trigger LANGUAGE plpgsql '
            "AS $$ BEGIN RAISE EXCEPTION 'audit row refused by the test'; END $$"
        )
        cursor.execute(
            f'CREATE TRIGGER test_refuse_audit BEFORE INSERT ON "{schema}"."{table}" '
            f'FOR EACH ROW EXECUTE FUNCTION "{schema}".test_refuse_audit()'
        )
    try:
        yield
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TRIGGER test_refuse_audit ON "{schema}"."{table}"')
            cursor.execute(f'DROP FUNCTION "{schema}".test_refuse_audit()')


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def manager_client(world: World) -> Client:
    """Programme A's manager, logged in on A's site through the login page with their second
    factor: the one manager fixture of every app's tests."""
    client = host_client(world.program_a)
    http_login(client, world.manager_a.email, second_factor=True)
    return client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that starts a live Celery worker is slow (a developer deselects it with
    `-m "not e2e and not slow"`; CI runs everything): marked here, from the fixture it asks
    for, so a new one cannot be forgotten."""
    for item in items:
        if "live_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def live_worker(world: World) -> Iterator[None]:
    """The project's Celery app with eager mode off, and a worker thread on the test broker
    (RabbitMQ in CI, Kombu's in-memory transport otherwise) for the tests of one module. Started
    after the programmes exist: a worker started mid-test closes the test's connection."""
    from celery.contrib.testing.worker import start_worker
    from celery.worker import state

    from saas.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="threads", concurrency=1, perform_ping_check=False, loglevel="WARNING"
        ):
            yield
            # Stopping: the worker's event loop notices the stop flag only between two polls,
            # and with no heartbeat it polls up to 10 s between timers (10 s per module spent
            # waiting). Raise the flag as start_worker's exit would, then wake the loop with a
            # control message.
            state.should_terminate = 0  # type: ignore[assignment]  # stubs say None; celery sets ints
            app.control.ping(timeout=0.2)
    finally:
        app.conf.task_always_eager = True
        if not app.conf.broker_url.startswith("memory"):
            with app.connection_for_write() as conn:
                conn.default_channel.queue_delete(app.conf.task_default_queue)
