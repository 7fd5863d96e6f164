"""Migrations of the programme settings run both ways on a programme schema."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import tenant_context


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {
            column.name for column in connection.introspection.get_table_description(cursor, table)
        }


@pytest.mark.django_db
def test_dropping_the_unused_start_date_is_reversible(world):
    with tenant_context(world.program_a):
        table = "programs_programsettings"
        assert "starts_on" not in _columns(table)
        # when the migration is reversed, the column comes back (empty); applied again, it goes
        executor = MigrationExecutor(connection)
        executor.migrate([("programs", "0006_retention_invited_deactivated_outbox")])
        assert "starts_on" in _columns(table)
        executor = MigrationExecutor(connection)
        executor.migrate([("programs", "0007_remove_settings_starts_on")])
        assert "starts_on" not in _columns(table)
    connection.set_schema_to_public()
