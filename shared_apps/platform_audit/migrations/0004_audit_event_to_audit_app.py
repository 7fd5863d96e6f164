from django.db import migrations


class Migration(migrations.Migration):
    """The platform's audit log is now audit.AuditEvent: audit 0001 renamed the table (rows
    kept), so only the model's state leaves this app."""

    dependencies = [("platform_audit", "0003_breach_register"), ("audit", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PlatformAuditEvent")],
            database_operations=[],
        )
    ]
