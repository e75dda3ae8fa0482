# The model now lives in registry (registry 0010 renamed its table); public_site keeps
# no models: it only reads and renders.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("public_site", "0001_initial"),
        ("registry", "0010_family_subscription"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="FamilySubscription")],
        ),
    ]
