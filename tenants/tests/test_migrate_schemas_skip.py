"""`migrate_schemas` skips the schemas already at the head (their applied-migration
fingerprint, read from their own django_migrations, equals the code's), migrates the others,
and records every fingerprint in public (tenants.migration_executor).

A new migration is given to the code the way a deploy does: the `programs` app's migrations are
copied to a temporary package with one more migration (a nullable column), and MIGRATION_MODULES
points the app there. Everything runs in the test's transaction and is rolled back."""

import shutil
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django_tenants.signals import schema_migrated

from saas.core.tenancy import connection
from tenants.migration_executor import head_fingerprint, schema_fingerprints
from tenants.models import Program, SchemaMigrationState

APP = "programs"
COLUMN = "rollout_note"


@pytest.fixture
def standard_executor(settings):
    """In-process migrations: a forked pool would not see the test's transaction."""
    settings.TENANT_MIGRATION_EXECUTOR = "standard"


@pytest.fixture
def migrated() -> Iterator[list[str]]:
    """The schemas `migrate_schemas` really migrated (django-tenants signals each one)."""
    names: list[str] = []

    def receiver(sender: object, schema_name: str, **kwargs: object) -> None:
        names.append(schema_name)

    schema_migrated.connect(receiver, weak=False)
    yield names
    schema_migrated.disconnect(receiver)


@pytest.fixture
def new_migration(tmp_path: Path, settings) -> Iterator[str]:
    """The code gains one migration in `programs`: a nullable column on ProgramSettings."""
    from tenant_apps.programs import migrations as package

    target = tmp_path / "rollout_programs_migrations"
    shutil.copytree(Path(package.__file__).parent, target, ignore=shutil.ignore_patterns("__py*"))
    (leaf,) = MigrationLoader(None).graph.leaf_nodes(APP)
    name = f"{int(leaf[1][:4]) + 1:04d}_{COLUMN}"
    (target / f"{name}.py").write_text(
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [({APP!r}, {leaf[1]!r})]\n"
        "    operations = [\n"
        "        migrations.AddField(\n"
        f"            model_name='programsettings', name={COLUMN!r},\n"
        "            field=models.TextField(null=True),\n"
        "        ),\n"
        "    ]\n",
        encoding="utf-8",
    )
    sys.path.insert(0, str(tmp_path))
    settings.MIGRATION_MODULES = {**settings.MIGRATION_MODULES, APP: target.name}
    yield f"{APP}.{name}"
    sys.path.remove(str(tmp_path))
    for module in [m for m in sys.modules if m.startswith(target.name)]:
        del sys.modules[module]


def has_column(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'programs_programsettings' AND column_name = %s",
            [schema_name, COLUMN],
        )
        return cursor.fetchone() is not None


def migrate(*args: str) -> str:
    out = StringIO()
    call_command("migrate_schemas", *args, interactive=False, verbosity=1, stdout=out)
    connection.set_schema_to_public()
    return out.getvalue()


def every_schema() -> list[str]:
    """public and every programme schema that exists (spares included)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s) ORDER BY 1",
            [list(Program.objects.values_list("schema_name", flat=True))],
        )
        return ["public", *(row[0] for row in cursor.fetchall() if row[0] != "public")]


@pytest.mark.django_db
def test_schemas_at_the_head_are_skipped_and_recorded(world, standard_executor, migrated):
    # given every schema migrated (the test database)
    schemas = every_schema()
    assert len(schemas) >= 3
    # when migrate_schemas runs with nothing to apply
    out = migrate()
    # then no schema was migrated, each was skipped, and public records each at the head
    assert migrated == []
    assert f"{len(schemas) - 1} schema(s) already at the head" in out
    head = head_fingerprint()
    recorded = dict(SchemaMigrationState.objects.values_list("schema_name", "fingerprint"))
    assert {name: recorded.get(name) for name in schemas} == dict.fromkeys(schemas, head)


@pytest.mark.django_db
def test_a_new_migration_is_applied_to_every_schema_behind(
    world, standard_executor, migrated, new_migration
):
    # given the code has a new migration, already applied to programme A alone
    a, b = world.program_a.schema_name, world.program_b.schema_name
    old = schema_fingerprints([b])[b]
    migrate("--schema", a)
    assert migrated == [a] and has_column(a) and not has_column(b)
    migrated.clear()
    # when migrate_schemas runs over everything
    migrate()
    # then every schema but A was migrated (public records the migration as a no-op), each
    # programme has the column, and each fingerprint, real and recorded, is the new head
    schemas = every_schema()
    assert sorted(migrated) == sorted(name for name in schemas if name != a)
    assert all(has_column(name) for name in schemas if name != "public")
    head = head_fingerprint()
    assert head != old
    assert set(schema_fingerprints(schemas).values()) == {head}
    recorded = dict(SchemaMigrationState.objects.values_list("schema_name", "fingerprint"))
    assert {name: recorded[name] for name in schemas} == dict.fromkeys(schemas, head)
    # and the check reads the real rows: none behind
    out = StringIO()
    call_command("migrations_check", stdout=out)
    assert "every migration is applied" in out.getvalue()


@pytest.mark.django_db
def test_a_migration_unapplied_by_hand_is_detected_and_migrated(
    world, standard_executor, migrated, new_migration
):
    # given every schema at the head, then someone reverted the new migration by hand in B
    # (its column dropped and its row deleted), so that B's recorded fingerprint is stale
    migrate()
    migrated.clear()
    b = world.program_b.schema_name
    app, name = new_migration.split(".")
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{b}".programs_programsettings DROP COLUMN {COLUMN}')
        cursor.execute(
            f'DELETE FROM "{b}".django_migrations WHERE app = %s AND name = %s', [app, name]
        )
    assert SchemaMigrationState.objects.get(schema_name=b).fingerprint == head_fingerprint()
    # when migrate_schemas runs
    migrate()
    # then B alone was migrated (its real rows differ from the head), and has its column back
    assert migrated == [b]
    assert has_column(b)
    assert schema_fingerprints([b])[b] == head_fingerprint()


@pytest.mark.django_db
def test_a_targeted_run_never_skips(world, standard_executor, migrated):
    # given every schema at the head; when one app is migrated to its current leaf by name
    (leaf,) = MigrationLoader(None).graph.leaf_nodes(APP)
    migrate("--schema", world.program_a.schema_name, APP, leaf[1])
    # then the schema went through migrate (an explicit target is never skipped)
    assert migrated == [world.program_a.schema_name]
