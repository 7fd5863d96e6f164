from django.db import migrations

# Account-lock notices used to go through the outbox of whichever programme the failed logins
# came from, member or not. They are now sent by the platform (accounts.tasks); the old rows go.
FORWARD = "DELETE FROM notifications_email WHERE template = 'account_locked';"


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_email_about")]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
