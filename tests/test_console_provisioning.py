"""Creating a programme from the console as `dev.py run` does it: no test transaction around
the request, so the provisioning task queued on commit runs *inside* the console's request
(eager Celery) — with the public site's URLconf active. The same through a real worker is
in test_console_provisioning_worker.py.

The data is committed (like the browser tests), so each test removes what it created."""

import logging
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections, transaction
from django_tenants.utils import schema_exists

from conftest import host_client, http_login
from saas.celery import app
from saas.core.tenancy import connection
from tenants.models import Client, Domain, Program

SLUGS = ("committed-eager", "committed-worker", "committed-raced")


def _remove(slug: str) -> None:
    from shared_apps.accounts.models import ProgramMembership, User

    connection.set_schema_to_public()
    for program in Program.objects.filter(slug=slug):
        emails = list(
            ProgramMembership.objects.filter(program=program).values_list("user__email", flat=True)
        )
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{program.schema_name}" CASCADE')
        ProgramMembership.objects.filter(program=program).delete()
        Domain.objects.filter(tenant=program).delete()
        Program.objects.filter(pk=program.pk).delete()
        User.objects.filter(email__in=emails).exclude(memberships__isnull=False).delete()
    Domain.objects.filter(domain__startswith=f"{slug}.").delete()


