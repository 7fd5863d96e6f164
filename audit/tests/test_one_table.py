"""One model, one table per schema: the programme's and the platform's rows live in
`audit_auditevent` (renamed in place from the two old tables by audit 0001), each with the
append-only trigger."""

import pytest
from django.db import connection


def _audit_tables(schema: str) -> list[tuple[str, str]]:
    """(table, trigger) of every audit table of `schema`."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, coalesce(t.tgname, '')
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
               WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname LIKE %s
               ORDER BY 1, 2""",
            [schema, "%auditevent"],
        )
        return cursor.fetchall()


@pytest.mark.django_db
def test_each_schema_has_one_audit_table_with_its_append_only_trigger(world):
    expected = [("audit_auditevent", "audit_append_only")]
    assert _audit_tables("public") == expected
    assert _audit_tables(world.program_a.schema_name) == expected
    assert _audit_tables(world.program_b.schema_name) == expected
