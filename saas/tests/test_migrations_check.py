"""`manage.py migrations_check`: after a roll-out, every schema that lags is listed and the
command fails; when none does, it says how many it checked and succeeds."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from saas.tests.test_health import unapply_last_migration


def run_check(*args: str) -> tuple[str, str | None]:
    """The command's output, and its error (None when it succeeded)."""
    out = StringIO()
    try:
        call_command("migrations_check", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


@pytest.mark.django_db
def test_every_schema_up_to_date_passes(world):
    from tenants.models import Program

    # when every schema is checked after the test database was migrated
    out, error = run_check()
    # then public and each programme schema were checked, and none lags
    schemas = Program.objects.exclude(status__in=["failed", "provisioning"]).count()
    assert error is None
    assert out.strip() == f"{schemas} schemas checked: every migration is applied."
    assert schemas >= 3  # public, A and B


@pytest.mark.django_db
def test_a_programme_left_behind_is_listed_and_fails_the_check(world):
    # given programme B one migration behind (a roll-out interrupted on its schema)
    missing = unapply_last_migration(world.program_b.schema_name)
    # when the check runs
    out, error = run_check()
    # then B is listed with the migration it lacks, A is not, and the command fails
    assert out.splitlines() == [f"{world.program_b.schema_name}: 1 not applied: {missing}"]
    assert error is not None and error.startswith("1 of ")
    assert "migrate_schemas" in error


@pytest.mark.django_db
def test_a_programme_whose_schema_is_missing_is_listed(world):
    from tenants.models import Program

    # given a programme row whose schema does not exist (restored row, dropped schema)
    Program.objects.create(schema_name="p_000000000000", status=Program.Status.READY)
    # when the check runs
    out, error = run_check()
    # then it is listed as missing, and the command fails
    assert "p_000000000000: schema missing" in out.splitlines()
    assert error is not None


@pytest.mark.django_db
def test_one_schema_can_be_checked_alone(world):
    unapply_last_migration(world.program_b.schema_name)
    out, error = run_check("--schema", world.program_a.schema_name)
    assert (out.strip(), error) == ("1 schema checked: every migration is applied.", None)