class Committed:
    """Runs calls in one other thread: its own database connection, in autocommit (the test's
    own connection stays inside the test transaction and sees what the other one commits)."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1)

    def __call__(self, function, *args, **kwargs):
        return self.executor.submit(function, *args, **kwargs).result()

    def close(self) -> None:
        self.executor.submit(connections.close_all).result()
        self.executor.shutdown()


def _remove_all() -> None:
    for slug in SLUGS:
        _remove(slug)
    connection.set_schema_to_public()


def _traces_now() -> tuple[int, set[int]]:
    from audit.models import AuditEvent
    from shared_apps.accounts.models import RecoveryCodeDevice

    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0, set(RecoveryCodeDevice.objects.values_list("id", flat=True))


def _traces_forget(before: tuple[int, set[int]]) -> None:
    """What the committed requests left in `public` besides the programmes: the platform
    audit rows (logins, console actions) and the super-admin's recovery codes — other tests
    expect neither."""
    from audit.models import AuditEvent
    from shared_apps.accounts.models import RecoveryCodeDevice

    last_audit_id, devices = before
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL binome.audit_purge = 'on'")  # the append-only escape hatch
        cursor.execute(
            f"DELETE FROM {AuditEvent._meta.db_table} WHERE id > %s",
            [last_audit_id],
        )
    RecoveryCodeDevice.objects.exclude(id__in=devices).delete()


@pytest.fixture
def committed(world) -> Iterator[Committed]:
    run = Committed()
    run(_remove_all)
    before = run(_traces_now)
    try:
        yield run
    finally:
        run(_remove_all)
        run(_traces_forget, before)
        run.close()


@pytest.fixture
def console(committed, world, password):
    client = host_client(None)
    committed(http_login, client, world.staff.email, password, second_factor=True)
    return client


def _create(console, slug: str):
    client = Client.objects.get(name="Test organisation")
    return console.post(
        "/console/programmes/nouveau/",
        {
            "client": client.pk,
            "name": f"Programme {slug}",
            "slug": slug,
            "manager_email": f"manager@{slug}.example",
        },
    )


def _wait_until_settled(slug: str, timeout: float = 60) -> Program:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        program = Program.objects.get(slug=slug)
        if program.status != Program.Status.PROVISIONING:
            return program
        time.sleep(0.1)
    raise AssertionError(f"{slug} still provisioning after {timeout}s")


def _invitation(program: Program) -> str:
    """The invitation sent to the first manager (the outbox row's body is wiped once sent,
    since it holds a secret link: read what the email backend received)."""
    from django.core import mail

    to = f"manager@{program.slug}.example"
    deadline = time.monotonic() + 30  # a worker sends it in a task of its own
    while not (sent := [m for m in mail.outbox if m.to == [to]]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(sent) == 1, [message.to for message in mail.outbox]
    return str(sent[0].body)


def _assert_ready_with_a_working_invitation(committed, console, program: Program) -> None:
    assert program.status == Program.Status.READY, program.failure_reason
    assert schema_exists(program.schema_name)
    body = _invitation(program)
    # the link points at the programme's own host, on a route of the programme's site
    match = re.search(r"(https?://[^/\s]+)(/acces/[^\s]+/)", body)
    assert match is not None, body
    origin, path = match.groups()
    assert origin.split("://", 1)[1].split(":")[0] == program.host
    landing = committed(host_client(program).get, path)
    assert landing.status_code in {200, 302}
    page = committed(console.get, f"/console/programmes/{program.pk}/").content.decode()
    assert "Prêt" in page and "NoReverseMatch" not in page


@pytest.mark.django_db
def test_console_creates_a_programme_with_eager_tasks_inside_the_request(committed, console):
    # given the console in dev.py run's configuration: eager tasks, autocommit
    assert app.conf.task_always_eager
    # when the super-admin creates a programme
    response = committed(_create, console, "committed-eager")
    # then the provisioning ran during the request and the programme is ready, its first
    # manager invited with a link to the programme's site
    assert response.status_code == 302
    program = Program.objects.get(slug="committed-eager")
    _assert_ready_with_a_working_invitation(committed, console, program)


def _fail_again_setup(world) -> Program:
    """A programme whose creation failed, and whose host another programme took meanwhile."""
    client = Client.objects.get(name="Test organisation")
    program = Program.objects.create(
        schema_name="p_raced000001",
        client=client,
        name="Programme raced",
        slug="committed-raced",
        first_manager_email="manager@committed-raced.example",
        status=Program.Status.FAILED,
        failure_reason="IntegrityError: earlier",
    )
    Domain.objects.create(domain=program.host, tenant=world.program_b, is_primary=False)
    return program


def _back_to_failed(program: Program) -> None:
    from shared_apps.accounts.models import ProgramMembership

    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{program.schema_name}" CASCADE')
    ProgramMembership.objects.filter(program=program).delete()
    Domain.objects.filter(tenant=program).delete()
    Program.objects.filter(pk=program.pk).update(status=Program.Status.FAILED)


@pytest.mark.django_db
def test_failed_creation_is_explained_retried_honestly_and_deletable(
    committed, console, world, caplog
):
    # given a failed programme whose host was taken meanwhile by another programme (a race)
    program = committed(_fail_again_setup, world)
    base = f"/console/programmes/{program.pk}"
    # when the super-admin retries (the task runs inside the request, eagerly)
    with caplog.at_level(logging.ERROR):
        response = committed(console.post, f"{base}/retry/", follow=True)
    page = response.content.decode()
    # then the console says it failed again, in French, without a raw exception
    program.refresh_from_db()
    assert program.status == Program.Status.FAILED
    assert "C’est fait." not in page and "C'est fait." not in page
    assert "La création a de nouveau échoué" in page
    assert "déjà utilisée par un autre programme" in page
    assert "IntegrityError" not in page and "Traceback" not in page
    # and the traceback went to the logs
    assert any(r.exc_info for r in caplog.records if "p_raced000001" in r.getMessage())
    # when the cause is removed and the super-admin retries again
    committed(lambda: Domain.objects.filter(domain=program.host).delete())
    response = committed(console.post, f"{base}/retry/", follow=True)
    program.refresh_from_db()
    assert program.status == Program.Status.READY
    assert "Le programme est prêt." in response.content.decode()
    # (back to failed, to check that a failed programme can be deleted)
    committed(_back_to_failed, program)
    # when the super-admin deletes the failed programme, after a confirmation page
    confirm = committed(console.get, f"{base}/delete/")
    assert confirm.status_code == 200
    assert "Supprimer" in confirm.content.decode()
    response = committed(console.post, f"{base}/delete/", follow=True)
    # then it is gone and its sub-domain can be used again
    assert response.status_code == 200
    assert not Program.objects.filter(pk=program.pk).exists()
    assert "supprimé" in response.content.decode()
    again = committed(_create, console, "committed-raced")
    assert again.status_code == 302
    assert Program.objects.get(slug="committed-raced").status == Program.Status.READY
