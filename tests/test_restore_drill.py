"""Restore drill (docs/operations.md § Restore one programme): one programme's schema is dumped
with pg_dump, lost, and restored with pg_restore; it works again with the same data, while
another programme keeps serving its participants the whole time.

pg_dump is another connection: it sees committed data only. So this test does not run inside
the usual test transaction: it creates a programme of its own (committed, like the session's
`world`), and deletes it at the end — schema, rows in public, people — without flushing any
shared table. The PostgreSQL client binaries must match the server's major version; they are
looked for at run time (the pgserver wheel, /usr/lib/postgresql/<major>/bin, PATH).
"""

import importlib.util
import io
import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connections
from django_tenants.utils import tenant_context

from conftest import PASSWORD, host_client, http_login
from saas.core.tenancy import connection

if TYPE_CHECKING:  # models are imported once Django is set up
    from conftest import World
    from shared_apps.accounts.models import User
    from tenants.models import Client, Program

pytestmark = pytest.mark.slow

TOOLS = ("pg_dump", "pg_restore", "psql")


def _candidate_bin_dirs() -> Iterator[Path]:
    spec = importlib.util.find_spec("pgserver")  # located, not imported
    if spec is not None and spec.submodule_search_locations:
        yield Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    yield from sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    if found := shutil.which("pg_dump"):
        yield Path(found).resolve().parent


def _major_version(binary: Path) -> int | None:
    try:
        output = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", output)
    return int(match.group(1)) if match else None


def client_binaries(server_major: int) -> Path | None:
    """A directory holding pg_dump, pg_restore and psql of the server's major version."""
    for bin_dir in _candidate_bin_dirs():
        has_tools = all((bin_dir / tool).exists() for tool in TOOLS)
        if has_tools and _major_version(bin_dir / "pg_dump") == server_major:
            return bin_dir
    return None


def libpq_environment() -> dict[str, str]:
    """PG* variables for the test database, from Django's own connection parameters."""
    params = connection.get_connection_params()
    names = {
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "dbname": "PGDATABASE",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: str(v) for k, v in params.items() if k in names and v})
    return env


def run_tool(bin_dir: Path, tool: str, *args: str) -> None:
    result = subprocess.run(
        [str(bin_dir / tool), *args],
        env=libpq_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{tool} failed: {result.stderr}"


def tenant_rows(program: object) -> dict[str, list[tuple]]:
    """Every row of every table of the programme's schema, by model."""
    labels = {apps.get_app_config(name.rsplit(".", 1)[-1]).label for name in settings.TENANT_APPS}
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label in labels and model._meta.managed and not model._meta.proxy
    ]
    with tenant_context(program):
        return {
            model._meta.label: list(model._default_manager.order_by("pk").values_list())
            for model in models
        }


@dataclass
class Drill:
    program: "Program"
    client: "Client"
    users: list["User"] = field(default_factory=list)
    schemas_aside: list[str] = field(default_factory=list)


def drill_programme_create() -> Drill:
    """A programme of the drill's own, committed: a manager invitation (link and e-mail in the
    outbox, from provisioning) and two active participants."""
    from shared_apps.accounts.selectors import User
    from tenant_apps.participants.models import Participant
    from tenant_apps.participants.services import participant_add
    from tenants.models import Program
    from tenants.services import client_create, program_create, program_provision

    suffix = uuid.uuid4().hex[:8]
    client = client_create(name=f"Restore drill {suffix}")
    program = program_create(
        client_id=client.pk,
        name="Programme restauré",
        slug=f"drill-{suffix}",
        manager_email=f"drill-manager-{suffix}@drill.example",
    )
    program_provision(program_id=program.pk)
    program = Program.objects.get(pk=program.pk)
    assert program.status == Program.Status.READY, program.failure_reason
    drill = Drill(program=program, client=client)
    for role, first_name in ((Participant.Role.MENTEE, "Rose"), (Participant.Role.MENTOR, "Yves")):
        user = User.objects.create_user(
            email=f"drill-{role}-{suffix}@drill.example",
            password=PASSWORD,
            first_name=first_name,
        )
        drill.users.append(user)
        with tenant_context(program):
            participant_add(user=user, role=role)
    connection.set_schema_to_public()
    return drill


def drill_programme_delete(drill: Drill) -> None:
    """Remove everything the drill created, and nothing else."""
    from shared_apps.accounts.selectors import User

    connection.set_schema_to_public()
    # the accounts its participants point at: the drill's people and erasure placeholders
    schemas = [drill.program.schema_name, *drill.schemas_aside]
    user_ids = {user.pk for user in drill.users}
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".participants_participant'])
            if cursor.fetchone()[0] is not None:
                cursor.execute(f'SELECT user_id FROM "{schema}".participants_participant')
                user_ids.update(row[0] for row in cursor.fetchall())
    drill.program.delete(force_drop=True)  # the schema, then the row (domains, memberships)
    with connection.cursor() as cursor:
        for schema in drill.schemas_aside:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    User.objects.filter(pk__in=user_ids).delete()
    User.objects.filter(email__startswith="drill-", email__endswith="@drill.example").delete()
    drill.client.delete()
    caches["global"].clear()


