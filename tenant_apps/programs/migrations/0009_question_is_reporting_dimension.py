from django.db import migrations, models

# A boolean column with a constant default: a catalogue change in PostgreSQL 11+ (no table
# rewrite), instant on every programme schema; reversing drops the column.


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0008_question_show_on_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="is_reporting_dimension",
            field=models.BooleanField(
                default=False,
                help_text="Single choice or yes / no questions; groups of fewer than 5 are hidden.",
                verbose_name="break the dashboard's figures down by this question",
            ),
        ),
    ]
