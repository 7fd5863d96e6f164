from django.db import migrations, models


class Migration(migrations.Migration):
    """A small table in `public` only (tenants is a shared app): one row per schema."""

    dependencies = [
        ("tenants", "0004_client_address_and_dpo_contact"),
    ]

    operations = [
        migrations.CreateModel(
            name="SchemaMigrationState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("schema_name", models.CharField(max_length=63, unique=True)),
                ("fingerprint", models.CharField(max_length=32)),
                ("migrated_at", models.DateTimeField()),
            ],
        ),
    ]
