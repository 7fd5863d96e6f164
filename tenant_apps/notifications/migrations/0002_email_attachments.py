from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="email",
            name="attachments",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
