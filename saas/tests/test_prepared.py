"""saas.core.prepared: a query compiled once, run with new values, giving what the ORM gives."""

import datetime
from unittest import mock

import pytest
from django.db.models import Count, Q
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from saas.core.prepared import PreparedQuery
from tenants.models import Program, ProgramSnapshot

pytestmark = pytest.mark.django_db

SENTINEL = -2_000_000_001


def _snapshots(pk: int):
    return ProgramSnapshot.objects.select_related("program").filter(pk=pk).order_by()[:1]


@pytest.fixture
def snapshot(world) -> ProgramSnapshot:
    return ProgramSnapshot.objects.create(
        program=world.program_a,
        day=datetime.date(2026, 11, 30),
        figures={"registered": 12, "by_role": {"mentee": [7, 5]}},
        computed_at=timezone.now(),
    )


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_same_instances_as_the_orm_in_one_query(snapshot, django_assert_num_queries):
    prepared = PreparedQuery(_snapshots, pk=SENTINEL)
    with django_assert_num_queries(1):
        got = prepared.first(pk=snapshot.pk)
        program = got.program  # select_related: no second query
    expected = _snapshots(snapshot.pk)[0]
    assert type(got) is ProgramSnapshot and type(program) is Program
    assert _values(got) == _values(expected)
    assert _values(program) == _values(expected.program)
    # the JSON field's database converter ran: a dict, not the text PostgreSQL sent
    assert got.figures == {"registered": 12, "by_role": {"mentee": [7, 5]}}
    assert got._state.adding is False and got._state.db == "default"
    # an instance like the ORM's: it saves as an UPDATE of its row
    got.figures = {"registered": 13}
    got.save(update_fields=["figures"])
    assert ProgramSnapshot.objects.get(pk=snapshot.pk).figures == {"registered": 13}


def test_none_when_no_row_matches(snapshot):
    prepared = PreparedQuery(_snapshots, pk=SENTINEL)
    assert prepared.first(pk=snapshot.pk + 1000) is None
    assert prepared.first(pk=snapshot.pk).pk == snapshot.pk


def test_compiled_once_then_only_run(snapshot, world):
    other = ProgramSnapshot.objects.create(
        program=world.program_b, day=snapshot.day, figures={}, computed_at=snapshot.computed_at
    )
    prepared = PreparedQuery(_snapshots, pk=SENTINEL)
    compile_sql = SQLCompiler.as_sql
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=compile_sql) as as_sql:
        firsts = [prepared.first(pk=pk) for pk in (snapshot.pk, other.pk, snapshot.pk)]
    assert as_sql.call_count == 1
    assert [(s.pk, s.program.pk) for s in firsts] == [
        (snapshot.pk, world.program_a.pk),
        (other.pk, world.program_b.pk),
        (snapshot.pk, world.program_a.pk),
    ]
    sql, params = prepared.sql()
    assert params.count(SENTINEL) == 1 and str(SENTINEL) not in sql


def _programs(program: int, client: int):
    return (
        Program.objects.filter(Q(pk=program) | Q(client_id=client))
        .annotate(snapshot_count=Count("snapshots"))
        .order_by("pk")
    )


