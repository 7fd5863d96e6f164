from django.db import migrations

TRIGGER = """
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON privacy_auditevent
FOR EACH ROW EXECUTE FUNCTION public.binome_audit_append_only();
"""


class Migration(migrations.Migration):
    """The programme's audit log refuses UPDATE and DELETE in the database (function created in
    the public schema by platform_audit)."""

    dependencies = [("privacy", "0001_initial"), ("platform_audit", "0002_append_only")]

    operations = [
        migrations.RunSQL(TRIGGER, "DROP TRIGGER IF EXISTS audit_append_only ON privacy_auditevent")
    ]
