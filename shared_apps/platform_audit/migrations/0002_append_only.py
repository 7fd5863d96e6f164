from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION public.binome_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('binome.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
END
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON platform_audit_platformauditevent
FOR EACH ROW EXECUTE FUNCTION public.binome_audit_append_only();
"""


class Migration(migrations.Migration):
    """Append-only in the database too: UPDATE and DELETE are refused, except a DELETE inside
    the retention purge (which sets binome.audit_purge for its transaction)."""

    dependencies = [("platform_audit", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS public.binome_audit_append_only()"),
        migrations.RunSQL(
            TRIGGER,
            "DROP TRIGGER IF EXISTS audit_append_only ON platform_audit_platformauditevent",
        ),
    ]
