from django.db import migrations, models

ERASED_DOMAIN = "erased.invalid"  # tenant_apps.privacy.erasure.ERASED_DOMAIN


def mark_erased(apps, schema_editor):
    """People erased before this status existed: deactivated rows tied to a placeholder."""
    Participant = apps.get_model("participants", "Participant")
    Participant.objects.filter(
        status="deactivated", user__email__endswith=f"@{ERASED_DOMAIN}"
    ).update(status="erased", is_available=False)


def unmark_erased(apps, schema_editor):
    Participant = apps.get_model("participants", "Participant")
    Participant.objects.filter(status="erased").update(status="deactivated")


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0004_activity_and_retention"),
    ]

    operations = [
        migrations.AlterField(
            model_name="participant",
            name="status",
            field=models.CharField(
                choices=[
                    ("invited", "Invited"),
                    ("active", "Active"),
                    ("deactivated", "Deactivated"),
                    ("erased", "Erased"),
                ],
                default="invited",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(mark_erased, unmark_erased, elidable=True),
    ]
