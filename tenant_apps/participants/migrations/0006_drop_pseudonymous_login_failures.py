from django.db import migrations

# Failed logins used to be logged in the programme whose site was used, with a hash of the
# address typed, whoever it belonged to: a programme kept records about people who are not its
# members, which its manager could export and erasure could not find. They are now kept on the
# account (public schema); the old rows go. The audit log refuses DELETE except under the purge
# flag, which is set for this transaction only.
FORWARD = """
SET LOCAL binome.audit_purge = 'on';
DELETE FROM privacy_auditevent WHERE action = 'auth.login_failed' AND details ? 'account';
SET LOCAL binome.audit_purge = 'off';
"""


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0005_erased_status"),
        ("privacy", "0002_append_only"),
    ]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
