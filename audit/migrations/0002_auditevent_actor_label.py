"""Who acted, in words, when the actor is not a person: "API key «HR system»" (the label an
authenticated principal gives through `audit_actor`, see audit.log). One nullable-free column
with a constant default: on PostgreSQL 11+ a catalogue change, no rewrite of the rows, so it
is safe on thousands of schemas (the append-only trigger is not involved: no row changes).
Reversible: the column is dropped."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="actor_label",
            field=models.CharField(blank=True, default="", max_length=120),
        ),
    ]
