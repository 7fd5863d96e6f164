"""The migrations of this work are reversible: programme B's schema goes back to before
question sets and surveys, then forward again, its questionnaire untouched (inside the test's
transaction: PostgreSQL rolls the DDL back afterwards)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import tenant_context

from tenant_apps.programs.models import Question


@pytest.mark.django_db
def test_surveys_and_question_sets_migrate_back_and_forth(world):
    with tenant_context(world.program_b):
        Question.objects.create(key="metier", label="Métier", kind="text")
        executor = MigrationExecutor(connection)
        latest = [n for n in executor.loader.graph.leaf_nodes() if n[0] in ("programs", "surveys")]
        targets = [("surveys", None), ("programs", "0006_retention_invited_deactivated_outbox")]

        executor.migrate(targets)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT to_regclass('surveys_survey'), to_regclass('programs_questionset')"
            )
            assert cursor.fetchone() == (None, None)
            cursor.execute("SELECT key FROM programs_question")
            assert cursor.fetchall() == [("metier",)]

        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        from tenant_apps.surveys.models import Survey

        assert sorted(Survey.objects.values_list("kind", flat=True)) == [
            "checkin",
            "meeting",
            "pair_end",
            "programme_end",
        ]
        assert list(Question.objects.values_list("key", flat=True)) == ["metier"]
    connection.set_schema_to_public()