def test_several_values_each_wherever_it_stands_and_annotations(snapshot, world):
    a, b = world.program_a, world.program_b
    prepared = PreparedQuery(_programs, program=-2_000_000_003, client=-2_000_000_005)
    for program, client in ((a.pk, -1), (b.pk, a.client_id), (-1, -1)):
        got = prepared.all(program=program, client=client)
        expected = list(_programs(program, client))
        assert [(p.pk, p.name, p.snapshot_count) for p in got] == [
            (p.pk, p.name, p.snapshot_count) for p in expected
        ]
    assert {p.pk: p.snapshot_count for p in prepared.all(program=a.pk, client=-1)} == {a.pk: 1}
    with pytest.raises(TypeError):
        prepared.first(program=a.pk)  # every value, by name


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda pk: Program.objects.all()[:1], id="sentinel unused"),
        pytest.param(
            lambda pk: Program.objects.filter(pk=pk).extra(where=[f"id <> {pk} + 1"]),
            id="sentinel written into the SQL",
        ),
        pytest.param(lambda pk: Program.objects.filter(pk=pk).values("pk"), id="values"),
        pytest.param(
            lambda pk: Program.objects.filter(pk=pk).prefetch_related("domains"), id="prefetch"
        ),
    ],
)
def test_refuses_what_it_cannot_serve(build):
    with pytest.raises(ValueError):
        PreparedQuery(build, pk=SENTINEL).first(pk=1)


def test_sentinels_are_distinct():
    with pytest.raises(ValueError):
        PreparedQuery(_programs, program=SENTINEL, client=SENTINEL)


SINCE = datetime.datetime(1901, 2, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)


def _snapshots_since(program: int, since: datetime.datetime):
    return ProgramSnapshot.objects.filter(program_id=program, computed_at__gte=since).order_by(
        "-day", "-pk"
    )


def test_a_time_and_a_page_at_a_time(world, django_assert_num_queries):
    start = timezone.now()
    for days in range(7):
        ProgramSnapshot.objects.create(
            program=world.program_a,
            day=datetime.date(2026, 11, 1) + datetime.timedelta(days=days),
            figures={},
            computed_at=start + datetime.timedelta(hours=days),
        )
    prepared = PreparedQuery(_snapshots_since, paged=True, program=SENTINEL, since=SINCE)
    for since in (start, start + datetime.timedelta(hours=3), start + datetime.timedelta(days=9)):
        rows = prepared.bind(program=world.program_a.pk, since=since)
        orm = _snapshots_since(world.program_a.pk, since)
        for where in (slice(0, 3), slice(3, 6), slice(6, 9), slice(None, 20), slice(2, 2)):
            with django_assert_num_queries(1):
                got = rows[where]
            assert [s.pk for s in got] == [s.pk for s in orm[where]], (since, where)
    assert len(prepared.bind(program=world.program_a.pk, since=start)[0:20]) == 7
    assert len(prepared.bind(program=world.program_b.pk, since=start)[0:20]) == 0
    sql, params = prepared.sql()
    assert sql.endswith(" LIMIT %s OFFSET %s") and SINCE in params and str(SINCE) not in sql


def test_a_paged_query_is_only_read_a_slice_at_a_time(world):
    prepared = PreparedQuery(_snapshots_since, paged=True, program=SENTINEL, since=SINCE)
    rows = prepared.bind(program=world.program_a.pk, since=SINCE)
    with pytest.raises(TypeError):
        prepared.all(program=world.program_a.pk, since=SINCE)
    with pytest.raises(TypeError):
        rows[3]
    with pytest.raises(TypeError):
        rows[0:10:2]
    with pytest.raises(TypeError):
        rows[3:]
    with pytest.raises(ValueError):
        rows[5:2]
    unpaged = PreparedQuery(_snapshots_since, program=SENTINEL, since=SINCE)
    with pytest.raises(TypeError):
        unpaged.bind(program=world.program_a.pk, since=SINCE)[0:5]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda pk: Program.objects.filter(pk=pk).order_by()[:5], id="sliced"),
        pytest.param(lambda pk: Program.objects.filter(pk=pk).order_by(), id="unordered"),
    ],
)
def test_a_paged_query_is_compiled_ordered_and_unsliced(build):
    with pytest.raises(ValueError):
        PreparedQuery(build, paged=True, pk=SENTINEL).bind(pk=1)[0:5]


def test_a_time_sentinel_is_aware():
    with pytest.raises(ValueError):
        PreparedQuery(_snapshots_since, program=SENTINEL, since=SINCE.replace(tzinfo=None))
