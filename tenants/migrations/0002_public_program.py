from django.db import migrations


def create_public_program(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Program = apps.get_model("tenants", "Program")
    Program.objects.get_or_create(
        schema_name="public", defaults={"name": "Binôme", "status": "ready"}
    )


def delete_public_program(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    apps.get_model("tenants", "Program").objects.filter(schema_name="public").delete()


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [migrations.RunPython(create_public_program, delete_public_program)]
