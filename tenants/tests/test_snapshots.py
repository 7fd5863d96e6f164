"""The statistics snapshots (issue 14): figures computed on hand-built data with known
answers, written once per programme per day in `public`, and the platform totals."""

from datetime import date, timedelta

import pytest

from audit.models import AuditEvent
from saas.core.tenancy import connection
from tenants.client_admin import platform_totals
from tenants.models import ProgramSnapshot
from tenants.snapshots import snapshots_take
from tenants.tasks import take_snapshots_task
from tenants.tests.snapshot_data import EXPECTED_A, EXPECTED_B, EXPECTED_C, NOW, build

pytestmark = pytest.mark.django_db


def test_snapshot_figures_have_known_answers(world, django_capture_on_commit_callbacks):
    # given two programmes of one organisation and one of another, built by hand
    with django_capture_on_commit_callbacks(execute=False):
        data = build(world)
    # when the job runs
    result = snapshots_take(now=NOW)
    # then each programme has today's row with the expected figures
    assert result["programmes"] >= 3
    day = date(2026, 6, 15)
    rows = {s.program_id: s for s in ProgramSnapshot.objects.filter(day=day)}
    assert rows[data.program_a.pk].figures == EXPECTED_A
    assert rows[data.program_b.pk].figures == EXPECTED_B
    assert rows[data.program_c.pk].figures == EXPECTED_C
    assert rows[data.program_a.pk].computed_at == NOW
    assert AuditEvent.objects.filter(action="snapshots.taken").exists()


def test_snapshot_job_is_idempotent_one_row_a_day(world, django_capture_on_commit_callbacks):
    # given the job already ran today
    with django_capture_on_commit_callbacks(execute=False):
        data = build(world)
    take_snapshots_task.delay()
    first = ProgramSnapshot.objects.filter(program=data.program_a).count()
    # when it runs again (and for one programme only, on demand)
    take_snapshots_task.delay()
    snapshots_take(program_ids=[data.program_a.pk])
    # then there is still one row per programme per day
    assert first == 1
    assert ProgramSnapshot.objects.filter(program=data.program_a).count() == 1
    assert connection.schema_name == "public"


def test_platform_totals_come_from_the_snapshots(world, django_capture_on_commit_callbacks):
    # given the snapshots of the three programmes on 15 June
    with django_capture_on_commit_callbacks(execute=False):
        build(world)
    snapshots_take(now=NOW)
    # when the platform totals are read for that day
    totals = platform_totals(now=NOW)
    # then active participants and meetings held this month are the sums of the snapshots
    assert totals["active"] == 6 + 2 + 0
    assert totals["registered"] == 11 + 3 + 1
    assert totals["meetings_held_month"] == 1 + 1 + 0
    assert {value: count for value, _label, count in totals["by_status"]}["ready"] >= 3
    # and a snapshot of last month counts no meeting held this month
    assert platform_totals(now=NOW + timedelta(days=20))["meetings_held_month"] == 0


def test_platform_totals_read_no_programme_schema(world, django_assert_max_num_queries):
    # given snapshots exist
    snapshots_take()
    # when the totals are read: two queries on public, whatever the number of programmes
    with django_assert_max_num_queries(2):
        platform_totals()
