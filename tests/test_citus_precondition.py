"""The precondition of Citus schema-based sharding (docs/scaling.md): no statement joins a
programme schema's tables with `public` tables other than the ones that become Citus
reference tables (copied to every node). Each programme schema becomes a distributed schema
living on one worker node; a statement touching its tables and a public table that is not a
reference table would need data from two nodes.

The SQL is captured (connection.execute_wrapper) over a representative run: every URL pattern
of the programme URLconf requested as each role (anonymous, mentee, mentor, manager; GET and
POST, discovered from the resolver like the isolation walk), every pattern of the public
URLconf as a super-admin, and every periodic job of CELERY_BEAT_SCHEDULE (fanning out to each
programme, eagerly). Tables are read from each statement (quoted or bare identifiers, and
`schema.table` forms) and classified by which side defines them: TENANT_APPS models live in
each programme schema (contenttypes and sessions too, though they also exist in public: the
search path finds the programme's copy first), the other SHARED_APPS models in public only.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django_tenants.utils import get_public_schema_name, tenant_context

from conftest import host_client, http_login
from saas.celery import app as celery_app
from saas.core.tenancy import connection
from tenant_apps.meetings.tests.factories import confirmed, pair_create
from tenant_apps.video.tests.fixtures import whereby_fake  # noqa: F401 - fixture
from tests.isolation import endpoints

# Public tables a programme's statements may join: they become Citus reference tables (small,
# rarely written, read with programme data). Anything else in public stays on the coordinator.
REFERENCE_TABLES = {
    "accounts_user",  # people: one identity across programmes (DESIGN §2)
    "tenants_program",  # the tenant row itself (middleware, settings)
    "tenants_domain",
    "tenants_client",
}

IDENT = re.compile(
    r'"?([A-Za-z_][A-Za-z0-9_]*)"?\s*\.\s*"?([A-Za-z_][A-Za-z0-9_]*)"?'
    r'|"?([A-Za-z_][A-Za-z0-9_]*)"?'
)


def _app_label(dotted: str) -> str:
    for config in apps.get_app_configs():
        if config.name == dotted:
            return config.label
    raise LookupError(dotted)


def table_sides() -> tuple[set[str], set[str]]:
    """(tables in every programme schema, tables in public only)."""
    tenant_labels = {_app_label(name) for name in settings.TENANT_APPS}
    shared_labels = {_app_label(name) for name in settings.SHARED_APPS}
    programme, public = set(), set()
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.app_label
        if label in tenant_labels:
            programme.add(model._meta.db_table)
        elif label in shared_labels:
            public.add(model._meta.db_table)
    return programme, public


@dataclass
class Statement:
    schema: str
    sql: str


@dataclass
class Capture:
    statements: list[Statement] = field(default_factory=list)

    def __call__(self, execute, sql, params, many, context):
        schema = getattr(context["connection"], "schema_name", get_public_schema_name())
        self.statements.append(Statement(schema, str(sql)))
        return execute(sql, params, many, context)


def referenced(sql: str, programme: set[str], public: set[str]) -> tuple[set[str], set[str]]:
    """(programme tables, public-only tables) a statement names. A `p_x.table` form is a
    programme table whatever its name; `public.table` a public one."""
    ours: set[str] = set()
    theirs: set[str] = set()
    for qualifier, qualified, bare in IDENT.findall(sql):
        if qualifier:
            if qualifier == get_public_schema_name():
                (theirs if qualified in public else ours).add(qualified)
            elif qualified in programme:
                ours.add(qualified)
            elif qualified in public:  # a column "table"."column": the qualifier is a table
                pass
            if qualifier in programme:
                ours.add(qualifier)
            elif qualifier in public:
                theirs.add(qualifier)
            continue
        if bare in programme:
            ours.add(bare)
        elif bare in public:
            theirs.add(bare)
    return ours, theirs


def violations(statements: list[Statement]) -> dict[str, str]:
    programme, public = table_sides()
    found: dict[str, str] = {}
    for statement in statements:
        ours, theirs = referenced(statement.sql, programme, public)
        outside = theirs - REFERENCE_TABLES
        if ours and outside:
            key = f"{sorted(ours)} with {sorted(outside)}"
            found.setdefault(key, statement.sql[:400])
    return found


@pytest.fixture
def captured() -> Iterator[Capture]:
    capture = Capture()
    with connection.execute_wrapper(capture):
        yield capture


def _signed_in(label: str, world, password, pair):
    """A client on programme A signed in as `label` (managers with their second factor)."""
    client = host_client(world.program_a)
    if label == "manager":
        http_login(client, world.manager_a.email, password, second_factor=True)
    elif label != "anonymous":
        user = {"mentee": pair.mentee.user, "mentor": pair.mentor.user}[label]
        with tenant_context(world.program_a):
            client.force_login(user, backend="tenant_apps.participants.backends.ParticipantBackend")
    connection.set_schema_to_public()
    client.raise_request_exception = False  # a 500 is not this test's business
    return client


def _signs_out(url: str) -> bool:
    return any(word in url for word in ("deconnexion", "logout"))


def _walk_programme(world, password, pair) -> int:
    """Every programme URL, GET then POST, as each role; a role sent to the login page (a page
    that signs out, rotates or ends the session) is signed in again for the next URL."""
    labels = ("anonymous", "mentee", "mentor", "manager")
    clients = {label: _signed_in(label, world, password, pair) for label in labels}
    requests = 0
    for endpoint in endpoints(settings.ROOT_URLCONF):
        for label in labels:
            for method in ("get", "post"):
                if method == "post" and _signs_out(endpoint.url):
                    continue
                response = getattr(clients[label], method)(endpoint.url)
                requests += 1
                location = response.get("Location", "") if response.status_code == 302 else ""
                if label != "anonymous" and "/connexion/" in location:
                    clients[label] = _signed_in(label, world, password, pair)
    return requests


def _walk_public(world, password) -> int:
    client = host_client(None)
    http_login(client, world.staff.email, password, second_factor=True)
    client.raise_request_exception = False
    requests = 0
    for endpoint in endpoints(settings.PUBLIC_SCHEMA_URLCONF):
        if _signs_out(endpoint.url):
            continue
        client.get(endpoint.url)
        requests += 1
    return requests


def _run_periodic_jobs() -> int:
    celery_app.loader.import_default_modules()  # every app's tasks module, as a worker does
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        # by its Celery name (a beat task that moved keeps its old name: tenants/tasks.py)
        celery_app.tasks[entry["task"]].apply().get()
    connection.set_schema_to_public()
    return len(settings.CELERY_BEAT_SCHEDULE)


@pytest.mark.django_db
def test_no_statement_joins_a_programme_with_public_tables_outside_the_reference_list(
    world,
    password,
    whereby_fake,  # noqa: F811
    captured,
):
    # given programme A with a pair and a confirmed meeting, so that pages and jobs read data
    pair = pair_create(
        world.program_a,
        mentee=("lea.martin@a.example", "Léa", "Martin"),
        mentor=("hugo.bernard@a.example", "Hugo", "Bernard"),
    )
    with tenant_context(world.program_a):
        confirmed(pair, starts_in=timedelta(hours=20))
    connection.set_schema_to_public()
    captured.statements.clear()

    # when every programme URL is requested as each role, every console URL as a super-admin,
    # and every periodic job runs
    requests = _walk_programme(world, password, pair)
    requests += _walk_public(world, password)
    jobs = _run_periodic_jobs()

    # then statements touching programme tables were captured, and none of them also named a
    # public table outside the reference tables
    programme, public = table_sides()
    touching = [s for s in captured.statements if referenced(s.sql, programme, public)[0]]
    assert requests > 100 and jobs >= 5
    assert len(touching) > 500
    assert violations(captured.statements) == {}
    # (and the parser does see joins in real SQL: participants read with their user row)
    joined = set().union(*(referenced(s.sql, programme, public)[1] for s in touching))
    assert "accounts_user" in joined, sorted(joined)
    print(
        f"{requests} requests, {jobs} jobs, {len(touching)} programme statements; "
        f"public tables read with programme tables: {sorted(joined)}"
    )


def test_the_classifier_sees_a_join_with_a_public_table():
    # given statements Django would write, and a raw one
    programme, public = table_sides()
    assert {"meetings_meeting", "participants_participant"} <= programme
    assert {"accounts_user", "tenants_program"} <= public
    audit = next(iter(sorted(public - REFERENCE_TABLES)))
    statements = [
        Statement("p_1", 'SELECT "meetings_meeting"."id" FROM "meetings_meeting"'),
        Statement(
            "p_1",
            'SELECT 1 FROM "participants_participant" INNER JOIN "accounts_user" '
            'ON ("participants_participant"."user_id" = "accounts_user"."id")',
        ),
        Statement("p_1", f"SELECT 1 FROM meetings_meeting m JOIN {audit} a ON a.id = m.id"),
    ]
    # then only the join with a non-reference public table is reported
    found = violations(statements)
    assert list(found) == [f"['meetings_meeting'] with ['{audit}']"]