class ProgrammeWatcher(threading.Thread):
    """A participant of another programme using it without pause, on its own connection."""

    def __init__(self, program: object, email: str) -> None:
        super().__init__(daemon=True)
        self.program, self.email = program, email
        self.statuses: list[int] = []
        self.errors: list[str] = []
        self.logged_in = threading.Event()
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            client = host_client(self.program)
            client.raise_request_exception = False
            http_login(client, self.email)
            self.logged_in.set()
            while not self.stopping.is_set():
                self.statuses.append(client.get("/espace/").status_code)
                time.sleep(0.01)
            client.post("/deconnexion/")  # its session row goes
        except Exception as exc:
            self.errors.append(repr(exc))
            self.logged_in.set()
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        if self.ident is not None:  # started
            self.join(timeout=60)


def on_own_connection(function: Callable[..., None], *args: object) -> None:
    """Run `function` in a thread, hence on a connection of its own in autocommit: what it
    writes is committed at once, as pg_dump needs. The test's own connection, inside the test
    transaction, is not used at all, so it holds no lock that would block DROP SCHEMA."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            function(*args)
        except BaseException as exc:  # pytest.skip and assertion errors included
            failure.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


# The mark makes pytest-django set the test database up; the drill runs on its own connection.
@pytest.mark.django_db
def test_one_programme_is_restored_from_its_dump_while_another_keeps_serving(world, tmp_path):
    on_own_connection(restore_drill, world, tmp_path)


def restore_drill(world: "World", tmp_path: Path) -> None:
    from tenants.services import program_set_status

    server_major = connection.pg_version // 10000
    bin_dir = client_binaries(server_major)
    if bin_dir is None:
        pytest.skip(
            f"no pg_dump/pg_restore/psql of PostgreSQL {server_major} found (pgserver "
            f"wheel, /usr/lib/postgresql/{server_major}/bin, PATH): a dump from another "
            "major version is not a faithful drill"
        )
    drill = drill_programme_create()
    watcher = ProgrammeWatcher(world.program_b, world.mentee_b.email)
    try:
        schema = drill.program.schema_name
        before = tenant_rows(drill.program)
        assert len(before["participants.Participant"]) == 3  # manager invited, two people
        watcher.start()
        assert watcher.logged_in.wait(30) and not watcher.errors, watcher.errors

        # given last night's backup of the programme, and only of it
        dump = tmp_path / f"{schema}.dump"
        run_tool(bin_dir, "pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}")
        # and, after the backup, Rose erased in production (her identity too: in no other
        # programme)
        rose = _erase_in_production(drill, drill.users[0])
        # when the programme is paused, its damaged schema set aside, and the backup restored
        program_set_status(program=drill.program, action="pause")
        damaged = f"{schema}_damaged"
        run_tool(
            bin_dir,
            "psql",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            f'ALTER SCHEMA "{schema}" RENAME TO "{damaged}"',
        )
        drill.schemas_aside.append(damaged)
        while_lost = host_client(drill.program).get("/")
        run_tool(
            bin_dir,
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        )
        # then it has exactly the same rows again, Rose's whole record included
        assert tenant_rows(drill.program) == before
        # and the reconciliation erases her again before the programme is resumed
        out = io.StringIO()
        call_command(
            "restore_reconcile",
            "--program",
            drill.program.slug,
            "--production-schema",
            damaged,
            stdout=out,
        )
        connection.set_schema_to_public()
        assert f"1 erased: [{rose}]" in out.getvalue(), out.getvalue()
        with tenant_context(drill.program):
            from tenant_apps.participants.models import Participant

            assert Participant.objects.get(pk=rose).status == Participant.Status.ERASED
            assert not Participant.objects.filter(user_id=drill.users[0].pk).exists()
        program_set_status(program=drill.program, action="resume")
        watcher.stop()

        # and, while lost, the paused programme showed its notice, not an error
        assert while_lost.status_code == 503
        # and it works: its other participant logs in, a new participant can be added
        client = host_client(drill.program)
        http_login(client, drill.users[1].email)
        page = client.get("/espace/")
        assert page.status_code == 200
        assert drill.users[1].email in page.content.decode()
        _participant_added_after_restore(drill, before)
        # and no migration is missing in the restored schema
        from saas.project.health import schemas_behind

        assert schemas_behind([schema]) == {}
        # and the other programme answered every request during the whole drill
        assert watcher.errors == []
        assert len(watcher.statuses) >= 5
        assert set(watcher.statuses) == {200}
    finally:
        watcher.stop()
        drill_programme_delete(drill)


def _erase_in_production(drill: Drill, user: "User") -> int:
    """Erase `user` from the drill's programme as production would (committed); returns the id
    of their participant row."""
    from tenant_apps.participants.models import Participant
    from tenant_apps.privacy.services.erasure import participant_erase

    with tenant_context(drill.program):
        participant = Participant.objects.get(user=user)
        participant_erase(participant=participant, by=None)
    connection.set_schema_to_public()
    return participant.pk


def _participant_added_after_restore(drill: Drill, before: dict[str, list[tuple]]) -> None:
    """The sequences came back with the tables: a new row takes the next id."""
    from shared_apps.accounts.selectors import User
    from tenant_apps.participants.models import Participant
    from tenant_apps.participants.services import participant_add

    user = User.objects.create_user(
        email=f"drill-late-{uuid.uuid4().hex[:8]}@drill.example", password=PASSWORD
    )
    drill.users.append(user)
    with tenant_context(drill.program):
        participant = participant_add(user=user, role=Participant.Role.MENTEE)
    connection.set_schema_to_public()
    assert participant.pk > max(row[0] for row in before["participants.Participant"])
