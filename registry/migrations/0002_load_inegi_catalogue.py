"""Load the INEGI states and municipalities (registry/data/, source in its README)."""

from django.db import migrations


def load_catalogue(apps, schema_editor):
    from registry import catalogue

    State = apps.get_model("registry", "State")
    Municipality = apps.get_model("registry", "Municipality")
    State.objects.bulk_create(
        [State(code=entry.code, name=entry.name) for entry in catalogue.states()],
        ignore_conflicts=True,
    )
    Municipality.objects.bulk_create(
        [Municipality(code=entry.code, state_id=entry.state_code, name=entry.name)
         for entry in catalogue.municipalities()],
        batch_size=1000,
        ignore_conflicts=True,
    )


def unload_catalogue(apps, schema_editor):
    apps.get_model("registry", "Municipality").objects.all().delete()
    apps.get_model("registry", "State").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load_catalogue, unload_catalogue)]
