from django.db import migrations


class Migration(migrations.Migration):
    """The programme's audit log is now audit.AuditEvent: audit 0001 renamed the table (rows
    kept), so only the model's state leaves this app."""

    dependencies = [("privacy", "0002_append_only"), ("audit", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")], database_operations=[]
        )
    ]
