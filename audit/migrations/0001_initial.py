"""One model for the audit log, in every schema. The rows stay where they are: the existing
table of the schema is renamed (`platform_audit_platformauditevent` in public,
`privacy_auditevent` in a programme's schema) — a catalogue change, constant time whatever the
number of rows, so it is safe on thousands of schemas; the programme's table gains the empty,
nullable `program_id` column (no rewrite). Ids, indexes, the identity sequence and the
append-only trigger follow the table. Reversible: the table gets its old name back (and loses
the column in a programme's schema)."""

from django.conf import settings
from django.db import migrations, models

OLD_PUBLIC = "platform_audit_platformauditevent"
OLD_PROGRAMME = "privacy_auditevent"
NEW = "audit_auditevent"


def _is_public(schema_editor) -> bool:
    schema = getattr(schema_editor.connection, "schema_name", settings.PUBLIC_SCHEMA_NAME)
    return schema == settings.PUBLIC_SCHEMA_NAME


def forwards(apps, schema_editor):
    run = schema_editor.execute
    if _is_public(schema_editor):
        run(f"ALTER TABLE {OLD_PUBLIC} RENAME TO {NEW}")
    else:
        run(f"ALTER TABLE {OLD_PROGRAMME} RENAME TO {NEW}")
        run(f"ALTER TABLE {NEW} ADD COLUMN program_id bigint NULL")


def backwards(apps, schema_editor):
    run = schema_editor.execute
    if _is_public(schema_editor):
        run(f"ALTER TABLE {NEW} RENAME TO {OLD_PUBLIC}")
    else:
        run(f"ALTER TABLE {NEW} DROP COLUMN program_id")
        run(f"ALTER TABLE {NEW} RENAME TO {OLD_PROGRAMME}")


class Migration(migrations.Migration):
    initial = True

    # After every migration that used the old tables by name.
    dependencies = [
        ("privacy", "0002_append_only"),
        ("participants", "0006_drop_pseudonymous_login_failures"),
        ("platform_audit", "0003_breach_register"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "actor_user_id",
                            models.BigIntegerField(blank=True, db_index=True, null=True),
                        ),
                        ("actor_role", models.CharField(blank=True, max_length=20)),
                        (
                            "action",
                            models.CharField(db_index=True, max_length=60, verbose_name="action"),
                        ),
                        ("target_type", models.CharField(blank=True, max_length=60)),
                        ("target_id", models.CharField(blank=True, max_length=64)),
                        ("ip", models.GenericIPAddressField(blank=True, null=True)),
                        ("request_id", models.CharField(blank=True, max_length=64)),
                        ("details", models.JSONField(blank=True, default=dict)),
                        ("program_id", models.BigIntegerField(blank=True, null=True)),
                    ],
                    options={"ordering": ["-created_at", "-id"]},
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
